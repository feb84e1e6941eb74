#!/usr/bin/env python3
"""Write offers.jsonl, needs.jsonl and judgements.tsv of the second matching set from topics.py.

Run from this directory: `python3 build.py`. The texts are in topics.py; this script sets the
constraint fields (the solving, related and other offers fit the need; the trap offer breaks the
one constraint its topic names, by one TRL, by a price above the budget, or by a cooperation type
the need does not accept) and writes the graded judgements: solve 3, trap 2, related 1, other 0.
Unlike the first set (eval/matching), a constraint trap here is graded 2: it solves the need.
"""
import json
from topics import TOPICS

# The cooperation type a trap offer proposes, by a word of its title.
COOP_TRAPS = [
    ("Liên doanh", "joint_venture"), ("Joint venture", "joint_venture"),
    ("Hợp tác nghiên cứu", "rd_cooperation"), ("R&D partnership", "rd_cooperation"),
    ("Đặt hàng", "contract_research"), ("Contract research", "contract_research"),
    ("Góp vốn", "capital_contribution"), ("Chuyển nhượng", "assignment"),
]


def offer(topic, text, field, *, trl, price, coop):
    lang, title, summary, keywords = text
    form = {
        "kind": "expertise" if topic["kind"] == "expert_service" else "technology",
        "lang": lang,
        "title": title,
        "summary": summary,
        "keywords": keywords,
        "sci_fields": [field],
        "trl": trl,
        "cooperation_types": coop,
        "transfer_forms": ["standalone"],
        "province_code": "thanh_hoa",
    }
    if price is None:
        form["pricing_model"] = "negotiable"
    else:
        form.update(pricing_model="range", price_min_vnd=price[0], price_max_vnd=price[1])
    return form


def main():
    offers, needs, judgements = [], [], []
    for number, topic in enumerate(TOPICS, start=1):
        need_id = f"f{number:02d}"
        lang, title, problem, keywords = topic["need"]
        trl_min, budget, accepted = topic["trl_min"], topic["budget"], topic["coop"]
        need = {
            "kind": topic["kind"], "lang": lang, "title": title, "problem": problem,
            "keywords": keywords, "sci_fields": [topic["field"]], "trl_min": trl_min,
            "accepted_cooperation_types": accepted, "province_code": "thanh_hoa",
            "origin": "self_posted", "ip_expectation": "any",
        }
        if budget:
            need.update(budget_min_vnd=budget[0], budget_max_vnd=budget[1])
        needs.append({"id": need_id, "group": topic["group"], "form": need})

        fit_trl = min(9, (trl_min or 6) + 1)
        fit_price = None if budget is None else (budget[0], (budget[0] + budget[1]) // 2)
        fit_coop = [accepted[0]]
        trl, price, coop = fit_trl, fit_price, fit_coop
        if topic["trap"] == "trl":
            trl = trl_min - 1
        elif topic["trap"] == "price":
            price = (budget[1] * 2, budget[1] * 4)
        else:
            coop = [next(c for word, c in COOP_TRAPS if word in topic["broken"][1])]
        graded = [
            ("a", offer(topic, topic["solve"], topic["field"], trl=fit_trl, price=fit_price, coop=fit_coop), 3),
            ("b", offer(topic, topic["broken"], topic["field"], trl=trl, price=price, coop=coop), 2),
            ("c", offer(topic, topic["related"], topic["field"], trl=fit_trl, price=fit_price, coop=fit_coop), 1),
            ("d", offer(topic, topic["other"][:4], topic["other"][4], trl=fit_trl, price=fit_price, coop=fit_coop), 0),
        ]
        for letter, form, grade in graded:
            offer_id = f"p{number:02d}{letter}"
            offers.append({"id": offer_id, "form": form})
            judgements.append((need_id, offer_id, grade))
        assert not (topic["trap"] == "coop" and set(coop) & set(accepted)), title

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
