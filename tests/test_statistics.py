"""A round's statistics (issue 20): Krippendorff's alpha, judge severity, plausible places, the page,
the export and the frozen snapshot's seed and count."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from decimal import Decimal

import krippendorff
import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import RankingSnapshot, Review, Score
from app.services.results import finalising, outcomes
from app.services.results.reading import STATISTICS_RESAMPLES, STATISTICS_SEED
from app.services.scoring.reviews import review_total
from app.services.statistics import agreement, severity, uncertainty
from app.services.statistics.export import results_document_with_statistics
from app.services.statistics.report import (
    CUT_LINES,
    register_cut_line,
    round_statistics,
    sorted_places,
    statistics_document,
)
from tests import factories
from tests.results_helpers import judge

NAN = np.nan

# K. Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), C: four observers, twelve
# units, missing values. Published: nominal .743, interval .849.
PAPER_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
# Same paper, A: two observers, binary data, ten units; α = .095 (binary: interval = nominal).
PAPER_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]


def _units_values(matrix):
    data = np.array(matrix, dtype=np.float64)
    return np.tile(np.arange(data.shape[1]), data.shape[0]), data.ravel(), data.shape[1]


def test_alpha_interval_on_krippendorffs_worked_example_c():
    units, values, n = _units_values(PAPER_C)
    assert round(agreement.interval_alpha(units, values, n), 3) == 0.849
    assert round(agreement.library_alpha(units, values, n, 1, 5), 3) == 0.849


def test_alpha_on_krippendorffs_binary_example_a():
    units, values, n = _units_values(PAPER_A)
    assert round(agreement.interval_alpha(units, values, n), 3) == 0.095
    assert round(agreement.library_alpha(units, values, n, 0, 1), 3) == 0.095


def test_alpha_undefined_without_pairable_values_or_variation():
    assert np.isnan(agreement.interval_alpha(np.array([0, 1]), np.array([3.0, 4.0]), 2))  # no unit has two
    assert np.isnan(agreement.interval_alpha(np.array([0, 0, 1, 1]), np.array([3.0, 3.0, 3.0, 3.0]), 2))
    assert agreement.reading_band(float("nan")) == "none"
    assert [agreement.reading_band(a) for a in (0.9, 0.7, 0.5, 0.1)] == ["high", "tentative", "moderate", "low"]


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_alpha_closed_form_equals_the_krippendorff_package_on_incomplete_designs(seed):
    rng = np.random.default_rng(seed)
    coders, units = rng.integers(2, 6), rng.integers(3, 15)
    data = rng.integers(0, 6, size=(coders, units)).astype(np.float64)
    data[rng.random(data.shape) < 0.4] = np.nan
    u, v, n = _units_values(data)
    ours = agreement.interval_alpha(u, v, n)
    if np.isnan(ours):
        assert np.isnan(agreement.library_alpha(u, v, n, 0, 5))
        return  # undefined (the package itself would divide by zero or refuse)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    assert ours == pytest.approx(expected, abs=1e-9)
    assert agreement.library_alpha(u, v, n, 0, 5) == pytest.approx(expected, abs=1e-9)


def test_alpha_bootstrap_interval_holds_the_estimate():
    rng = np.random.default_rng(5)
    quality = rng.normal(5, 2, 300)
    units = np.repeat(np.arange(300), 3)
    values = quality[units] + rng.normal(0, 1, len(units))
    sums = agreement.unit_sums(units, values, 300)
    boot = agreement.bootstrap_alphas([sums], 300, 400, np.random.default_rng(1))[:, 0]
    alpha = agreement.interval_alpha(units, values, 300)
    low, high = np.percentile(boot, [2.5, 97.5])
    assert low < alpha < high and high - low < 0.15
    assert alpha == pytest.approx(0.8, abs=0.05)  # 4 / (4 + 1)


# --- the additive model -----------------------------------------------------------------------

def _simulate(seed, entries=300, judges=30, per_entry=3, offset_sd=3.0, noise=4.0, quality_sd=6.0):
    rng = np.random.default_rng(seed)
    quality = rng.normal(50, quality_sd, entries)
    offsets = rng.normal(0, offset_sd, judges)
    entry = np.repeat(np.arange(entries), per_entry)
    judge_of = np.concatenate([rng.choice(judges, per_entry, replace=False) for _ in range(entries)])
    totals = quality[entry] + offsets[judge_of] + rng.normal(0, noise, len(entry))
    return quality, offsets, entry, judge_of, totals


def test_severity_recovers_planted_offsets():
    _quality, offsets, entry, judge_of, totals = _simulate(11, entries=600, judges=40)
    fit = severity.fit_severity(entry, judge_of, totals, 600, 40)
    planted = offsets - offsets.mean()  # only differences between judges are estimable
    assert np.abs(fit.offsets - planted).max() < 2.5
    assert np.mean(np.abs(fit.offsets - planted) <= 2 * fit.errors) >= 0.9  # the errors are honest
    assert fit.sigma == pytest.approx(4.0, rel=0.1)
    assert fit.groups == 1


def test_severity_flags_a_lenient_judge_with_its_numbers():
    _quality, offsets, entry, judge_of, totals = _simulate(12, entries=400, judges=20, offset_sd=0.5)
    totals = totals + np.where(judge_of == 3, 12.0, 0.0)
    fit = severity.fit_severity(entry, judge_of, totals, 400, 20, maximum=100.0)
    flagged = [i for i, flags in enumerate(fit.flags) if flags]
    assert flagged == [3]
    flag = fit.flags[3][0]
    assert flag["reason"] == "lenient" and flag["beyond"] == pytest.approx(12, abs=2.5) and flag["z"] >= flag["bar"]


def test_severity_bar_rises_with_the_jury():
    assert severity.flag_bar(10) == 3.0
    assert severity.flag_bar(800) == pytest.approx(4.0, abs=0.1)


def test_zscore_corrections_by_hand():
    # Judge 0 gives 10 and 20, judge 1 gives 30 and 50; round μ = 27.5, σ = √218.75.
    judge_of = np.array([0, 0, 1, 1])
    totals = np.array([10.0, 20.0, 30.0, 50.0])
    signed, size = severity.zscore_corrections(judge_of, totals, 2)
    sigma = np.sqrt(218.75)
    expected0 = np.mean([27.5 - sigma - 10, 27.5 + sigma - 20])
    assert signed[0] == pytest.approx(expected0)
    assert size[0] == pytest.approx(np.mean([abs(27.5 - sigma - 10), abs(27.5 + sigma - 20)]))


# --- plausible places -------------------------------------------------------------------------

def _intervals(seed, resamples=300):
    quality, _offsets, entry, judge_of, totals = _simulate(seed, entries=150, judges=25)
    fit = severity.fit_severity(entry, judge_of, totals, 150, 25)
    scores = np.bincount(entry, weights=totals) / 3
    deviations = fit.offsets[judge_of] + np.sqrt(len(totals) / fit.dof) * fit.residuals
    low, high = uncertainty.place_intervals(scores, np.zeros(150, dtype=np.int64), entry, deviations, resamples,
                                            np.random.default_rng(seed + 1000))
    true_place = np.empty(150, dtype=np.int64)
    true_place[np.argsort(-quality)] = np.arange(1, 151)
    return low, high, true_place


def test_place_intervals_cover_the_true_place_in_simulated_contests():
    covered = []
    for seed in range(8):
        low, high, true_place = _intervals(seed)
        covered.append(np.mean((low <= true_place) & (true_place <= high)))
    assert np.mean(covered) >= 0.9


def test_place_intervals_are_deterministic_with_a_seed():
    first, second = _intervals(3), _intervals(3)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_straddling_entries_of_a_cut_line():
    low, high = np.array([1, 1, 2, 4, 5]), np.array([2, 4, 5, 5, 5])
    assert uncertainty.straddling(low, high, 3).tolist() == [1, 2]
    assert uncertainty.straddling(low, high, 5).tolist() == []


# --- a round in the database ------------------------------------------------------------------

class Round:
    """Forty entries in two nominations, eight judges (one lenient by four points a criterion), three
    reviews each, written in one commit."""

    def __init__(self, *, entries: int = 40, lenient: int = 4, pass_mark: str | None = "20"):
        self.organiser = factories.user(name="Organiser")
        self.contest = factories.contest(organiser=self.organiser, nominations=2)
        self.round = factories.round_(self.contest, key="experts",
                                      criteria=[("a", "2", 0, 10), ("b", "1", 0, 10)],
                                      pass_mark=Decimal(pass_mark) if pass_mark else None)
        self.next = factories.round_(self.contest, key="defence", criteria=[("c", "1", 0, 10)])
        self.judges = [judge(self.round, factories.user(name=f"Judge {i}")) for i in range(8)]
        nominations = self.contest.nominations
        self.entries = [factories.entry(self.contest, nomination=nominations[i % 2], rounds=[self.round])
                        for i in range(entries)]
        rng = random.Random(7)
        criteria = list(self.round.criteria)
        moment = factories.NOW + timedelta(days=12)
        for index, entry in enumerate(self.entries):
            level = 2 + 6 * index / entries + rng.gauss(0, 0.8)
            for j in rng.sample(range(8), 3):
                values = {c.id: max(0, min(10, round(level + rng.gauss(0, 1) + (lenient if j == 0 else 0))))
                          for c in criteria}
                review = Review(round_id=self.round.id, entry_id=entry.id, judge_id=self.judges[j].id,
                                status="submitted", updated_at=moment, submitted_at=moment,
                                total=review_total(criteria=criteria, values=values))
                review.scores = [Score(criterion_id=c.id, scale_min=c.min_score, scale_max=c.max_score,
                                       value=values[c.id]) for c in criteria]
                db.session.add(review)
        db.session.commit()


def test_round_statistics_reads_agreement_severity_and_places(app):
    r = Round()
    stats = round_statistics(r.round, resamples=200)
    assert [row.key for row in stats.alpha] == ["a", "b", "total"]
    assert all(row.value is not None and row.low <= row.value <= row.high for row in stats.alpha)
    assert stats.reviews == 120
    flagged = stats.flagged_judges
    assert [j.name for j in flagged] == ["Judge 0"] and flagged[0].flags[0]["reason"] == "lenient"
    assert stats.zscore_most[0].name == "Judge 0"
    ranking = stats.ranking
    assert len(stats.places) == len(ranking.rated)
    by_entry = {row.entry_id: row for row in ranking.rated}
    for place in stats.places:
        assert place.low <= by_entry[place.entry_id].rank <= place.high or place.low <= place.high
        assert place.rank == by_entry[place.entry_id].rank  # the official rank is untouched
    pass_lines = [cut for cut in stats.cuts if cut.kind == "pass_mark"]
    assert pass_lines and all(cut.after_place >= 1 for cut in pass_lines)


def test_round_statistics_does_not_change_the_official_ranking(app):
    r = Round()
    before = [(row.entry_id, row.rank, row.score) for row in outcomes.round_results(r.round).rows] \
        if hasattr(outcomes, "round_results") else None
    round_statistics(r.round, resamples=50)
    after = [(row.entry_id, row.rank, row.score) for row in outcomes.round_results(r.round).rows]
    assert before == after


def test_round_statistics_same_seed_same_figures(app):
    r = Round()
    one = statistics_document(round_statistics(r.round, seed=9, resamples=100))
    two = statistics_document(round_statistics(r.round, seed=9, resamples=100))
    other = statistics_document(round_statistics(r.round, seed=10, resamples=100))
    assert one == two
    assert one["alpha_intervals"] != other["alpha_intervals"]


def test_cut_lines_at_advancement_and_a_new_kind(app):
    r = Round()
    outcomes.finalise_round(r.round, actor=r.organiser, confirmed=set(finalising.ITEM_KEYS), reason="test")
    outcomes.advance_entries(r.round, mode="top", count=5, actor=r.organiser)
    db.session.commit()
    register_cut_line("test_fund", "fund", lambda ranking: [(ranking.nominations[0].id, 2)])
    try:
        stats = round_statistics(r.round, resamples=200)
        kinds = [(cut.kind, cut.after_place) for cut in stats.cuts if cut.nomination_id == r.contest.nominations[0].id]
        assert ("advancement", 5) in kinds and ("test_fund", 2) in kinds
        tie = next(cut for cut in stats.cuts if cut.kind == "advancement" and cut.tied)
        assert tie.first <= 5 < tie.last
        marked = {p.entry_id for p in stats.places if "advancement" in p.ties}
        assert marked and set(tie.entries) <= marked
        ties_only = sorted_places(stats, show="ties")
        assert ties_only and all(p.ties for p in ties_only)
        widest = sorted_places(stats, sort="width")
        assert widest[0].width == max(p.width for p in stats.places)
    finally:
        del CUT_LINES["test_fund"]


# --- the frozen snapshot: seed and count ------------------------------------------------------

def test_finalised_round_stores_seed_and_count_and_gives_the_same_figures(app):
    r = Round()
    live = round_statistics(r.round, resamples=100)
    assert (live.seed, live.resamples, live.stored) == (STATISTICS_SEED, 100, False)
    outcomes.finalise_round(r.round, actor=r.organiser, confirmed=set(finalising.ITEM_KEYS), reason="test")
    db.session.commit()
    snapshot = db.session.scalar(sa.select(RankingSnapshot).where(RankingSnapshot.superseded_at.is_(None)))
    assert snapshot.data["statistics"] == {"seed": STATISTICS_SEED, "resamples": STATISTICS_RESAMPLES}
    # A stored seed and count are what the frozen figures use.
    snapshot.data = {**snapshot.data, "statistics": {"seed": 77, "resamples": 120}}
    db.session.commit()
    frozen = round_statistics(r.round)
    assert (frozen.seed, frozen.resamples, frozen.stored) == (77, 120, True)
    again = round_statistics(r.round)
    assert statistics_document(frozen) == statistics_document(again)
    assert statistics_document(frozen) == statistics_document(round_statistics(r.round, seed=77, resamples=120))
    # Reopened: live again, the settings in force; finalised again: stored again.
    outcomes.reopen_round(r.round, actor=r.organiser, reason="a late review")
    db.session.commit()
    reopened = round_statistics(r.round, resamples=50)
    assert reopened.stored is False and reopened.seed == STATISTICS_SEED
    outcomes.finalise_round(r.round, actor=r.organiser, confirmed=set(finalising.ITEM_KEYS), reason="again")
    db.session.commit()
    refinalised = round_statistics(r.round)
    assert refinalised.stored is True and (refinalised.seed, refinalised.resamples) == (
        STATISTICS_SEED, STATISTICS_RESAMPLES)


def test_snapshot_without_statistics_falls_back_to_the_settings_in_force(app):
    r = Round()
    outcomes.finalise_round(r.round, actor=r.organiser, confirmed=set(finalising.ITEM_KEYS), reason="test")
    snapshot = db.session.scalar(sa.select(RankingSnapshot))
    snapshot.data = {key: value for key, value in snapshot.data.items() if key != "statistics"}
    db.session.commit()
    stats = round_statistics(r.round, resamples=50)
    assert stats.stored is False and stats.seed == STATISTICS_SEED


# --- exports ------------------------------------------------------------------------------------

def test_results_json_carries_the_statistics_as_the_exchange_says(app, runner):
    r = Round(entries=12)
    result = runner.invoke(args=["results", r.contest.slug, "experts"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    statistics = document["statistics"]
    assert document["version"] == 2
    assert set(statistics["alpha"]) == {"total", "a", "b"} and list(statistics["alpha"])[0] == "total"
    assert {"email", "offset", "flagged"} <= set(statistics["judges"][0])
    assert {"entry", "low", "high"} <= set(statistics["ranks"][0])
    assert statistics["resamples"] == STATISTICS_RESAMPLES and statistics["seed"] == STATISTICS_SEED
    assert document == results_document_with_statistics(r.round)


def test_contest_export_import_keeps_the_snapshot_seed(app):
    from app.services import exchange

    r = Round(entries=6)
    outcomes.finalise_round(r.round, actor=r.organiser, confirmed=set(finalising.ITEM_KEYS), reason="test")
    db.session.commit()
    document = exchange.export_contest(r.contest)
    snapshot = document["snapshots"][0]["ranking"]
    assert snapshot["statistics"] == {"seed": STATISTICS_SEED, "resamples": STATISTICS_RESAMPLES}
    document["contest"]["slug"] = "copy"
    copy = exchange.import_contest(json.loads(json.dumps(document)), actor=None)
    db.session.commit()
    imported = db.session.scalar(sa.select(RankingSnapshot).where(RankingSnapshot.round_id == copy.rounds[0].id))
    assert imported.data["statistics"] == {"seed": STATISTICS_SEED, "resamples": STATISTICS_RESAMPLES}
    document["contest"]["slug"] = "another"
    snapshot["statistics"] = {"seed": 1, "resamples": 10 ** 9}
    with pytest.raises(exchange.ExchangeError) as refused:
        exchange.validate_document(json.loads(json.dumps(document)))
    assert "statistics.resamples" in str(refused.value)


# --- the page -----------------------------------------------------------------------------------

def _page(r):
    return f"/manage/{r.contest.slug}/results/{r.round.id}/statistics"


def test_statistics_page_in_english(client, login):
    r = Round()
    login(r.organiser)
    page = client.get(_page(r), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Agreement between judges" in page and "Judge severity" in page and "Plausible places" in page
    assert "Judge 0" in page and "lenient:" in page
    assert f"seed {STATISTICS_SEED}" in page
    assert "cannot be told apart" in page or "clear:" in page
    assert "<script>" not in page


def test_statistics_page_in_russian(client, login):
    r = Round()
    r.organiser.locale = "ru"
    db.session.commit()
    login(r.organiser)
    page = client.get(_page(r)).get_data(as_text=True)
    assert "Согласованность экспертов" in page and "Строгость экспертов" in page and "мягкий:" in page
    assert "Agreement between judges" not in page


def test_statistics_page_sort_filter_and_pages(client, login):
    r = Round()
    login(r.organiser)
    for query in ("?sort=width", "?sort=low&show=ties", "?show=uncertain&page=9", "?scope=round", "?sort=x&show=y",
                  "?judges=5", "?page=-1"):
        assert client.get(_page(r) + query).status_code == 200, query
    assert client.get(f"/manage/{r.contest.slug}/results/999999/statistics").status_code == 404


def test_statistics_page_refused_to_judges_and_other_organisers(client, login):
    r = Round()
    login(r.judges[1])
    assert client.get(_page(r)).status_code == 403
    other = factories.user(name="Other")
    factories.contest(organiser=other)
    client.post("/auth/logout")
    login(other)
    assert client.get(_page(r)).status_code == 403


def test_statistics_page_query_count(client, login, count_queries):
    r = Round()
    login(r.organiser)
    client.get(_page(r))
    with count_queries() as small:
        client.get(_page(r))
    more = Round(entries=80)
    login(more.organiser)
    client.get(_page(more))
    with count_queries() as large:
        client.get(_page(more))
    assert small.count == large.count
    assert large.count <= 20, large.statements


def test_the_demo_round_shows_a_flagged_judge_and_a_tie_at_the_advancement_line(app, freeze):
    from app.models import Contest
    from app.services.demo import seed_demo

    seed_demo()
    db.session.commit()
    contest = db.session.scalar(sa.select(Contest).where(Contest.slug == "formula-2026"))
    stats = round_statistics(contest.rounds[0])
    assert stats.stored and stats.flagged_judges
    assert any(cut.kind == "advancement" and cut.tied for cut in stats.cuts)
    assert all(row.value is not None for row in stats.alpha)


# --- the spreadsheets ----------------------------------------------------------------------------

def test_statistics_xlsx_has_three_sheets_of_real_numbers(client, login):
    import io

    from openpyxl import load_workbook

    r = Round()
    login(r.organiser)
    response = client.get(_page(r) + ".xlsx")
    assert response.status_code == 200 and "statistics.xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Plausible places", "Judges", "Agreement"]
    places = list(workbook["Plausible places"].iter_rows(values_only=True))
    assert places[0][:3] == ("Place", "No.", "Title") and len(places) == 1 + len(r.entries)
    assert all(isinstance(row[5], int) and isinstance(row[6], int) and row[5] <= row[6] for row in places[1:])
    judges = list(workbook["Judges"].iter_rows(values_only=True))
    lenient = next(row for row in judges if row[0] == "Judge 0")
    assert isinstance(lenient[3], float) and lenient[3] > 0 and lenient[7].startswith("lenient:")
    agreement = list(workbook["Agreement"].iter_rows(values_only=True))
    assert [row[0] for row in agreement[1:]][-1] and all(isinstance(row[1], float) for row in agreement[1:])
    assert workbook["Judges"].freeze_panes == "A2"


def test_statistics_csv_in_the_readers_conventions(client, login):
    r = Round()
    r.organiser.locale = "ru"
    db.session.commit()
    login(r.organiser)
    text = client.get(_page(r) + "-judges.csv").get_data(as_text=True)
    assert text.startswith("\ufeffЭксперт;")
    row = next(line for line in text.splitlines() if line.startswith("Judge 0;"))
    assert "мягкий:" in row and "," in row.split(";")[3]  # a decimal comma for a Russian reader
    assert client.get(_page(r) + "-places.csv").status_code == 200
    assert client.get(_page(r) + "-agreement.csv").status_code == 200
    assert client.get(_page(r) + "-secrets.csv").status_code == 404
    client.post("/auth/logout")
    login(r.judges[1])
    assert client.get(_page(r) + "-judges.csv").status_code == 403
    assert client.get(_page(r) + ".xlsx").status_code == 403
