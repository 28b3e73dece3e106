"""Bulk actions on the entries list and messages to a chosen group (issue 21)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Entry
from app.services.intake import group_actions


@pytest.fixture
def scene(make, login):
    organiser = make.user(name="Olga Organiser", locale="en")
    contest = make.contest(organiser=organiser)
    round_obj = make.round_(contest)
    ru = make.user(name="Иван", locale="ru")
    en = make.user(name="John", locale="en")
    first = make.entry(contest, entrant=ru, eligible=None, title="Река")
    second = make.entry(contest, entrant=en, eligible=None, title="River", nomination=contest.nominations[1])
    draft = make.entry(contest, status="draft", eligible=None)
    login(organiser)
    return contest, round_obj, organiser, first, second, draft


def _audit(action):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_entries_list_screens_the_ticked_entries_and_goes_back(scene, client, outbox):
    contest, _round, _org, first, second, draft = scene
    page = client.get(f"/manage/{contest.slug}/entries").get_data(as_text=True)
    assert f'name="entry" value="{first.id}" form="bulk"' in page and 'data-testid="bulk-actions"' in page
    outbox.clear()
    response = client.post(f"/manage/{contest.slug}/entries/bulk", data={
        "bulk_action": "eligible", "entry": [first.id, second.id, draft.id], "back": "?status=submitted"})
    assert response.headers["Location"].endswith(f"/manage/{contest.slug}/entries?status=submitted")
    db.session.expire_all()
    assert (first.eligible, second.eligible, draft.eligible) == (True, True, None)
    assert sorted(m["to"] for m in outbox) == sorted([first.entrant.email, second.entrant.email])
    assert len(_audit("entry.screen")) == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Screened: 2." in page and "Only submitted applications can be screened." in page


def test_bulk_ineligible_needs_a_reason_and_changes_nothing_without(scene, client):
    contest, _round, _org, first, second, _draft = scene
    client.post(f"/manage/{contest.slug}/entries/bulk", data={"bulk_action": "ineligible", "entry": [first.id]})
    db.session.expire_all()
    assert first.eligible is None
    client.post(f"/manage/{contest.slug}/entries/bulk", data={
        "bulk_action": "ineligible", "entry": [first.id, second.id], "bulk_reason": "Нет устава"})
    db.session.expire_all()
    assert (first.eligible, first.ineligible_reason, second.eligible) == (False, "Нет устава", False)


def test_message_to_the_ticked_entries_in_each_persons_language(scene, client, outbox):
    contest, _round, _org, first, second, _draft = scene
    response = client.post(f"/manage/{contest.slug}/entries/bulk", data={
        "bulk_action": "message", "entry": [first.id, second.id]})
    location = response.headers["Location"]
    assert "/messages/new" in location and "group=entries" in location
    page = client.get(location).get_data(as_text=True)
    assert "The entrants of the 2 selected entries" in page
    outbox.clear()
    response = client.post(location, data={
        "group": "entries", "subject_ru": "Заявка № {number}", "body_ru": "Здравствуйте, {name}! «{title}», {contest}.",
        "subject_en": "Entry No. {number}", "body_en": "Hello {name}, about «{title}»."})
    assert response.status_code == 302
    mails = {m["to"]: m for m in outbox}
    assert mails[first.entrant.email]["subject"] == f"Заявка № {first.number}"
    assert mails[first.entrant.email]["body"].startswith("Здравствуйте, Иван! «Река»")
    assert mails[second.entrant.email]["body"] == "Hello John, about «River»."
    (event,) = _audit("message.send")
    assert event.new["recipients"] == 2 and event.new["group"] == "entries"
    page = client.get(f"/manage/{contest.slug}/audit").get_data(as_text=True)
    assert "sent the message «Заявка № {number}» to 2 people." in page


def test_message_to_judges_of_a_round_and_entrants_of_a_nomination(scene, client, make, outbox):
    contest, round_obj, _org, _first, second, _draft = scene
    judge = make.jury_member(round_obj, make.user(name="Judge", locale="ru")).user
    outbox.clear()
    client.post(f"/manage/{contest.slug}/messages/new", data={
        "group": f"round:{round_obj.id}", "subject_en": "Judging", "body_en": "Dear {name}"})
    assert [(m["to"], m["body"]) for m in outbox] == [(judge.email, "Dear Judge")]  # the only text there is
    outbox.clear()
    client.post(f"/manage/{contest.slug}/messages/new", data={
        "group": f"nomination:{contest.nominations[1].id}", "subject_en": "N2", "body_en": "Hi"})
    assert [m["to"] for m in outbox] == [second.entrant.email]


def test_message_refuses_unknown_placeholders_and_empty_groups(scene, client, make, outbox):
    contest, _round, _org, *_ = scene
    outbox.clear()
    page = client.post(f"/manage/{contest.slug}/messages/new", data={
        "group": "entrants", "subject_en": "S", "body_en": "Hi {nmae}"}).get_data(as_text=True)
    assert "Unknown placeholders: {nmae}." in page and not outbox
    empty_round = make.round_(contest, key="final")
    page = client.post(f"/manage/{contest.slug}/messages/new", data={
        "group": f"round:{empty_round.id}", "subject_en": "S", "body_en": "Hi"}).get_data(as_text=True)
    assert "Nobody is in this group." in page and not outbox
    other = make.contest()
    with pytest.raises(group_actions.GroupError):
        group_actions.group_recipients(contest, group="judges", round_id=other.rounds[0].id if other.rounds else 0)


def test_selected_entries_ignore_other_contests(scene, make):
    contest, *_ = scene
    foreign = make.entry(make.contest())
    assert group_actions.selected_entries(contest, [foreign.id, "x"]) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) >= 4


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_selected_holds_exactly_the_ticked_entries_of_this_contest(scene, client, make, fmt):
    import io

    from openpyxl import load_workbook

    contest, _round, _org, first, second, draft = scene
    foreign = make.entry(make.contest(), title="Someone else's")
    response = client.post(f"/manage/{contest.slug}/entries/bulk", data={
        "bulk_action": f"export_{fmt}", "entry": [second.id, foreign.id]})
    assert response.status_code == 302 and f"/entries/export.{fmt}?" in response.headers["Location"]
    exported = client.get(response.headers["Location"])
    assert exported.status_code == 200
    if fmt == "xlsx":
        cells = [str(c) for row in load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True)
                 for c in row if c is not None]
    else:
        cells = [exported.get_data(as_text=True)]
    text = " ".join(cells)
    assert "River" in text and "Река" not in text and "Someone else's" not in text
    # Hand-made ids beyond the ticked ones name nothing of another contest either.
    crafted = client.get(f"/manage/{contest.slug}/entries/export.csv?ids={foreign.id},abc,{10**15}")
    assert crafted.status_code == 200 and "Someone else's" not in crafted.get_data(as_text=True)
