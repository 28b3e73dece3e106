"""The audit trail of scoring, and the organiser's audit log page and CSV export."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Review
from app.services.platform.audit import record_event
from app.services.scoring import reviews as scoring
from tests import factories
from tests import scoring_helpers as sh


def _events():
    return [(e.action, e.actor_id, e.old, e.new) for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "review").order_by(AuditEvent.id))]


def test_scoring_trail_records_who_old_and_new_values(client, login, freeze):
    s = sh.scene()
    a, b = s.round.criteria
    moment = freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(), data=sh.form(s.round, [3, None], ["first", ""], action="save"))
    client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [4, None], ["first", ""], comment="note"))
    client.post(s.url(), data=sh.form(s.round, [4, 6], ["first", "second"], action="submit", comment="note"))
    client.post(s.url(), data=sh.form(s.round, [5, 6], ["first", "second"], action="submit", comment="note"))
    review_id = db.session.scalar(sa.select(Review.id))
    judge = s.judge.id
    r = s.round.key
    assert _events() == [
        ("review.create", judge, None, {"entry": s.entry.number, "round": r, "status": "draft"}),
        ("review.score", judge, {"criterion": "c1", "round": r, "value": None, "comment": ""},
         {"criterion": "c1", "round": r, "value": 3, "comment": "first"}),
        ("review.score", judge, {"criterion": "c1", "round": r, "value": 3},
         {"criterion": "c1", "round": r, "value": 4}),
        ("review.comment", judge, {"comment": ""}, {"comment": "note"}),
        ("review.score", judge, {"criterion": "c2", "round": r, "value": None, "comment": ""},
         {"criterion": "c2", "round": r, "value": 6, "comment": "second"}),
        ("review.submit", judge, {"status": "draft"}, {"status": "submitted", "total": "14.00"}),
        ("review.score", judge, {"criterion": "c1", "round": r, "value": 4},
         {"criterion": "c1", "round": r, "value": 5}),
        ("review.revise", judge, {"total": "14.00"}, {"total": "16.00"}),
    ]
    objects = {e.object_id for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "review"))}
    assert objects == {review_id}
    at = {e.at for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "review"))}
    assert at == {moment}
    assert (a.key, b.key) == ("c1", "c2")


def test_feedback_change_is_audited(app, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge, data=scoring.ReviewInput(feedback="Try harder"))
    db.session.commit()
    assert ("review.feedback", s.judge.id, {"feedback": ""}, {"feedback": "Try harder"}) in _events()


def _log(contest, count, action="review.score", reason=None):
    for index in range(count):
        record_event(contest_id=contest.id, actor_id=None, action=action, object_type="review",
                     object_id=index, old={"value": index}, new={"value": index + 1}, reason=reason)
    db.session.commit()


def test_audit_log_page_filters_and_paginates(client, login):
    s = sh.scene()
    _log(s.contest, 60)
    _log(s.contest, 2, action="review.reopen", reason="Explain please")
    login(s.organiser)
    first = client.get(f"/manage/{s.contest.slug}/audit").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert first.count("<tr>") == 51  # header + 50 events
    reopen = client.get(f"/manage/{s.contest.slug}/audit?action=review.reopen").get_data(as_text=True)
    # Sentences, not codes (DESIGN §3a.5): "The system sent review No. 0 … back to its judge".
    assert reopen.count("back to its judge as a draft") == 2 and "changed the score" not in reopen
    assert "review.reopen</code>" not in reopen and "{&#34;" not in reopen
    assert "Explain please" in reopen
    second = client.get(f"/manage/{s.contest.slug}/audit?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second


def test_audit_export_csv_has_old_and_new_values(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(), data=sh.form(s.round, [7, 4], ["Бюджет завышен", "ok"], action="submit"))
    login(s.organiser)
    response = client.get(f"/manage/{s.contest.slug}/audit.csv?action=review.score")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["action"] for row in rows] == ["review.score", "review.score"]
    assert rows[0]["actor_email"] == s.judge.email
    assert json.loads(rows[0]["new"]) == {"criterion": "c1", "round": s.round.key, "value": 7,
                                          "comment": "Бюджет завышен"}
    assert json.loads(rows[0]["old"]) == {"criterion": "c1", "round": s.round.key, "value": None, "comment": ""}


def test_audit_export_neutralises_spreadsheet_formulas(client, login):
    s = sh.scene()
    _log(s.contest, 1, reason="=HYPERLINK(\"http://evil\")")
    login(s.organiser)
    text = client.get(f"/manage/{s.contest.slug}/audit.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[-1]["reason"].startswith("'=")


def test_audit_pages_refuse_everyone_but_organisers(client, login):
    s = sh.scene()
    urls = [f"/manage/{s.contest.slug}/audit", f"/manage/{s.contest.slug}/audit.csv"]
    for url in urls:
        assert client.get(url).status_code == 302
    stranger = factories.user()
    factories.contest(organiser=stranger)
    for person in (s.judge, s.entry.entrant, stranger):
        login(person)
        for url in urls:
            assert client.get(url).status_code == 403


def test_audit_log_only_shows_this_contest(client, login):
    s = sh.scene()
    other = factories.contest()
    record_event(contest_id=other.id, actor_id=None, action="secret.action", object_type="x")
    db.session.commit()
    login(s.organiser)
    page = client.get(f"/manage/{s.contest.slug}/audit").get_data(as_text=True)
    assert "secret.action" not in page
    assert "secret.action" not in client.get(f"/manage/{s.contest.slug}/audit.csv").get_data(as_text=True)


def test_audit_log_query_count_does_not_grow(client, login, count_queries):
    def measure(count):
        s = sh.scene()
        actor = factories.user()
        for index in range(count):
            record_event(contest_id=s.contest.id, actor_id=actor.id if index % 2 else s.judge.id,
                         action="review.score", object_type="review", object_id=index)
        db.session.commit()
        login(s.organiser)
        with count_queries() as counter:
            assert client.get(f"/manage/{s.contest.slug}/audit").status_code == 200
        return counter.count

    assert measure(2) == measure(20)


def test_audit_page_reads_as_sentences_in_both_languages(client, login):
    """DESIGN §3a.5: old → new values in a sentence, in the reader's language; the CSV keeps codes."""
    from decimal import Decimal

    from app.services.roundrules import changes as rule_changes
    from tests.results_helpers import Scored

    s = Scored(entries_per_nomination=1)
    rule_changes.edit_criterion(s.round1.criteria[0], values={"weight": Decimal(3)}, reason="Решение совета",
                                actor=s.organiser)
    s.organiser.locale = "ru"
    db.session.commit()
    login(s.organiser)
    russian = client.get(f"/manage/{s.contest.slug}/audit", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Organiser Olga изменил(а) вес критерия «a» в туре «Тур» с 2 на 3." in russian
    s.organiser.locale = "en"
    db.session.commit()
    english = client.get(f"/manage/{s.contest.slug}/audit", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "changed the weight of the criterion «a» in the round «Round» from 2 to 3." in english
    rows = list(csv.DictReader(io.StringIO(client.get(f"/manage/{s.contest.slug}/audit.csv")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    change = next(row for row in rows if row["action"] == "round.rules_change")
    assert json.loads(change["old"])["weight"] == "2" and json.loads(change["new"])["weight"] == "3"


def test_audit_sentences_name_criteria_and_fields_by_their_titles(client, login, freeze):
    """Issue 21: people read labels, never keys: a score change, a deleted criterion and a deleted
    form field are named by their title in the reader's language (old events without the round too)."""
    from app.models import FormField
    from app.services.intake import application_form
    from app.services.roundrules import changes as rule_changes

    s = sh.scene(criteria=[("relevance", "1.0", 0, 10), ("impact", "1.0", 0, 10)])
    relevance, impact = s.round.criteria
    relevance.title_ru, relevance.title_en = "Актуальность", "Relevance"
    impact.title_ru, impact.title_en = "Влияние", "Impact"
    freeze(sh.JUDGING)
    review = scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge,
                                data=scoring.ReviewInput(scores={relevance.id: 7})).review
    record_event(contest_id=s.contest.id, actor_id=s.judge.id, action="review.score", object_type="review",
                 object_id=review.id, old={"criterion": "relevance", "value": 7},
                 new={"criterion": "relevance", "value": 8})  # as events were written before the round was kept
    field = FormField(contest_id=s.contest.id, key="region", type="text", label_ru="Регион", label_en="Region",
                      position=99)
    db.session.add(field)
    db.session.flush()
    application_form.delete_field(field, actor=s.organiser)
    rule_changes.delete_criterion(impact, actor=s.organiser)
    s.organiser.locale = "ru"
    db.session.commit()
    login(s.organiser)
    page = client.get(f"/manage/{s.contest.slug}/audit").get_data(as_text=True)
    assert "по критерию «Актуальность»" in page and "с 7 на 8" in page
    assert "«Влияние»" in page and "«Регион»" in page
    assert "«relevance»" not in page and "«impact»" not in page and "«region»" not in page
    s.organiser.locale = "en"
    db.session.commit()
    page = client.get(f"/manage/{s.contest.slug}/audit").get_data(as_text=True)
    assert "on «Relevance»" in page and "«Impact»" in page and "«Region»" in page
