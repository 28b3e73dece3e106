"""The organisers' results pages: ranking, charts, finalising, advancing, awards, publishing, exports."""

from __future__ import annotations

import io
import json

import openpyxl
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Award, EntryRound, RankingSnapshot
from app.services.results import outcomes as results_service
from tests.results_helpers import Scored


def _url(s, tail=""):
    return f"/manage/{s.contest.slug}/results{tail}"


def test_results_page_shows_ranking_flags_and_charts(client, login):
    s = Scored()
    login(s.organiser)
    page = client.get(_url(s)).get_data(as_text=True)
    assert "Nomination 1" in page and "Nomination 2" in page
    assert "below pass mark" in page
    assert "<svg" in page and "How each judge scores" in page and "Judge 0" in page
    assert "<script>" not in page and "style=" not in page.split("<main")[1]


def test_results_page_round_selector_and_scope(client, login):
    s = Scored()
    login(s.organiser)
    page = client.get(_url(s, f"?round={s.round2.id}")).get_data(as_text=True)
    assert "No entries are in this round yet." in page
    whole = client.get(_url(s, f"?round={s.round1.id}&scope=round")).get_data(as_text=True)
    assert "Whole round" in whole
    assert client.get(_url(s, "?round=99999")).status_code == 404


def test_results_entry_page_shows_per_judge_breakdown(client, login):
    s = Scored()
    login(s.organiser)
    entry = s.entries[0]
    page = client.get(_url(s, f"/{s.round1.id}/entries/{entry.id}")).get_data(as_text=True)
    assert "Judge 0" in page and "Judge 1" in page and f"Feedback A{entry.number}" in page


def test_finalise_reopen_with_reason_audited(client, login):
    s = Scored()
    login(s.organiser)
    client.post(_url(s, f"/{s.round1.id}/finalise"))
    db.session.expire_all()
    assert s.round1.finalised_at is not None and s.round1.finalised_by_id == s.organiser.id
    snapshot = db.session.scalar(sa.select(RankingSnapshot))
    assert snapshot.created_by_id == s.organiser.id and len(snapshot.data["rows"]) == 6
    response = client.post(_url(s, f"/{s.round1.id}/reopen"), data={"reason": ""})
    assert "Give the reason." in response.get_data(as_text=True)
    client.post(_url(s, f"/{s.round1.id}/reopen"), data={"reason": "A late review"})
    db.session.expire_all()
    assert s.round1.finalised_at is None and snapshot.superseded_at is not None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "round.reopen"))
    assert event.reason == "A late review" and event.actor_id == s.organiser.id


def test_advance_top_n_preview_then_advance(client, login):
    s = Scored()
    login(s.organiser)
    client.post(_url(s, f"/{s.round1.id}/finalise"))
    preview = client.post(_url(s, f"/{s.round1.id}/advance"), data={"mode": "top", "count": "2", "preview": "1"})
    assert preview.get_data(as_text=True).count("<tr><td>") == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EntryRound)
                             .where(EntryRound.round_id == s.round2.id)) == 0
    client.post(_url(s, f"/{s.round1.id}/advance"), data={"mode": "top", "count": "2", "submit": "1"})
    advanced = set(db.session.scalars(sa.select(EntryRound.entry_id).where(EntryRound.round_id == s.round2.id)))
    assert advanced == {s.entries[0].id, s.entries[1].id, s.entries[3].id, s.entries[4].id}


def test_advance_never_takes_below_pass_mark_or_unrated(client, login):
    s = Scored(pass_mark="20")
    login(s.organiser)
    client.post(_url(s, f"/{s.round1.id}/finalise"))
    plan = results_service.plan_advancement(s.round1, mode="top", count=10)
    # Totals: index 0 → 27/26, index 1 → 21/20, index 2 → 15/14 (below 20)
    assert {row.entry_id for row in plan.entries} == {s.entries[i].id for i in (0, 1, 3, 4)}
    plan = results_service.plan_advancement(s.round1, mode="pass")
    assert {row.entry_id for row in plan.entries} == {s.entries[i].id for i in (0, 1, 3, 4)}


def test_advance_requires_finalised_round(client, login):
    s = Scored()
    login(s.organiser)
    page = client.get(_url(s, f"/{s.round1.id}/advance")).get_data(as_text=True)
    assert "Finalise the round first" in page


def test_awards_add_place_and_special_prize(client, login):
    s = Scored()
    login(s.organiser)
    winner = s.entries[0]
    client.post(f"/manage/{s.contest.slug}/awards", data={"entry_number": winner.number, "place": "1", "submit": "1"})
    client.post(f"/manage/{s.contest.slug}/awards", data={
        "entry_number": s.entries[1].number, "title_ru": "Приз зрителей", "title_en": "Audience award", "submit": "1"})
    awards = db.session.scalars(sa.select(Award).order_by(Award.id)).all()
    assert [(a.entry_id, a.place, a.title_en) for a in awards] == [
        (winner.id, 1, ""), (s.entries[1].id, None, "Audience award")]
    below = s.entries[2]
    response = client.post(f"/manage/{s.contest.slug}/awards", data={"entry_number": below.number, "place": "2",
                                                                     "submit": "1"})
    assert "cannot win" in response.get_data(as_text=True)
    taken = client.post(f"/manage/{s.contest.slug}/awards", data={"entry_number": s.entries[1].number,
                                                                  "place": "1", "submit": "1"})
    assert "already awarded" in taken.get_data(as_text=True)


def test_awards_named_from_ranking(client, login):
    s = Scored()
    login(s.organiser)
    # Places come from frozen rankings only: refused while the round is open.
    refused = client.post(f"/manage/{s.contest.slug}/awards/places", data={"places-places": "3"})
    assert "Finalise every round first" in refused.get_data(as_text=True)
    results_service.finalise_round(s.round1, actor=s.organiser)
    db.session.commit()
    client.post(f"/manage/{s.contest.slug}/awards/places", data={"places-places": "3"})
    awards = db.session.scalars(sa.select(Award).order_by(Award.nomination_id, Award.place)).all()
    # The third entry of each nomination is below the pass mark: two places per nomination.
    assert [(a.entry_id, a.place) for a in awards] == [
        (s.entries[0].id, 1), (s.entries[1].id, 2), (s.entries[3].id, 1), (s.entries[4].id, 2)]


def test_publish_requires_finalised_rounds_then_mails_each_entrant_in_their_language(client, login, outbox):
    s = Scored()
    s.entries[0].entrant.locale = "ru"
    db.session.commit()
    login(s.organiser)
    client.post(_url(s, "/publish"))
    db.session.expire_all()
    assert s.contest.results_published_at is None
    client.post(_url(s, f"/{s.round1.id}/finalise"))
    client.post(_url(s, "/publish"))
    db.session.expire_all()
    assert s.contest.results_published_at is not None
    assert len(outbox) == 6
    by_address = {m["to"]: m for m in outbox}
    english = by_address[s.entries[1].entrant.email]
    assert f"/c/{s.contest.slug}/results/entry/{s.entries[1].id}" in english["body"]
    assert "published" in english["subject"]


def test_unpublish_needs_reason(client, login):
    s = Scored()
    login(s.organiser)
    client.post(_url(s, f"/{s.round1.id}/finalise"))
    client.post(_url(s, "/publish"))
    client.post(_url(s, "/unpublish"), data={"reason": "Typo in a title"})
    db.session.expire_all()
    assert s.contest.results_published_at is None


def test_final_score_weights_form(client, login):
    s = Scored()
    login(s.organiser)
    response = client.post(_url(s, "/final"), data={f"weight_{s.round1.id}": "0.755"})
    assert "at most two decimal places" in response.get_data(as_text=True)
    # Judging has started: the change needs a reason (DESIGN §3a.1), and nothing changes without one.
    refused = client.post(_url(s, "/final"), data={f"weight_{s.round1.id}": "1"})
    assert "give the reason for changing the round weights" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert s.round1.weight is None
    client.post(_url(s, "/final"), data={f"weight_{s.round1.id}": "1", "reason": "Board decision"})
    db.session.expire_all()
    assert str(s.round1.weight) in ("1", "1.00") and s.round2.weight is None
    page = client.get(_url(s, "/final")).get_data(as_text=True)
    assert "86.67" in page  # the best entry: 100 × 26 / 30


def test_results_exports(client, login):
    s = Scored()
    login(s.organiser)
    document = client.get(_url(s, f"/{s.round1.id}/export.json")).get_json()
    assert document["format"] == "formula-jury/results" and document["round"] == "experts"
    first = document["rankings"][0]
    assert first == {"nomination": "nom1", "rank": 1, "entry": s.entries[0].number, "score": "26.00",
                     "reviews": 2, "spread": "2", "flagged": False, "below_pass_mark": False}
    text = client.get(_url(s, f"/{s.round1.id}/export.csv")).get_data(as_text=True)
    assert text.startswith("\ufeff") and "26.00" in text
    data = client.get(_url(s, f"/{s.round1.id}/export.xlsx")).data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["G2"].value == 26.0
    contest_doc = json.loads(client.get(f"/manage/{s.contest.slug}/export.json").data)
    assert contest_doc["format"] == "formula-jury/contest"


def test_results_page_query_count_is_fixed(client, login, count_queries):
    small = Scored(entries_per_nomination=1)
    login(small.organiser)
    client.get(_url(small))
    with count_queries() as few:
        client.get(_url(small))
    big = Scored(entries_per_nomination=10)
    login(big.organiser)
    client.get(_url(big))
    with count_queries() as many:
        assert client.get(_url(big)).status_code == 200
    assert few.count == many.count


def test_results_forms_render_for_organiser(client, login):
    s = Scored()
    login(s.organiser)
    for tail in ("/unpublish", f"/{s.round1.id}/reopen", f"/{s.round1.id}/advance", "/final"):
        assert client.get(_url(s, tail)).status_code == 200, tail
    assert client.get(f"/manage/{s.contest.slug}/awards").status_code == 200
    s.organiser.is_admin = True
    db.session.commit()
    assert client.get("/manage/import").status_code == 200
