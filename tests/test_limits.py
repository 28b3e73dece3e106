"""The numeric limits (app.models.limits) agree between the set-up forms, the importer and the
columns: at the limit a value is stored and read back exactly on SQLite and on PostgreSQL; one
step beyond, the form says so at the field and the importer names the path, never a 500."""

from __future__ import annotations

import json
import statistics
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Criterion, Review, Round, limits
from app.services import exchange
from app.services.results.ranking import rank_round
from app.services.scoring.reviews import review_total
from tests import factories
from tests.conftest import _reset_database
from tests.results_helpers import judge, review
from tests.test_exchange_roundtrip import rich_contest

SCALE = f"from {limits.SCORE_MIN:,} to {limits.SCORE_MAX:,}"


@pytest.fixture
def organiser(make):
    return make.user(email="org@example.org", name="Olga Organiser")


@pytest.fixture
def contest(make, organiser):
    return make.contest(slug="spring", organiser=organiser)


def _round_form(**overrides):
    data = {
        "key": "r1", "title_ru": "Тур", "title_en": "Round",
        "intake_opens_at": "2026-03-17T00:00", "intake_closes_at": "2026-04-30T23:59:00",
        "judging_opens_at": "2026-05-12T00:00", "judging_closes_at": "2026-06-02T23:59",
        "reviews_per_entry": "2", "method": "mean", "pass_mark": "60",
        "disagreement_threshold": "", "weight": "0.7",
    }
    data.update(overrides)
    return data


def _criterion_form(**overrides):
    data = {"key": "relevance", "title_ru": "Актуальность", "title_en": "Relevance",
            "weight": "2.0", "min_score": "0", "max_score": "10"}
    data.update(overrides)
    return data


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- the set-up forms -------------------------------------------------------------------------

ROUND_BEYOND = [
    ({"pass_mark": "1e11"}, "The number of points must be at most 9,999,999,999.99."),
    ({"pass_mark": "10000000000"}, "The number of points must be at most 9,999,999,999.99."),
    ({"pass_mark": "60.005"}, "The number of points may have at most two decimal places."),
    ({"pass_mark": "-1"}, "The number of points cannot be negative."),
    ({"disagreement_threshold": "99999999999"}, "The number of points must be at most 9,999,999,999.99."),
    ({"weight": "10000"}, "The weight must be at most 9,999.99."),
    ({"weight": "1234567890123456789012345678.125"}, "The weight must be at most 9,999.99."),
    ({"reviews_per_entry": "51"}, "Enter a whole number from 1 to 50."),
    ({"reviews_per_entry": "99999999999"}, "Enter a whole number from 1 to 50."),
]


@pytest.mark.parametrize(("overrides", "message"), ROUND_BEYOND, ids=[str(o) for o, _m in ROUND_BEYOND])
def test_round_form_refuses_numbers_beyond_the_columns_at_the_field(client, login, contest, organiser,
                                                                     overrides, message):
    login(organiser)
    response = client.post("/manage/spring/rounds/new", data=_round_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    (name, typed), = overrides.items()
    assert f'value="{typed}"' in page  # nothing typed is lost
    assert _count(Round) == 0


CRITERION_BEYOND = [
    ({"max_score": "99999999999"}, f"Enter a whole number {SCALE}."),
    ({"min_score": "-99999999999"}, f"Enter a whole number {SCALE}."),
    ({"max_score": str(limits.SCORE_MAX + 1)}, f"Enter a whole number {SCALE}."),
    ({"weight": "10000"}, "The weight must be at most 9,999.99."),
    ({"weight": "1e30"}, "The weight must be at most 9,999.99."),
    # Each bound fits its column, but a total would not fit its own: 9,999.99 × 1,000,002.
    ({"weight": "9999.99", "max_score": "1000002"},
     "a review&#39;s total could reach 10,000,009,999.98; a total can be at most 9,999,999,999.99."),
    ({"weight": "9999.99", "min_score": "-1000002"}, "a review&#39;s total could fall to -10,000,009,999.98"),
]


@pytest.mark.parametrize(("overrides", "message"), CRITERION_BEYOND, ids=[str(o) for o, _m in CRITERION_BEYOND])
def test_criterion_form_refuses_numbers_beyond_the_columns_at_the_field(client, make, login, contest, organiser,
                                                                         overrides, message):
    round_ = make.round_(contest, criteria=[])
    login(organiser)
    response = client.post(f"/manage/spring/rounds/{round_.id}/criteria/new", data=_criterion_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert 'value="Relevance"' in page
    assert _count(Criterion) == 0


def test_criterion_form_counts_the_rounds_other_criteria(client, make, login, contest, organiser):
    round_ = make.round_(contest, criteria=[("big", "9999.99", 0, 1_000_000)])
    login(organiser)
    url = f"/manage/spring/rounds/{round_.id}/criteria/new"
    page = client.post(url, data=_criterion_form(key="small", weight="0.01", max_score="1000000")).get_data(
        as_text=True)
    assert "could reach 10,000,000,000" in page
    assert client.post(url, data=_criterion_form(key="small", weight="0.01", max_score="999999")).status_code == 302
    db.session.expire_all()
    assert round_.maximum == limits.TOTAL_MAX
    # Editing a criterion counts the others, not its own old values.
    small = round_.criteria[1]
    edit = f"/manage/spring/criteria/{small.id}/edit"
    assert client.post(edit, data=_criterion_form(key="small", weight="0.01", max_score="999999")).status_code == 302
    page = client.post(edit, data=_criterion_form(key="small", weight="0.02", max_score="999999")).get_data(
        as_text=True)
    assert "could reach" in page


def test_values_at_the_limits_are_stored_exactly_through_the_forms(client, make, login, contest, organiser):
    login(organiser)
    response = client.post("/manage/spring/rounds/new", data=_round_form(
        pass_mark=str(limits.POINTS_MAX), disagreement_threshold=str(limits.POINTS_MAX),
        weight=str(limits.WEIGHT_MAX), reviews_per_entry=str(limits.REVIEWS_PER_ENTRY_MAX)))
    assert response.status_code == 302
    round_ = db.session.scalar(sa.select(Round))
    url = f"/manage/spring/rounds/{round_.id}/criteria/new"
    assert client.post(url, data=_criterion_form(key="wide", weight="1", min_score=str(limits.SCORE_MIN),
                                                 max_score=str(limits.SCORE_MAX))).status_code == 302
    # The heaviest criterion that still fits beside it: 9,999.99 × 785,252 + 2,147,483,647 ≤ the limit.
    page = client.post(url, data=_criterion_form(key="heavy", weight=str(limits.WEIGHT_MAX), min_score="0",
                                                 max_score="785253")).get_data(as_text=True)
    assert "could reach 10,000,005,794.47" in page
    assert client.post(url, data=_criterion_form(key="heavy", weight=str(limits.WEIGHT_MAX), min_score="0",
                                                 max_score="785252")).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Round, round_.id)
    assert (stored.pass_mark, stored.disagreement_threshold) == (limits.POINTS_MAX, limits.POINTS_MAX)
    assert (stored.weight, stored.reviews_per_entry) == (limits.WEIGHT_MAX, limits.REVIEWS_PER_ENTRY_MAX)
    wide, heavy = stored.criteria
    assert (wide.min_score, wide.max_score, heavy.weight) == (limits.SCORE_MIN, limits.SCORE_MAX, limits.WEIGHT_MAX)
    # The highest and lowest totals this round allows, written to the total column and read back.
    judge_user = judge(stored)
    highest = factories.entry(contest, rounds=[stored])
    lowest = factories.entry(contest, rounds=[stored])
    review(stored, highest, judge_user, [limits.SCORE_MAX, 785252])
    review(stored, lowest, judge_user, [limits.SCORE_MIN, 0])
    db.session.expire_all()
    totals = dict(db.session.execute(sa.select(Review.entry_id, Review.total)).all())
    assert totals == {highest.id: Decimal("9999995794.48"), lowest.id: Decimal(limits.SCORE_MIN)}


def test_total_column_holds_the_limit_on_both_sides(app, make, contest):
    round_ = make.round_(contest, criteria=[("big", "9999.99", -1_000_000, 1_000_000),
                                            ("small", "0.01", -999_999, 999_999)])
    assert review_total(criteria=round_.criteria, values={round_.criteria[0].id: 1_000_000,
                                                          round_.criteria[1].id: 999_999}) == limits.TOTAL_MAX
    judge_user = judge(round_)
    top, bottom = (factories.entry(contest, rounds=[round_]) for _ in range(2))
    review(round_, top, judge_user, [1_000_000, 999_999])
    review(round_, bottom, judge_user, [-1_000_000, -999_999])
    db.session.expire_all()
    totals = dict(db.session.execute(sa.select(Review.entry_id, Review.total)).all())
    assert totals == {top.id: limits.TOTAL_MAX, bottom.id: -limits.TOTAL_MAX}
    ranking = rank_round(round_)
    assert [row.score for row in ranking.rows] == [Fraction(limits.TOTAL_MAX), -Fraction(limits.TOTAL_MAX)]
    assert [row.display_score for row in ranking.rows] == [limits.TOTAL_MAX, -limits.TOTAL_MAX]


# --- the importer -----------------------------------------------------------------------------

@pytest.fixture
def document(app):
    exported = json.loads(exchange.export_json(rich_contest()))
    db.session.remove()
    _reset_database()
    return exported


def _experts(document) -> dict:
    return document["rounds"][0]


def test_import_at_the_limits_is_stored_exactly(document):
    experts = _experts(document)
    experts.update(pass_mark=str(limits.POINTS_MAX), disagreement_threshold=str(limits.POINTS_MAX),
                   weight=str(limits.WEIGHT_MAX), reviews_per_entry=limits.REVIEWS_PER_ENTRY_MAX)
    # Σ w·max = 9,999,990,000 + 9,999.98 + 0.01 and Σ w·min = −9,999,990,000 − 9,999.99: both at the limit.
    experts["criteria"][0].update(weight=str(limits.WEIGHT_MAX), min=-1_000_000, max=1_000_000)
    experts["criteria"][1].update(weight="0.01", min=-999_999, max=999_998)
    experts["criteria"][2].update(weight="0.01", min=0, max=1)
    for item in document["reviews"]:
        if item["round"] == "experts" and item["status"] == "submitted":
            item["scores"] = {"relevance": 1_000_000, "coherence": 999_998, "budget": 1}
    document["rounds"][1]["criteria"][0].update(min=limits.SCORE_MIN, max=limits.SCORE_MAX)
    document["jury"][0]["max_load"] = limits.MAX_LOAD_MAX
    contest = exchange.import_contest(document)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalar(sa.select(Round).where(Round.contest_id == contest.id, Round.key == "experts"))
    assert (stored.pass_mark, stored.weight, stored.reviews_per_entry) == (
        limits.POINTS_MAX, limits.WEIGHT_MAX, limits.REVIEWS_PER_ENTRY_MAX)
    defence = db.session.scalar(sa.select(Round).where(Round.contest_id == contest.id, Round.key == "defence"))
    assert (defence.criteria[0].min_score, defence.criteria[0].max_score) == (limits.SCORE_MIN, limits.SCORE_MAX)
    totals = set(db.session.scalars(sa.select(Review.total).where(Review.round_id == stored.id,
                                                                 Review.status == "submitted")))
    assert totals == {limits.TOTAL_MAX}


IMPORT_BEYOND = [
    (("rounds", 0, "pass_mark"), "10000000000",
     "rounds[0].pass_mark: The number of points must be at most 9,999,999,999.99."),
    (("rounds", 0, "disagreement_threshold"), "1e11",
     "rounds[0].disagreement_threshold: The number of points must be at most 9,999,999,999.99."),
    (("rounds", 0, "weight"), "10000", "rounds[0].weight: The weight must be at most 9,999.99."),
    (("rounds", 0, "reviews_per_entry"), 51, "rounds[0].reviews_per_entry: 51 is above the maximum 50"),
    (("rounds", 0, "criteria", 1, "max"), limits.SCORE_MAX + 1,
     f"rounds[0].criteria[1].max: {limits.SCORE_MAX + 1} is above the maximum {limits.SCORE_MAX}"),
    (("rounds", 0, "criteria", 1, "min"), limits.SCORE_MIN - 1,
     f"rounds[0].criteria[1].min: {limits.SCORE_MIN - 1} is below the minimum {limits.SCORE_MIN}"),
    (("jury", 0, "max_load"), limits.MAX_LOAD_MAX + 1,
     f"jury[0].max_load: {limits.MAX_LOAD_MAX + 1} is above the maximum {limits.MAX_LOAD_MAX}"),
]


@pytest.mark.parametrize(("path", "value", "message"), IMPORT_BEYOND,
                         ids=[m.split(":")[0] for _p, _v, m in IMPORT_BEYOND])
def test_import_refuses_numbers_beyond_the_columns(document, path, value, message):
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(document)
    db.session.rollback()
    assert str(error.value) == message
    assert _count(Round) == 0


# The experts round: relevance 2 × 0…10, coherence 1.5 × 0…10, budget 0.25 × 1…5.
ROUND_TOTALS_BEYOND = [
    ({1: {"weight": "9999.99", "max": 1_000_002}}, "rounds[0].criteria[1].max", "could reach 10,000,010,021.23"),
    ({1: {"weight": "9999.99", "min": -1_000_002}}, "rounds[0].criteria[1].min",
     "could fall to -10,000,009,999.73"),
    # 20 + 9,999,990,000 fits; the third criterion, 0.25 × 40,000, takes it past.
    ({1: {"weight": "9999.99", "max": 1_000_000}, 2: {"max": 40_000}}, "rounds[0].criteria[2].max",
     "could reach 10,000,000,020"),
    ({1: {"weight": "4.66", "max": limits.SCORE_MAX}}, "rounds[0].criteria[1].max", "could reach 10,007,273,816.27"),
]


@pytest.mark.parametrize(("changes", "path", "words"), ROUND_TOTALS_BEYOND,
                         ids=[p for _c, p, _w in ROUND_TOTALS_BEYOND])
def test_import_refuses_a_round_whose_totals_would_not_fit(document, changes, path, words):
    for index, values in changes.items():
        _experts(document)["criteria"][index].update(values)
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(document)
    db.session.rollback()
    assert error.value.path == path
    assert words in error.value.message
    assert _count(Round) == 0


# --- z-scores at the largest scale ------------------------------------------------------------

def test_zscore_on_the_largest_accepted_scale(app, make, contest):
    # One criterion on the widest scale with the largest weight that keeps totals in their column.
    round_ = make.round_(contest, method="zscore", criteria=[("points", "4.65", 0, limits.SCORE_MAX)])
    judges = [judge(round_), judge(round_)]
    entries = [factories.entry(contest, rounds=[round_]) for _ in range(3)]
    given = {0: [limits.SCORE_MAX, limits.SCORE_MAX // 2, 0], 1: [limits.SCORE_MAX - 1, 1000, 7]}
    for j, scores in given.items():
        for entry, score in zip(entries, scores, strict=True):
            review(round_, entry, judges[j], [score])
    totals = {(j, e): Fraction(Decimal("4.65")) * score for j, scores in given.items()
              for e, score in enumerate(scores)}

    def mean_sd(values):
        mean = sum(values) / len(values)
        return mean, statistics.pstdev([float(v - mean) for v in values])

    judge_stats = {j: mean_sd([totals[j, e] for e in range(3)]) for j in given}
    mu, sigma = mean_sd(list(totals.values()))
    expected = {}
    for e, entry in enumerate(entries):
        z = [float(totals[j, e] - judge_stats[j][0]) / judge_stats[j][1] for j in given]
        expected[entry.number] = float(mu) + sigma * statistics.fmean(z)
    ranking = rank_round(round_)
    assert {row.number: row.score for row in ranking.rows} == pytest.approx(expected, abs=1e-3)
    assert [row.number for row in ranking.rows] == [entries[0].number, entries[1].number, entries[2].number]
