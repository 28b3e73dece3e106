"""Entrants: drafts, submission with every problem at once, confirmation, edit, withdraw."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Entry
from app.services.intake import application_form as af
from tests import entries_helpers as h
from tests.factories import NOW


def _setup(make, freeze, **round_options):
    freeze(NOW)
    organiser = make.user(name="Olga Organiser")
    contest = make.contest(organiser=organiser)
    round_ = make.round_(contest, **round_options)
    fields = h.add_form(contest)
    return contest, round_, fields


def _post_new(client, contest, data, files=None):
    body = dict(data)
    for key, value in (files or {}).items():
        body[key] = value
    return client.post(f"/apply/{contest.slug}/new", data=body, content_type="multipart/form-data")


def _entry_of(user) -> Entry:
    return db.session.scalar(sa.select(Entry).where(Entry.entrant_id == user.id))


def test_draft_saves_incomplete_application(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    entrant = login(make.user())
    response = _post_new(client, contest, {"title": "Half done", "a_summary": "Only a start",
                                            "action": "save"})
    entry = _entry_of(entrant)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/apply/entries/{entry.id}/edit")
    assert entry.status == "draft"
    assert entry.number is None
    assert entry.title == "Half done"
    assert entry.answers["summary"] == "Only a start"
    page = client.get(f"/apply/entries/{entry.id}/edit").get_data(as_text=True)
    assert "Only a start" in page and 'value="Half done"' in page


def test_text_past_its_limit_is_kept_whole_and_flagged_at_the_field(client, make, freeze, login):
    """Issue 21: text past a limit is never cut without a word: the draft keeps it and says so."""
    contest, _round, _fields = _setup(make, freeze)
    entrant = login(make.user(locale="ru"))
    long_summary = "ж" * 1200
    response = _post_new(client, contest, {"title": "Т" * 250, "a_summary": long_summary, "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    entry = _entry_of(entrant)
    assert entry.answers["summary"] == long_summary and entry.title == "Т" * 250  # nothing cut
    assert "1200 символов, предел — 1000: черновик хранит весь текст" in page
    assert "250 символов, предел — 200" in page
    assert 'data-over="слишком длинно: сократите текст, ничего не обрезано"' in page
    # a title past what can be stored keeps the saved one, and says so; the form keeps the typed text
    response = client.post(f"/apply/entries/{entry.id}/edit", data={"title": "Я" * 600, "action": "save"},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    db.session.expire_all()
    assert entry.title == "Т" * 250
    assert "Название слишком длинное, чтобы его сохранить (600 символов" in page and "Я" * 600 in page
    # an answer past the hard cap is not stored (the saved one stays), and the field says so
    huge = "ж" * (af.ANSWER_HARD_LIMIT + 1)
    page = client.post(f"/apply/entries/{entry.id}/edit", data={"title": "Т", "a_summary": huge, "action": "save"},
                       content_type="multipart/form-data").get_data(as_text=True)
    db.session.expire_all()
    assert entry.answers["summary"] == long_summary and entry.title == "Т"
    assert "слишком длинный" in page or "too long" in page


def test_form_shows_labels_help_and_character_counter(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    login(make.user(locale="en"))
    page = client.get(f"/apply/{contest.slug}/new").get_data(as_text=True)
    assert "What the project does, in a few sentences." in page
    assert 'data-count="a_summary-count"' in page and 'data-limit="1000"' in page
    assert "maxlength" not in page  # a browser would cut pasted text at it without a word
    assert 'id="a_summary-count"' in page and "0 / 1000" in page
    assert "Allowed types: PDF, PPTX. Up to 10 MB per file." in page
    assert 'enctype="multipart/form-data"' in page


def test_form_labels_follow_the_language(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    login(make.user(locale="ru"))
    page = client.get(f"/apply/{contest.slug}/new").get_data(as_text=True)
    assert "Краткое описание" in page and "Summary" not in page


def test_failed_submit_shows_every_problem_and_keeps_every_value(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    entrant = login(make.user())
    data = h.answers(contest, title="", a_inn="1234567890", a_budget="a lot", a_start="31.02.2026",
                     a_summary="Keep this text\nover two lines", a_consent=None, action="submit")
    response = _post_new(client, contest, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There are 6 problems to correct" in page
    assert page.count('class="invalid-feedback d-block"') == 6
    for message in ("Give the project a title.", "This INN is not valid", "is not a number",
                    "Enter a date as YYYY-MM-DD", "Please tick this box.", "Attach at least one file."):
        assert message in page
    # Every value typed is in the re-shown form …
    assert 'value="1234567890"' in page and 'value="a lot"' in page and 'value="31.02.2026"' in page
    assert "Keep this text\nover two lines" in page
    assert 'value="АНО «Зелёный город»"' in page
    assert re.search(r'<option selected value="ano">|<option value="ano" selected', page)
    # … and saved in the draft.
    entry = _entry_of(entrant)
    assert entry.status == "draft"
    assert entry.answers["budget"] == "a lot" and entry.answers["inn"] == "1234567890"


def test_each_problem_is_next_to_its_field(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    login(make.user())
    page = _post_new(client, contest, h.answers(contest, a_budget="x", action="submit")).get_data(as_text=True)
    field_at = page.index('id="a_budget"')
    error_at = page.index('id="a_budget-error"')
    assert 0 < error_at - field_at < 600
    assert 'aria-describedby="a_budget-error"' in page
    assert '<a href="#a_budget" class="alert-link">Budget</a>' in page


def test_submit_gives_number_confirmation_page_and_mail(client, make, freeze, login, outbox):
    contest, _round, _fields = _setup(make, freeze)
    entrant = login(make.user(name="Ivan Petrov"))
    response = _post_new(client, contest, h.answers(contest, action="submit"),
                         {"a_presentation": h.upload(h.pdf_bytes(), "Презентация проекта.pdf")})
    entry = _entry_of(entrant)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/apply/entries/{entry.id}/submitted")
    assert entry.status == "submitted"
    assert entry.number == 1
    assert entry.submitted_at == NOW
    assert entry.answers["budget"] == "1500000"
    assert entry.organisation == "АНО «Зелёный город»" and entry.inn == h.VALID_INN
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Application No. 1" in page
    assert outbox[-1]["to"] == entrant.email
    assert "No. 1" in outbox[-1]["subject"]
    assert f"/apply/entries/{entry.id}/print" in outbox[-1]["body"]
    printable = client.get(f"/apply/entries/{entry.id}/print").get_data(as_text=True)
    for text in ("Школа юного эколога", "Учим школьников", "1,500,000", "АНО", "Презентация проекта.pdf", "yes"):
        assert text in printable


def test_entry_numbers_follow_first_submission_per_contest(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    other, _ = make.contest(), None
    numbers = []
    for _index in range(3):
        entrant = login(make.user())
        _post_new(client, contest, h.answers(contest, action="submit"),
                  {"a_presentation": h.upload(h.pdf_bytes(), "p.pdf")})
        numbers.append(_entry_of(entrant).number)
    assert numbers == [1, 2, 3]
    assert other.id != contest.id


def test_resubmit_keeps_number_and_applies_changes(client, make, freeze, login, outbox):
    contest, _round, _fields = _setup(make, freeze)
    entrant = login(make.user())
    _post_new(client, contest, h.answers(contest, action="submit"),
              {"a_presentation": h.upload(h.pdf_bytes(), "p.pdf")})
    entry = _entry_of(entrant)
    freeze(NOW + timedelta(hours=1))
    response = client.post(f"/apply/entries/{entry.id}/edit", content_type="multipart/form-data",
                           data=h.answers(contest, title="Better title", action="submit"))
    entry = _entry_of(entrant)
    assert response.status_code == 302
    assert entry.number == 1 and entry.title == "Better title" and entry.status == "submitted"
    assert entry.submitted_at == NOW + timedelta(hours=1)
    assert len(outbox) == 2
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "entry")).all()
    assert actions == ["entry.submit", "entry.resubmit"]


def test_invalid_resubmit_changes_nothing_but_keeps_typed_values(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    entrant = login(make.user())
    _post_new(client, contest, h.answers(contest, action="submit"),
              {"a_presentation": h.upload(h.pdf_bytes(), "p.pdf")})
    entry = _entry_of(entrant)
    response = client.post(f"/apply/entries/{entry.id}/edit", content_type="multipart/form-data",
                           data=h.answers(contest, title="New title", a_budget="", action="submit"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This field is required." in page and 'value="New title"' in page
    entry = _entry_of(entrant)
    assert entry.title == "Школа юного эколога" and entry.answers["budget"] == "1500000"
    assert entry.status == "submitted"


def test_withdraw_then_submit_again_before_deadline(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    entrant = login(make.user())
    _post_new(client, contest, h.answers(contest, action="submit"),
              {"a_presentation": h.upload(h.pdf_bytes(), "p.pdf")})
    entry = _entry_of(entrant)
    assert client.post(f"/apply/entries/{entry.id}/withdraw").status_code == 302
    assert _entry_of(entrant).status == "withdrawn"
    client.post(f"/apply/entries/{entry.id}/edit", content_type="multipart/form-data",
                data=h.answers(contest, action="submit"))
    entry = _entry_of(entrant)
    assert entry.status == "submitted" and entry.number == 1


def test_withdraw_a_draft_refused(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    entrant = login(make.user())
    _post_new(client, contest, {"title": "Draft", "action": "save"})
    entry = _entry_of(entrant)
    page = client.post(f"/apply/entries/{entry.id}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "Only a submitted application can be withdrawn." in page
    assert _entry_of(entrant).status == "draft"


def test_my_entries_lists_own_entries_only(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    make.entry(contest, title="Someone else's project")
    login(make.user())
    _post_new(client, contest, {"title": "My own project", "action": "save"})
    page = client.get("/apply/").get_data(as_text=True)
    assert "My own project" in page and "Someone else" not in page


def test_public_page_shows_apply_button_while_call_open(client, make, freeze, login):
    contest, round_, _fields = _setup(make, freeze)
    login(make.user())
    page = client.get(f"/c/{contest.slug}/").get_data(as_text=True)
    assert 'data-testid="apply"' in page and f"/apply/{contest.slug}/new" in page
    freeze(round_.intake_closes_at + timedelta(seconds=1))
    page = client.get(f"/c/{contest.slug}/").get_data(as_text=True)
    assert 'data-testid="apply"' not in page and "Applications closed on" in page
    freeze(round_.intake_opens_at - timedelta(seconds=1))
    page = client.get(f"/c/{contest.slug}/").get_data(as_text=True)
    assert 'data-testid="apply"' not in page and "Applications open on" in page


def test_public_page_apply_button_for_visitor_leads_to_login(client, make, freeze):
    contest, _round, _fields = _setup(make, freeze)
    page = client.get(f"/c/{contest.slug}/").get_data(as_text=True)
    assert "/auth/login?next=/apply/" in page


def test_entrant_sees_screening_outcome_and_reason(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    entrant = make.user()
    entry = make.entry(contest, entrant=entrant, eligible=False)
    entry.ineligible_reason = "The organisation is registered outside the contest's regions."
    db.session.commit()
    login(entrant)
    page = client.get(f"/apply/entries/{entry.id}/").get_data(as_text=True)
    assert "ineligible" in page
    assert "The organisation is registered outside the contest&#39;s regions." in page


def test_judge_of_the_contest_cannot_apply(client, make, freeze, login):
    contest, round_, _fields = _setup(make, freeze)
    judge = make.user()
    make.jury_member(round_, judge)
    login(judge)
    response = client.get(f"/apply/{contest.slug}/new")
    assert response.status_code == 302
    response = client.post(f"/apply/{contest.slug}/new", data=h.answers(contest, action="save"),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


def test_organiser_cannot_apply_to_own_contest(client, make, freeze, login):
    contest, _round, _fields = _setup(make, freeze)
    organiser = make.user()
    from app.services.setup import contests

    contests.appoint_organiser(contest, organiser)
    db.session.commit()
    login(organiser)
    page = client.get(f"/apply/{contest.slug}/new", follow_redirects=True).get_data(as_text=True)
    assert "Organisers of a contest cannot apply to it." in page
