"""rank_round against a plain reading of DESIGN §3 on random contests loaded through the exchange
format, the way an outside check would: import the document, export the round's results."""

from __future__ import annotations

import random
import statistics
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from flask_babel import force_locale

from app.extensions import db
from app.services import exchange
from app.services.results.export import results_document

WEIGHTS = ["0.25", "0.5", "1", "1.5", "2", "0.05", "0.33", "1.75"]
METHODS = ["mean", "median", "trimmed", "zscore"]


def _random_document(rng: random.Random, slug: str) -> dict:
    nominations = [{"key": f"n{i}", "title": {"en": f"N{i}"}} for i in range(rng.randint(1, 3))]
    criteria = []
    for i in range(rng.randint(1, 4)):
        low = rng.choice([0, 1])
        criteria.append({"key": f"c{i}", "title": {"en": f"C{i}"}, "weight": rng.choice(WEIGHTS),
                         "min": low, "max": low + rng.choice([2, 3, 10])})
    maximum = sum(Decimal(c["weight"]) * c["max"] for c in criteria)
    round_ = {"key": "r1", "title": {"en": "R"}, "method": rng.choice(METHODS),
              "tie_break": [c["key"] for c in rng.sample(criteria, rng.randint(0, len(criteria)))],
              "criteria": criteria}
    if rng.random() < 0.6:
        round_["pass_mark"] = str((maximum * Decimal(rng.choice([30, 45, 50, 60])) / 100).quantize(Decimal("0.01")))
    if rng.random() < 0.5:
        round_["disagreement_threshold"] = str((maximum * Decimal(rng.choice([10, 20, 25])) / 100)
                                               .quantize(Decimal("0.01")))
    judges = [f"judge{i}@example.org" for i in range(rng.randint(2, 5))]
    people = [{"email": j, "name": j} for j in judges]
    entries, reviews = [], []
    times = ["2026-04-01T10:00:00+03:00", "2026-04-01T10:00:00+03:00", "2026-04-02T09:30:00+03:00"]
    for number in range(1, rng.randint(3, 12) + 1):
        entrant = f"entrant{number}@example.org"
        people.append({"email": entrant, "name": entrant})
        entries.append({"number": number, "nomination": rng.choice(nominations)["key"], "entrant": entrant,
                        "status": "submitted", "submitted_at": rng.choice(times), "rounds": ["r1"]})
        for judge in rng.sample(judges, rng.randint(0, len(judges))):
            # Narrow score ranges make exact ties common.
            scores = {c["key"]: rng.randint(c["min"], min(c["max"], c["min"] + 3)) for c in criteria}
            status = "submitted" if rng.random() < 0.85 else "draft"
            reviews.append({"round": "r1", "entry": number, "email": judge, "status": status,
                            "submitted_at": "2026-05-01T12:00:00+03:00", "scores": scores})
    reviews.sort(key=lambda r: (r["entry"], r["email"]))
    return {"format": "formula-jury/contest", "version": 1,
            "contest": {"slug": slug, "title": {"en": slug}, "timezone": "Europe/Moscow"},
            "nominations": nominations, "rounds": [round_], "people": people,
            "jury": [{"round": "r1", "email": j} for j in judges], "entries": entries, "reviews": reviews}


def _half_up(value) -> str:
    if isinstance(value, float):
        value = Decimal(repr(value))
    else:
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _reference(document: dict) -> dict:
    """DESIGN §3, read plainly: exact fractions, floats only for the z-score."""
    round_ = document["rounds"][0]
    criteria = {c["key"]: c for c in round_["criteria"]}
    weight = {k: Fraction(Decimal(c["weight"])) for k, c in criteria.items()}
    maximum = sum(weight[k] * c["max"] for k, c in criteria.items())
    submitted = [r for r in document["reviews"] if r["status"] == "submitted"]
    total = {id(r): sum(weight[k] * v for k, v in r["scores"].items()) for r in submitted}
    by_entry: dict[int, list] = {}
    for r in submitted:
        by_entry.setdefault(r["entry"], []).append(r)

    method = round_["method"]
    if method == "zscore":
        by_judge: dict[str, list[float]] = {}
        for r in submitted:
            by_judge.setdefault(r["email"], []).append(float(total[id(r)]))
        stats = {j: (statistics.fmean(t), statistics.pstdev(t)) for j, t in by_judge.items()}
        everything = [float(total[id(r)]) for r in submitted]
        mu, sigma = (statistics.fmean(everything), statistics.pstdev(everything)) if everything else (0, 0)

    def score(reviews):
        totals = sorted(total[id(r)] for r in reviews)
        n = len(totals)
        if method == "median":
            return (totals[(n - 1) // 2] + totals[n // 2]) / 2
        if method == "trimmed" and n >= 3:
            return sum(totals[1:-1]) / (n - 2)
        if method == "zscore":
            zs = []
            for r in reviews:
                mean_j, sd_j = stats[r["email"]]
                zs.append(0.0 if sd_j == 0 else (float(total[id(r)]) - mean_j) / sd_j)
            return mu + sigma * statistics.fmean(zs)
        return sum(totals) / n

    pass_mark = Fraction(Decimal(round_["pass_mark"])) if "pass_mark" in round_ else None
    threshold = Fraction(Decimal(round_["disagreement_threshold"])) if "disagreement_threshold" in round_ \
        else maximum * Fraction(3, 10)
    rows = []
    for entry in document["entries"]:
        reviews = by_entry.get(entry["number"], [])
        if not reviews:
            continue
        value = score(reviews)
        totals = [total[id(r)] for r in reviews]
        spread = max(totals) - min(totals)
        below = pass_mark is not None and value < (float(pass_mark) if isinstance(value, float) else pass_mark)
        all_below = pass_mark is not None and max(totals) < pass_mark
        ties = tuple(-sum(weight[k] * r["scores"][k] for r in reviews) / len(reviews) for k in round_["tie_break"])
        sort_value = round(value, 9) if isinstance(value, float) else value
        rows.append({"entry": entry, "score": value, "spread": spread, "below": below,
                     "flagged": spread >= threshold and not all_below,
                     "key": (-sort_value, ties, entry["submitted_at"], entry["number"])})
    positions = {n["key"]: i for i, n in enumerate(document["nominations"])}
    rows.sort(key=lambda row: (positions[row["entry"]["nomination"]], row["key"]))
    rankings, counter = [], {}
    for row in rows:
        nomination = row["entry"]["nomination"]
        counter[nomination] = counter.get(nomination, 0) + 1
        rankings.append({"nomination": nomination, "rank": counter[nomination], "entry": row["entry"]["number"],
                         "score": _half_up(row["score"]), "reviews": len(by_entry[row["entry"]["number"]]),
                         "spread": Decimal(row["spread"].numerator) / Decimal(row["spread"].denominator),
                         "flagged": row["flagged"], "below_pass_mark": row["below"]})
    unrated = sorted(e["number"] for e in document["entries"] if e["number"] not in by_entry)
    return {"method": method, "rankings": rankings, "unrated": unrated}


@pytest.mark.parametrize("seed", range(40))
def test_rank_round_agrees_with_a_plain_reading_of_the_rules(app, seed):
    rng = random.Random(seed)
    document = _random_document(rng, f"random-{seed}")
    with force_locale("en"):
        contest = exchange.import_contest(document)
    db.session.commit()
    ours = results_document(contest.rounds[0])
    expected = _reference(document)
    for row in ours["rankings"]:
        row["spread"] = Decimal(row["spread"])
    assert (ours["method"], ours["unrated"]) == (expected["method"], expected["unrated"])
    assert ours["rankings"] == expected["rankings"]
