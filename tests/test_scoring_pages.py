"""The judge's pages: dashboard, scoring page, autosave; who may see and change what."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Attachment, Review, Score
from app.services.scoring import reviews as scoring
from tests import factories
from tests import scoring_helpers as sh


def _review():
    return db.session.scalar(sa.select(Review).execution_options(populate_existing=True))


def _reviews_count():
    return db.session.scalar(sa.select(sa.func.count(Review.id)))


# --- dashboard --------------------------------------------------------------------------------

def test_dashboard_lists_assigned_entries_with_status_and_own_total(client, login, freeze):
    s = sh.scene(entries=3)
    other = factories.entry(s.contest, title="Not for this judge", rounds=[s.round])
    freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(s.entries[0]), data=sh.form(s.round, [7, 4], action="submit"))
    client.post(s.url(s.entries[1]), data=sh.form(s.round, [1, None], action="save"))
    page = client.get("/jury/").get_data(as_text=True)
    assert "1 of 3 submitted" in page
    assert page.count("Not started") == 1 and page.count(">Draft<") == 1 and page.count(">Submitted<") == 1
    assert "18.00" in page
    assert other.title not in page


def test_dashboard_counts_down_to_deadline_in_contest_time_zone(client, login, freeze):
    s = sh.scene()
    freeze(s.round.judging_closes_at - timedelta(days=2, hours=3, minutes=5))
    login(s.judge)
    page = client.get("/jury/").get_data(as_text=True)
    # judging closes at 12:00 UTC, 15:00 in Moscow
    assert "May 20, 2026, 3:00\u202fPM (MSK)" in page
    assert "2 d 3 h 5 min left" in page


def test_dashboard_asks_to_sign_declaration_first(client, login, freeze):
    s = sh.scene()
    unsigned = sh.judge(s.round, signed=False, name="Unsigned")
    sh.assign(s.round, s.entry, unsigned)
    freeze(sh.JUDGING)
    login(unsigned)
    page = client.get("/jury/").get_data(as_text=True)
    assert f"/jury/{s.contest.slug}/declaration" in page
    assert s.entry.title not in page


def test_dashboard_hides_conflicted_entries(client, login, freeze):
    s = sh.scene(entries=2)
    sh.conflict(s.entries[1], s.judge)
    freeze(sh.JUDGING)
    login(s.judge)
    page = client.get("/jury/").get_data(as_text=True)
    assert s.entries[0].title in page and s.entries[1].title not in page


def test_dashboard_anonymous_redirected_to_login(client):
    response = client.get("/jury/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def _dashboard_queries(client, login, count_queries, entries):
    s = sh.scene(entries=entries)
    for index, entry in enumerate(s.entries):
        if index % 2:
            db.session.add(Review(round_id=s.round.id, entry_id=entry.id, judge_id=s.judge.id, status="submitted",
                                  total=Decimal(10), submitted_at=factories.NOW, updated_at=factories.NOW))
    db.session.commit()
    login(s.judge)
    with count_queries() as counter:
        response = client.get("/jury/")
    assert response.status_code == 200
    return counter.count


def test_dashboard_query_count_does_not_grow_with_entries(app, client, login, freeze, count_queries):
    freeze(sh.JUDGING)
    few = _dashboard_queries(client, login, count_queries, 2)
    many = _dashboard_queries(client, login, count_queries, 12)
    assert few == many


# --- scoring page -----------------------------------------------------------------------------

def test_scoring_page_shows_criteria_descriptions_and_anchors(client, login, freeze):
    s = sh.scene()
    criterion = s.round.criteria[0]
    criterion.description_en, criterion.anchors_en = "How relevant it is", "0 — does not meet"
    criterion.comment_required = True
    db.session.commit()
    freeze(sh.JUDGING)
    login(s.judge)
    page = client.get(s.url()).get_data(as_text=True)
    assert "How relevant it is" in page and "0 — does not meet" in page
    assert f'name="score_{criterion.id}"' in page and f'name="comment_{criterion.id}"' in page
    assert 'data-weight="2.00"' in page
    assert 'name="feedback"' in page and 'name="comment"' in page
    assert "js/scoring.js" in page


def test_scoring_page_blind_round_hides_identity(client, login, freeze, app):
    s = sh.scene(blind=True)
    entrant = s.entry.entrant
    entrant.name = "Ivan Petrovich"
    s.entry.organisation = "Fund Sunshine"
    s.entry.answers = {"organisation": "Fund Sunshine", "summary": "Ivan Petrovich founded us", "goals": "Help"}
    db.session.add(Attachment(entry_id=s.entry.id, field_key="budget", storage_key="k1",
                              filename="sunshine-budget.pdf", size=2048, sha256="0" * 64,
                              content_type="application/pdf", uploaded_at=factories.NOW))
    _form_fields(s.contest)
    freeze(sh.JUDGING)
    login(s.judge)
    page = client.get(s.url()).get_data(as_text=True)
    for secret in ("Ivan Petrovich", entrant.email, "Fund Sunshine", "sunshine-budget"):
        assert secret not in page
    assert "Help" in page and "▇▇▇ founded us" in page
    attachment = db.session.scalar(sa.select(Attachment))
    assert "Attachment 1" in page
    assert f'<iframe class="attachment-frame mt-2" src="/apply/files/{attachment.id}?inline=1"' in page
    assert f'href="/apply/files/{attachment.id}"' in page


def test_scoring_page_shows_images_inline(client, login, freeze):
    s = sh.scene()
    db.session.add(Attachment(entry_id=s.entry.id, field_key="photos", storage_key="k2", filename="team.jpg",
                              size=4096, sha256="0" * 64, content_type="image/jpeg", uploaded_at=factories.NOW))
    db.session.commit()
    freeze(sh.JUDGING)
    login(s.judge)
    page = client.get(s.url()).get_data(as_text=True)
    attachment = db.session.scalar(sa.select(Attachment))
    image = rf'<img class="attachment-image mt-1" src="/apply/files/{attachment.id}\?inline=1" alt="[^"]*team.jpg"'
    assert re.search(image, page)


def test_scoring_page_open_round_shows_identity(client, login, freeze):
    s = sh.scene(blind=False)
    s.entry.organisation = "Fund Sunshine"
    db.session.commit()
    freeze(sh.JUDGING)
    login(s.judge)
    page = client.get(s.url()).get_data(as_text=True)
    assert s.entry.entrant.email in page and "Fund Sunshine" in page


def _form_fields(contest):
    from app.models import FormField

    for position, (key, type_) in enumerate([("organisation", "text"), ("summary", "textarea"),
                                             ("goals", "textarea"), ("budget", "file")]):
        db.session.add(FormField(contest_id=contest.id, key=key, type=type_, label_en=key.title(),
                                 label_ru=key, position=position))
    db.session.commit()


def test_scoring_page_query_count_does_not_grow_with_criteria(app, client, login, freeze, count_queries):
    freeze(sh.JUDGING)

    def measure(n):
        s = sh.scene(criteria=[(f"c{i}", "1", 0, 10) for i in range(n)])
        login(s.judge)
        client.post(s.url(), data=sh.form(s.round, [5] * n, action="save"))
        with count_queries() as counter:
            response = client.get(s.url())
        assert response.status_code == 200
        return counter.count

    assert measure(2) == measure(12)


def test_score_submit_query_count_does_not_grow_with_criteria(app, client, login, freeze, count_queries):
    """A first submit writes its scores in one statement, whatever the number of criteria."""
    freeze(sh.JUDGING)

    def measure(n):
        s = sh.scene(criteria=[(f"c{i}", "1", 0, 10) for i in range(n)])
        login(s.judge)
        client.get(s.url())
        with count_queries() as counter:
            response = client.post(s.url(), data=sh.form(s.round, [5] * n, action="submit"))
        assert response.status_code == 302
        assert db.session.scalar(sa.select(sa.func.count(Score.id)).join(Review)
                                 .where(Review.round_id == s.round.id, Review.status == "submitted")) == n
        return counter.count

    assert measure(2) == measure(12)


def test_save_draft_without_javascript_keeps_values(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.judge)
    response = client.post(s.url(), data=sh.form(s.round, [6, None], ["good", ""], action="save",
                                                 comment="for organisers"))
    assert response.status_code == 302
    review = _review()
    assert review.status == "draft" and review.comment == "for organisers"
    page = client.get(s.url()).get_data(as_text=True)
    assert 'value="6"' in page and "good" in page


def test_submit_shows_every_problem_at_once_and_keeps_typed_text(client, login, freeze):
    s = sh.scene(criteria=[("a", "1", 0, 10), ("b", "1", 0, 10), ("c", "1", 0, 10)])
    for criterion in s.round.criteria:
        criterion.comment_required = True
    db.session.commit()
    freeze(sh.JUDGING)
    login(s.judge)
    response = client.post(s.url(), data=sh.form(s.round, [None, 14, "x"], ["kept words", "", ""],
                                                 action="submit", feedback="typed feedback"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    problems = re.search(r'data-testid="problems">(.*?)</div>', page, re.S).group(1)
    assert problems.count("<li>") == 5  # one missing score, two bad scores, two missing comments
    assert "kept words" in page and "typed feedback" in page and 'value="14"' in page
    assert _reviews_count() == 0


def test_submit_then_double_submit_gives_one_review(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.judge)
    data = sh.form(s.round, [7, 4], action="submit")
    first = client.post(s.url(), data=data)
    second = client.post(s.url(), data=data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert _reviews_count() == 1
    assert _review().total == Decimal("18")


def test_revise_submitted_review_until_close(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(), data=sh.form(s.round, [7, 4], action="submit"))
    freeze(s.round.judging_closes_at)
    response = client.post(s.url(), data=sh.form(s.round, [10, 4], action="submit"))
    assert response.status_code == 302
    assert _review().total == Decimal("24")


def test_post_one_second_after_close_is_refused(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(), data=sh.form(s.round, [7, 4], action="submit"))
    freeze(s.round.judging_closes_at + timedelta(seconds=1))
    response = client.post(s.url(), data=sh.form(s.round, [10, 4], action="submit"))
    assert response.status_code == 403
    assert _review().total == Decimal("18")
    autosave = client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [1, 1]))
    assert (autosave.status_code, autosave.get_json()["status"]) == (403, "closed")


def test_closed_round_page_is_read_only(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(), data=sh.form(s.round, [7, 4], action="submit"))
    freeze(s.round.judging_closes_at + timedelta(seconds=1))
    page = client.get(s.url()).get_data(as_text=True)
    assert 'data-testid="read-only"' in page
    assert 'name="action"' not in page and "data-autosave-url" not in page
    assert page.count("disabled") >= 4


def test_post_before_judging_opens_is_refused(client, login, freeze):
    s = sh.scene()
    freeze(s.round.judging_opens_at - timedelta(seconds=1))
    login(s.judge)
    response = client.post(s.url(), data=sh.form(s.round, [7, 4], action="save"))
    assert response.status_code == 403
    assert _reviews_count() == 0


# --- autosave ---------------------------------------------------------------------------------

def test_autosave_saves_draft_and_answers_json(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.judge)
    response = client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [3, "zz"]))
    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == "saved" and body["total"] == "6.00"
    assert list(body["errors"]) == [f"score_{s.round.criteria[1].id}"]
    first, second = s.round.criteria
    assert {score.criterion_id: score.value for score in _review().scores} == {first.id: 3, second.id: None}


def test_autosave_on_submitted_review_is_ignored(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(), data=sh.form(s.round, [7, 4], action="submit"))
    response = client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [0, 0]))
    assert response.get_json()["status"] == "submitted"
    review = _review()
    assert (review.status, review.total) == ("submitted", Decimal("18"))


def test_explicit_draft_save_on_submitted_review_keeps_it_submitted(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(), data=sh.form(s.round, [7, 4], action="submit"))
    page = client.post(s.url(), data=sh.form(s.round, [0, 0], ["typed", "typed"], action="save"))
    assert page.status_code == 200 and "typed" in page.get_data(as_text=True)
    assert _review().status == "submitted"


def test_autosave_with_csrf_token_from_page(app, client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.judge)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(s.url()).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [3, 3]))
    accepted = client.post(s.url(suffix="/autosave"), data={**sh.form(s.round, [3, 3]), "csrf_token": token})
    assert (refused.status_code, accepted.status_code) == (400, 200)


# --- permissions ------------------------------------------------------------------------------

def test_anonymous_cannot_open_or_autosave(client, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    assert client.get(s.url()).status_code == 302
    assert client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [1, 1])).status_code == 302
    assert _reviews_count() == 0


def test_unassigned_judge_of_round_gets_404(client, login, freeze):
    s = sh.scene()
    other = sh.judge(s.round, name="Other judge")
    freeze(sh.JUDGING)
    login(other)
    assert client.get(s.url()).status_code == 404
    assert client.post(s.url(), data=sh.form(s.round, [1, 1], action="submit")).status_code == 404
    assert client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [1, 1])).status_code == 404
    assert _reviews_count() == 0


def test_judge_of_another_round_is_refused(client, login, freeze):
    s = sh.scene()
    elsewhere = factories.round_(s.contest, key="other")
    outsider = sh.judge(elsewhere, name="Outsider")
    freeze(sh.JUDGING)
    login(outsider)
    assert client.get(s.url()).status_code == 403
    assert client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [1, 1])).status_code == 403


def test_invited_but_not_accepted_judge_is_refused(client, login, freeze):
    s = sh.scene()
    invited = sh.judge(s.round, status="invited", name="Invited")
    sh.assign(s.round, s.entry, invited)
    freeze(sh.JUDGING)
    login(invited)
    assert client.get(s.url()).status_code == 403


def test_judge_without_declaration_is_sent_to_sign_it(client, login, freeze):
    s = sh.scene()
    unsigned = sh.judge(s.round, signed=False, name="Unsigned")
    sh.assign(s.round, s.entry, unsigned)
    freeze(sh.JUDGING)
    login(unsigned)
    response = client.get(s.url())
    assert response.status_code == 302
    assert f"/jury/{s.contest.slug}/declaration" in response.headers["Location"]
    assert client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [1, 1])).status_code == 403
    assert _reviews_count() == 0


def test_conflicted_judge_cannot_score(client, login, freeze):
    s = sh.scene()
    sh.conflict(s.entry, s.judge)
    freeze(sh.JUDGING)
    login(s.judge)
    assert client.get(s.url()).status_code == 403
    assert client.post(s.url(), data=sh.form(s.round, [7, 4], action="submit")).status_code == 403
    assert client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [7, 4])).status_code == 403
    assert _reviews_count() == 0


def test_entrant_cannot_open_scoring_page(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.entry.entrant)
    assert client.get(s.url()).status_code == 403
    assert client.post(s.url(suffix="/autosave"), data=sh.form(s.round, [1, 1])).status_code == 403


def test_organiser_who_is_not_judge_cannot_score(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    login(s.organiser)
    assert client.post(s.url(), data=sh.form(s.round, [1, 1], action="submit")).status_code == 403


def test_entry_of_another_contest_is_404(client, login, freeze):
    s = sh.scene()
    foreign = factories.entry(factories.contest())
    freeze(sh.JUDGING)
    login(s.judge)
    assert client.get(s.url(foreign)).status_code == 404


def test_judge_never_sees_another_judges_scores(client, login, freeze):
    s = sh.scene()
    second = sh.judge(s.round, name="Second judge")
    sh.assign(s.round, s.entry, second)
    freeze(sh.JUDGING)
    login(s.judge)
    client.post(s.url(), data=sh.form(s.round, [9, 9], ["secret remark A", "secret remark B"], action="submit"),
                follow_redirects=True)
    login(second)
    page = client.get(s.url()).get_data(as_text=True)
    assert "secret remark" not in page and "27.00" not in page
    freeze(s.round.judging_closes_at + timedelta(minutes=1))
    assert "secret remark" not in client.get(s.url()).get_data(as_text=True)


def test_scores_opened_to_jury_after_close_are_visible(client, login, freeze):
    s = sh.scene()
    second = sh.judge(s.round, name="Second judge")
    sh.assign(s.round, s.entry, second)
    freeze(sh.JUDGING)
    scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge,
                          data=scoring.ReviewInput(scores={c.id: 9 for c in s.round.criteria},
                                                   comments={c.id: "open remark" for c in s.round.criteria}))
    s.round.scores_open_to_jury = True
    db.session.commit()
    login(second)
    assert "open remark" not in client.get(s.url()).get_data(as_text=True)  # still open
    freeze(s.round.judging_closes_at + timedelta(minutes=1))
    page = client.get(s.url()).get_data(as_text=True)
    assert "open remark" in page and "27.00" in page
