"""Organisers build the application form: every field type, bilingual labels, order, checks."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, FormField
from app.services.intake import application_form
from tests import entries_helpers as h
from tests.factories import NOW


def _contest(make):
    organiser = make.user(name="Olga")
    return make.contest(organiser=organiser), organiser


def _fields(contest) -> list[FormField]:
    return application_form.form_fields(contest)


def _add(client, contest, **data):
    base = {"key": "f", "type": "text", "label_ru": "Поле", "label_en": "Field"}
    base.update(data)
    return client.post(f"/manage/{contest.slug}/form/new", data=base)


def test_organiser_adds_every_field_type(client, make, login):
    contest, organiser = _contest(make)
    login(organiser)
    assert _add(client, contest, key="org", type="text", required="y").status_code == 302
    assert _add(client, contest, key="summary", type="textarea", max_length="1000",
                help_ru="Кратко", help_en="Briefly").status_code == 302
    assert _add(client, contest, key="budget", type="number").status_code == 302
    assert _add(client, contest, key="start", type="date").status_code == 302
    assert _add(client, contest, key="region", type="select",
                options="krs | Красноярский край | Krasnoyarsk Krai\nirk | Иркутская область").status_code == 302
    assert _add(client, contest, key="consent", type="checkbox", required="y").status_code == 302
    assert _add(client, contest, key="deck", type="file", accept=".PDF, pptx", max_size_mb="15").status_code == 302
    fields = _fields(contest)
    assert [(f.key, f.type) for f in fields] == [
        ("org", "text"), ("summary", "textarea"), ("budget", "number"), ("start", "date"),
        ("region", "select"), ("consent", "checkbox"), ("deck", "file")]
    summary, region, deck = fields[1], fields[4], fields[6]
    assert summary.max_length == 1000 and summary.help_en == "Briefly" and not summary.required
    assert region.options == [
        {"value": "krs", "label": {"ru": "Красноярский край", "en": "Krasnoyarsk Krai"}},
        {"value": "irk", "label": {"ru": "Иркутская область", "en": "Иркутская область"}}]
    assert deck.accept == ["pdf", "pptx"] and deck.max_size == 15 * 1024 * 1024
    assert fields[0].required and fields[0].max_length is None
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "form_field.add")) == 7


def test_file_field_defaults_to_ten_megabytes(client, make, login):
    contest, organiser = _contest(make)
    login(organiser)
    _add(client, contest, key="deck", type="file", accept="pdf")
    assert _fields(contest)[0].max_size == 10 * 1024 * 1024


def test_settings_of_other_types_are_dropped(client, make, login):
    contest, organiser = _contest(make)
    login(organiser)
    _add(client, contest, key="n", type="number", max_length="5", options="a", accept="pdf", max_size_mb="3")
    field = _fields(contest)[0]
    assert (field.max_length, field.options, field.accept, field.max_size) == (None, None, None, None)


def test_bad_definitions_refused_at_the_field_and_values_kept(client, make, login):
    contest, organiser = _contest(make)
    login(organiser)
    _add(client, contest, key="taken")
    cases = [
        ({"key": "taken"}, "This key is already used in this form."),
        ({"key": "title"}, "This key is reserved"),
        ({"key": "Bad Key"}, "Use lower-case Latin letters"),
        ({"key": "list", "type": "select", "options": ""}, "A list needs at least one option."),
        ({"key": "list", "type": "select", "options": "a\na"}, "The option a is listed twice."),
        ({"key": "files", "type": "file", "accept": ""}, "Name at least one allowed file type."),
        ({"key": "files", "type": "file", "accept": "p.d.f"}, "“p.d.f” is not a file extension."),
        ({"key": "nolabel", "label_ru": "", "label_en": ""}, "Give a label in at least one language."),
        ({"key": "long", "type": "textarea", "max_length": "0"}, "Number must be between"),
    ]
    for data, message in cases:
        response = _add(client, contest, help_en="Typed help", **data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, data
        assert message in page, data
        assert "Typed help" in page
    assert len(_fields(contest)) == 1


def test_edit_keeps_key_and_type(client, make, login):
    contest, organiser = _contest(make)
    login(organiser)
    _add(client, contest, key="summary", type="textarea", max_length="100")
    field = _fields(contest)[0]
    page = client.get(f"/manage/{contest.slug}/form/{field.id}/edit").get_data(as_text=True)
    assert 'value="100"' in page and 'name="key"' not in page
    response = client.post(f"/manage/{contest.slug}/form/{field.id}/edit", data={
        "key": "hacked", "type": "file", "label_ru": "Описание", "label_en": "Summary",
        "max_length": "2000", "required": "y"})
    assert response.status_code == 302
    field = _fields(contest)[0]
    assert (field.key, field.type, field.max_length, field.required, field.label_ru) == (
        "summary", "textarea", 2000, True, "Описание")


def test_move_and_delete(client, make, login):
    contest, organiser = _contest(make)
    login(organiser)
    for key in ("a", "b", "c"):
        _add(client, contest, key=key)
    c = _fields(contest)[2]
    client.post(f"/manage/{contest.slug}/form/{c.id}/move/up")
    assert [f.key for f in _fields(contest)] == ["a", "c", "b"]
    client.post(f"/manage/{contest.slug}/form/{c.id}/move/up")
    client.post(f"/manage/{contest.slug}/form/{c.id}/move/up")
    assert [f.key for f in _fields(contest)] == ["c", "a", "b"]
    client.post(f"/manage/{contest.slug}/form/{c.id}/delete")
    assert [f.key for f in _fields(contest)] == ["a", "b"]


def test_builder_page_lists_fields_in_order(client, make, login):
    contest, organiser = _contest(make)
    h.add_form(contest)
    login(organiser)
    page = client.get(f"/manage/{contest.slug}/form").get_data(as_text=True)
    assert page.index("Краткое описание") < page.index("Презентация")
    assert "PDF, PPTX; up to 10 MB per file" in page
    assert 'aria-current="page"' in page  # the form tab is active


def test_entrant_sees_the_form_in_the_organisers_order(client, make, login, freeze):
    freeze(NOW)
    contest, organiser = _contest(make)
    make.round_(contest)
    h.add_form(contest)
    summary = next(f for f in _fields(contest) if f.key == "summary")
    login(organiser)
    for _step in range(3):
        client.post(f"/manage/{contest.slug}/form/{summary.id}/move/up")
    login(make.user(locale="en"))
    page = client.get(f"/apply/{contest.slug}/new").get_data(as_text=True)
    assert page.index('id="a_summary"') < page.index('id="a_organisation"')


def test_builder_refuses_non_organisers(client, make, login):
    contest, organiser = _contest(make)
    field = application_form.add_field(contest, key="x", type="text", label_en="X")
    db.session.commit()
    urls = [f"/manage/{contest.slug}/form", f"/manage/{contest.slug}/form/new",
            f"/manage/{contest.slug}/form/{field.id}/edit"]
    posts = [f"/manage/{contest.slug}/form/new", f"/manage/{contest.slug}/form/{field.id}/edit",
             f"/manage/{contest.slug}/form/{field.id}/move/up", f"/manage/{contest.slug}/form/{field.id}/delete"]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    login(make.user())
    for url in urls:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={"key": "y", "type": "text", "label_en": "Y"}).status_code == 403, url
    assert [f.key for f in _fields(contest)] == ["x"]


def test_organiser_of_another_contest_cannot_touch_this_form(client, make, login):
    contest, _organiser = _contest(make)
    field = application_form.add_field(contest, key="x", type="text", label_en="X")
    db.session.commit()
    other, other_organiser = _contest(make)
    login(other_organiser)
    assert client.post(f"/manage/{other.slug}/form/{field.id}/delete").status_code == 404
    assert client.get(f"/manage/{other.slug}/form/{field.id}/edit").status_code == 404
    assert [f.key for f in _fields(contest)] == ["x"]
