#!/usr/bin/env python3
"""Write offers.jsonl, needs.jsonl and judgements.tsv of the matching set from topics.py.

Run from this directory: `python3 build.py`. The texts are in topics.py; this script only sets
the constraint fields so that offers A, B and D fit the need and offer C breaks the topic's trap
constraint, and writes the graded judgements (A 3, B 2, C 1, D 0).
"""
import json
from topics import TOPICS

PROVINCES = ["thanh_hoa", "nghe_an", "ha_noi", "ninh_binh"]
# Cooperation types a need never accepts in this set, by how offer C's title reads.
COOP_TRAPS = [
    ("Liên doanh", ["joint_venture"]),
    ("Góp vốn", ["capital_contribution"]),
    ("Đặt hàng", ["contract_research"]),
    ("Hợp tác nghiên cứu", ["rd_cooperation"]),
]


def fitting_price(budget):
    if budget is None:
        return None, None
    low, high = budget
    return low, (low + high) // 2


def offer(topic, title, summary, keywords, field, *, trl, price, coop, province):
    low, high = price
    form = {
        "kind": "expertise" if topic["kind"] == "expert_service" else "technology",
        "lang": "vi",
        "title": title,
        "summary": summary,
        "keywords": keywords,
        "sci_fields": [field],
        "trl": trl,
        "cooperation_types": coop,
        "transfer_forms": ["standalone"],
        "province_code": province,
    }
    if low is None:
        form["pricing_model"] = "negotiable"
    else:
        form.update(pricing_model="range", price_min_vnd=low, price_max_vnd=high)
    return form


def main():
    offers, needs, judgements = [], [], []
    for number, topic in enumerate(TOPICS, start=1):
        need_id = f"n{number:02d}"
        title, problem, keywords = topic["need"]
        trl_min = topic["trl_min"]
        budget = topic["budget"]
        accepted = topic["coop"]
        need = {
            "kind": topic["kind"],
            "lang": "vi",
            "title": title,
            "problem": problem,
            "keywords": keywords,
            "sci_fields": [topic["field"]],
            "trl_min": trl_min,
            "accepted_cooperation_types": accepted,
            "province_code": "thanh_hoa",
            "origin": "self_posted",
            "ip_expectation": "any",
        }
        if budget:
            need.update(budget_min_vnd=budget[0], budget_max_vnd=budget[1])
        needs.append({"id": need_id, "form": need})

        fit_trl = min(9, (trl_min or 6) + 1)
        fit_price = fitting_price(budget)
        fit_coop = [accepted[0], "training" if accepted[0] != "training" else "technical_services"]
        province = PROVINCES[number % len(PROVINCES)]

        a = offer(topic, *topic["A"], topic["field"], trl=fit_trl, price=fit_price, coop=fit_coop,
                  province="thanh_hoa")
        b = offer(topic, *topic["B"], topic["field"], trl=trl_min or 5, price=fit_price,
                  coop=[accepted[-1]], province=province)
        trap = topic["trap"]
        c_trl, c_price, c_coop = fit_trl, fit_price, fit_coop
        if trap == "trl":
            c_trl = max(1, (trl_min or 4) - 3)
        elif trap == "price":
            c_price = (budget[1] * 3, budget[1] * 5)
        else:
            c_title = topic["C"][0]
            c_coop = next(types for word, types in COOP_TRAPS if word in c_title)
            assert not set(c_coop) & set(accepted), topic["C"][0]
        c = offer(topic, *topic["C"], topic["field"], trl=c_trl, price=c_price, coop=c_coop,
                  province="thanh_hoa")
        d_title, d_summary, d_keywords, d_field = topic["D"]
        d = offer(topic, d_title, d_summary, d_keywords, d_field, trl=fit_trl, price=fit_price,
                  coop=fit_coop, province="thanh_hoa")
        for letter, form, grade in (("a", a, 3), ("b", b, 2), ("c", c, 1), ("d", d, 0)):
            offer_id = f"o{number:02d}{letter}"
            offers.append({"id": offer_id, "form": form})
            judgements.append((need_id, offer_id, grade))

    with open("offers.jsonl", "w", encoding="utf-8") as out:
        for line in offers:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    with open("needs.jsonl", "w", encoding="utf-8") as out:
        for line in needs:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    with open("judgements.tsv", "w", encoding="utf-8") as out:
        out.write("need-id\toffer-id\tgrade\n")
        for need_id, offer_id, grade in judgements:
            out.write(f"{need_id}\t{offer_id}\t{grade}\n")
    print(f"{len(needs)} needs, {len(offers)} offers, {len(judgements)} judgements")


if __name__ == "__main__":
    main()
