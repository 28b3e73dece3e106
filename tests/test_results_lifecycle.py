"""Issue 15 "Finalised means final": one test per observation 1–8, each failing before the change.

The lifecycle of a round (DESIGN §3a): what a judge and an organiser may change in each state,
and that every reading of a finalised round comes from its frozen snapshot.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Criterion, Review, TieBreak
from app.services.platform import mail
from app.services.results import export as results_export
from app.services.results import outcomes as results_service
from app.services.results.outcomes import ResultsError
from app.services.results.reading import round_results
from app.services.scoring import reviews as scoring
from tests import factories
from tests import scoring_helpers as sh
from tests.results_helpers import Scored, review


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _finalise_anyway(round_, actor):
    """Finalises with every open item ticked (the organiser's eyes open), as a test's set-up."""
    from app.services.results import finalising

    items = finalising.finalise_checklist(round_)
    results_service.finalise_round(round_, actor=actor, confirmed={item.key for item in items},
                                   reason="test set-up" if items else "")
    db.session.commit()


# --- 1. a finalised round is frozen for judges ---------------------------------------------------

def test_judge_cannot_change_a_review_after_its_round_is_finalised(client, login, freeze):
    s = sh.scene(entries=2)
    freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(), data=sh.form(s.round, [5, 5], action="submit"))
    _finalise_anyway(s.round, s.organiser)

    revised = client.post(s.url(), data=sh.form(s.round, [9, 9], action="submit"))
    assert revised.status_code == 403
    assert "finalised" in revised.get_data(as_text=True)
    autosave = client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [1, 1]))
    assert autosave.status_code == 403 and autosave.get_json()["status"] == "finalised"
    # A new review in the finalised round is refused as well, on the page and in the service.
    fresh = client.post(s.url(s.entries[1]), data=sh.form(s.round, [7, 7], action="submit"))
    assert fresh.status_code == 403
    try:
        scoring.submit_review(round_=s.round, entry=s.entries[1], judge=s.judge,
                              data=scoring.ReviewInput(scores={c.id: 7 for c in s.round.criteria}))
        raise AssertionError("a review was accepted in a finalised round")
    except scoring.ScoringError as error:
        assert "finalised" in str(error)
    totals = db.session.scalars(sa.select(Review.total).where(Review.status == "submitted")).all()
    assert [Decimal(t) for t in totals] == [Decimal(15)]
    dashboard = client.get("/jury/").get_data(as_text=True)
    assert "Finalised: results are frozen" in dashboard and "Judging is open" not in dashboard


# --- 2. one source of truth --------------------------------------------------------------------

def test_every_reading_of_a_finalised_round_comes_from_its_snapshot(client, login):
    s = Scored(entries_per_nomination=2)
    _finalise_anyway(s.round1, s.organiser)
    first, second = s.entries[0], s.entries[1]
    frozen = {row.entry_id: (row.rank, row.display_score) for row in round_results(s.round1).rows}
    assert frozen[first.id][0] == 1 and frozen[second.id][0] == 2
    # A review that reaches the tables behind the services' back (an old import, a bug) must not
    # move any reading of the frozen round: it would make the second entry first.
    review(s.round1, second, factories.user(name="Late judge"), [10, 10])
    assert {row.entry_id: (row.rank, row.display_score) for row in round_results(s.round1).rows} == frozen
    rows = list(csv.reader(io.StringIO(results_export.results_csv(s.round1).lstrip("\ufeff"))))
    by_number = {int(row[3]): row for row in rows[1:]}
    assert by_number[first.number][2] == "1" and by_number[second.number][2] == "2"
    # The criterion columns of the CSV add up to the total (mean method, frozen means).
    for row in rows[1:]:
        if row[6]:
            assert sum(Decimal(v) for v in row[12:]) == Decimal(row[6])
    document = results_export.results_document(s.round1)
    assert [(r["entry"], r["rank"]) for r in document["rankings"]][:2] == [(first.number, 1), (second.number, 2)]
    created = results_service.award_places(s.contest, places=1, actor=s.organiser)
    assert {a.entry_id: a.place for a in created}[first.id] == 1
    results_service.publish_results(s.contest, actor=s.organiser, notify=False)
    db.session.commit()
    login(s.organiser)
    manage = client.get(f"/manage/{s.contest.slug}/results?round={s.round1.id}").get_data(as_text=True)
    assert manage.index(first.title) < manage.index(second.title)
    login(first.entrant)
    page = client.get(f"/c/{s.contest.slug}/results/entry/{first.id}").get_data(as_text=True)
    assert "rank 1 of 2 in the nomination" in page and "Place 1 in the nomination" in page
    shown = Decimal(str(frozen[first.id][1]))
    assert f">{shown}<" in page.replace(" ", "")


# --- 3. a weight change after reviews recomputes every stored total, audited ---------------------

def test_weight_change_in_progress_recomputes_totals_tells_judges_and_is_audited(client, login):
    s = Scored(entries_per_nomination=1)
    criterion = s.round1.criteria[0]
    login(s.organiser)
    url = f"/manage/{s.contest.slug}/criteria/{criterion.id}/edit"
    data = {"key": criterion.key, "title_ru": "a", "title_en": "a", "weight": "3", "min_score": "0",
            "max_score": "10"}
    silent = client.post(url, data=data)
    assert silent.status_code == 200 and "give the reason" in silent.get_data(as_text=True)
    db.session.expire_all()
    assert criterion.weight == Decimal(2)

    mail.outbox.clear()
    client.post(url, data={**data, "rules_change_reason": "The board raised relevance"})
    db.session.expire_all()
    assert criterion.weight == Decimal(3)
    for stored in db.session.scalars(sa.select(Review).where(Review.status == "submitted")):
        values, _comments = scoring.review_values(stored)
        assert Decimal(stored.total) == scoring.review_total(criteria=s.round1.criteria, values=values)
    ranking = round_results(s.round1)
    means = ranking.weighted_means(list(s.round1.criteria))
    for row in ranking.rated:
        assert sum(means[row.entry_id]) == row.display_score
    [event] = _events("round.rules_change")
    assert event.old["weight"] == "2" and event.new["weight"] == "3" and event.reason
    assert {m["to"] for m in mail.outbox} >= {j.email for j in s.judges}


def test_weight_of_a_finalised_round_cannot_change(client, login):
    s = Scored(entries_per_nomination=1)
    _finalise_anyway(s.round1, s.organiser)
    criterion = s.round1.criteria[0]
    login(s.organiser)
    page = client.post(f"/manage/{s.contest.slug}/criteria/{criterion.id}/edit", data={
        "key": criterion.key, "title_ru": "a", "title_en": "a", "weight": "50", "min_score": "0",
        "max_score": "10", "rules_change_reason": "why not"})
    assert "finalised" in page.get_data(as_text=True)
    db.session.expire_all()
    assert criterion.weight == Decimal(2)


# --- 4. a scored criterion is never deleted; a scale never narrowed below a score ---------------

def test_scored_criterion_cannot_be_deleted_and_scale_cannot_narrow_below_a_score(client, login):
    s = Scored(entries_per_nomination=1)
    criterion = s.round1.criteria[0]
    login(s.organiser)
    client.post(f"/manage/{s.contest.slug}/criteria/{criterion.id}/delete")
    db.session.expire_all()
    assert db.session.get(Criterion, criterion.id) is not None
    narrowed = client.post(f"/manage/{s.contest.slug}/criteria/{criterion.id}/edit", data={
        "key": criterion.key, "title_ru": "a", "title_en": "a", "weight": "2", "min_score": "0",
        "max_score": "5", "rules_change_reason": "smaller scale"})
    assert narrowed.status_code == 200
    assert "the scale must include them" in narrowed.get_data(as_text=True)
    db.session.expire_all()
    assert criterion.max_score == 10
    # Widening keeps every score inside the scale, so it is allowed (through the change action).
    client.post(f"/manage/{s.contest.slug}/criteria/{criterion.id}/edit", data={
        "key": criterion.key, "title_ru": "a", "title_en": "a", "weight": "2", "min_score": "0",
        "max_score": "20", "rules_change_reason": "wider scale"})
    db.session.expire_all()
    assert criterion.max_score == 20
    # A criterion cannot be added once judging has started.
    added = client.post(f"/manage/{s.contest.slug}/rounds/{s.round1.id}/criteria/new", data={
        "key": "new", "title_ru": "n", "title_en": "n", "weight": "1", "min_score": "0", "max_score": "10"})
    assert added.status_code == 302
    assert [c.key for c in s.round1.criteria] == ["a", "b"]


# --- 5. finalise with eyes open ------------------------------------------------------------------

def test_finalising_lists_open_items_and_needs_a_tick_each_and_a_reason(client, login, freeze):
    s = sh.scene(entries=3)
    freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(), data=sh.form(s.round, [5, 5], action="submit"))
    client.post(s.url(s.entries[1]), data=sh.form(s.round, [5, None], action="save"))
    login(s.organiser)
    url = f"/manage/{s.contest.slug}/results/{s.round.id}/finalise"
    page = client.get(url).get_data(as_text=True)
    assert "2 assigned reviews are not submitted" in page and "Judge One (2)" in page
    assert "The judging window is still open" in page and "1 judge has drafts" in page
    refused = client.post(url, data={"reason": "enough"})
    assert "Confirm each open item" in refused.get_data(as_text=True)
    ticks = {"confirm_missing_reviews": "y", "confirm_judging_open": "y", "confirm_drafts": "y"}
    no_reason = client.post(url, data=ticks)
    assert "Give the reason" in no_reason.get_data(as_text=True)
    db.session.expire_all()
    assert s.round.finalised_at is None
    mail.outbox.clear()
    client.post(url, data={**ticks, "reason": "The board meets tomorrow"})
    db.session.expire_all()
    assert s.round.finalised_at is not None
    [event] = _events("round.finalise")
    assert event.reason == "The board meets tomorrow"
    assert [item["item"] for item in event.new["open_items"]] == ["missing_reviews", "judging_open", "drafts"]
    assert [m["to"] for m in mail.outbox] == [s.judge.email]  # told the draft will not count


# --- 6. publication is an act ----------------------------------------------------------------------

def test_awards_after_publication_are_corrections_with_a_public_note_and_e_mail(client, login):
    s = Scored(entries_per_nomination=2)
    _finalise_anyway(s.round1, s.organiser)
    results_service.publish_results(s.contest, actor=s.organiser, notify=False)
    db.session.commit()
    try:
        results_service.add_award(s.contest, entry=s.entries[0], place=1, actor=s.organiser)
        raise AssertionError("an award was added silently after publication")
    except ResultsError as error:
        assert "correction" in str(error)
    db.session.rollback()
    mail.outbox.clear()
    login(s.organiser)
    client.post(f"/manage/{s.contest.slug}/awards", data={
        "entry_number": s.entries[0].number, "place": "1", "correction": "Place 1 was left out", "submit": "y"})
    [event] = _events("results.correct")
    assert event.reason == "Place 1 was left out" and event.new["award"]["place"] == 1
    assert [m["to"] for m in mail.outbox] == [s.entries[0].entrant.email]
    public = client.get(f"/c/{s.contest.slug}/results").get_data(as_text=True)
    assert "Corrected on" in public and "Place 1 was left out" in public


def test_reopening_a_round_of_a_published_contest_is_refused(app):
    s = Scored(entries_per_nomination=1)
    _finalise_anyway(s.round1, s.organiser)
    results_service.publish_results(s.contest, actor=s.organiser, notify=False)
    try:
        results_service.reopen_round(s.round1, actor=s.organiser, reason="late review")
        raise AssertionError("a published round was reopened")
    except ResultsError as error:
        assert "withdraw the publication first" in str(error)


# --- 7. a conflict declared after finalisation says what it does ---------------------------------

def test_conflict_after_finalisation_keeps_the_frozen_review_and_says_so(client, login, freeze):
    s = sh.scene(entries=1)
    freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(), data=sh.form(s.round, [6, 6], action="submit"))
    _finalise_anyway(s.round, s.organiser)
    before = [(row.entry_id, row.display_score) for row in round_results(s.round).rows]
    page = client.post(f"/jury/{s.contest.slug}/rounds/{s.round.id}/entries/{s.entry.id}/conflict",
                       data={"reason": "My cousin"}, follow_redirects=True).get_data(as_text=True)
    assert "your review stays in them" in page and "withdrawn from you" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1
    assert [(row.entry_id, row.display_score) for row in round_results(s.round).rows] == before


# --- 8. tie-breaks are declared, locked and shown ---------------------------------------------------

def test_tie_break_order_locks_is_audited_and_shown_publicly(client, login):
    organiser = factories.user(name="Organiser")
    contest = factories.contest(organiser=organiser, nominations=1)
    round_ = factories.round_(contest, criteria=[("relevance", "1", 0, 10), ("coherence", "1", 0, 10)])
    login(organiser)
    relevance, coherence = round_.criteria
    base = {"key": round_.key, "title_ru": "Тур", "title_en": "Round", "reviews_per_entry": "2", "method": "mean"}
    client.post(f"/manage/{contest.slug}/rounds/{round_.id}/edit", data={**base, "tie_break": [relevance.id]})
    [event] = _events("round.update")
    assert event.new["tie_break"] == ["relevance"] and event.old["tie_break"] == []
    judge = factories.user(name="Judge")
    first, second = (factories.entry(contest, rounds=[round_]) for _ in range(2))
    review(round_, first, judge, {"relevance": 4, "coherence": 6})
    review(round_, second, judge, {"relevance": 6, "coherence": 4})
    locked = client.post(f"/manage/{contest.slug}/rounds/{round_.id}/edit", data={**base, "tie_break": [coherence.id]})
    assert "tie-break order is locked" in locked.get_data(as_text=True)
    assert [tb.criterion_id for tb in db.session.scalars(sa.select(TieBreak))] == [relevance.id]
    _finalise_anyway(round_, organiser)
    results_service.publish_results(contest, actor=organiser, notify=False)
    db.session.commit()
    public = client.get(f"/c/{contest.slug}/results").get_data(as_text=True)
    assert "Equal scores are ordered by: relevance, then earlier submission" in public
    assert public.count("tie broken by: relevance") == 1
    ranking = round_results(round_)
    assert [row.entry_id for row in ranking.rows] == [second.id, first.id]
    assert json.loads(json.dumps(ranking.snapshot.data))["tie_break"] == [relevance.id]
