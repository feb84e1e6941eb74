"""Rules JSON Schema cannot state, given to schemathesis (.ci/outside-in) as hooks.

Each rule is written in the document's descriptions and enforced by the server; JSON Schema has
no way to compare two fields or a value with the clock, so the fuzzer would otherwise draw bodies
the server rightly refuses. Every hook only adjusts a value that already has the type and format
the schema asks for: a negative case (a value of the wrong type or format) is left as drawn, so
it still has to be refused.
"""

from datetime import datetime, timedelta, timezone

import schemathesis

# A range's minimum is at most its maximum (a listing's price, a request's budget).
RANGES = (("price_min_vnd", "price_max_vnd"), ("budget_min_vnd", "budget_max_vnd"))


def _operation_id(ctx):
    operation = getattr(ctx, "operation", None)
    definition = getattr(operation, "definition", None)
    raw = getattr(definition, "raw", None) or {}
    return raw.get("operationId")


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _order_ranges(values):
    if not isinstance(values, dict):
        return values
    for low, high in RANGES:
        if _number(values.get(low)) and _number(values.get(high)) and values[low] > values[high]:
            values[low], values[high] = values[high], values[low]
    return values


def _free_listing(body):
    """A free listing carries no price (none, or 0)."""
    if body.get("pricing_model") == "free":
        for price in ("price_min_vnd", "price_max_vnd"):
            if _number(body.get(price)) and body[price] > 0:
                body[price] = 0
    return body


def _expires_at(body):
    """A grant's `expires_at` lies in the future, at most three years ahead."""
    value = body.get("expires_at")
    if not isinstance(value, str):
        return body
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return body
    if moment.tzinfo is None:
        return body
    now = datetime.now(timezone.utc)
    if not now + timedelta(minutes=5) < moment < now + timedelta(days=3 * 365):
        body["expires_at"] = (now + timedelta(days=30)).isoformat(timespec="seconds")
    return body


def _password(body):
    """A password differs from the email and is not one character repeated."""
    password, email = body.get("password"), body.get("email")
    if isinstance(password, str) and 8 <= len(password) <= 120:
        if password == email or len(set(password)) == 1:
            body["password"] = password[:-2] + "x7"
    return body


def _answer(body):
    """A reason goes with `decline` and only with it."""
    answer = body.get("answer")
    if answer == "accept" and isinstance(body.get("reason"), str):
        del body["reason"]
    elif answer == "decline" and "reason" not in body:
        body["reason"] = "Ngoài phạm vi hợp tác"
    return body


BODY_RULES = {
    "create_listing": _free_listing,
    "grant_access_request": _expires_at,
    "register_account": _password,
    "answer_match": _answer,
}


@schemathesis.hook
def map_body(ctx, body):
    if not isinstance(body, dict):
        return body
    body = _order_ranges(body)
    rule = BODY_RULES.get(_operation_id(ctx))
    return rule(body) if rule else body
