"""Published results pages, awards and the web import: content and fixed query counts."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa

from app.extensions import db
from app.models import Contest
from app.services import exchange
from app.services.results import outcomes as results_service
from tests import factories
from tests.results_helpers import Scored


def _published(entries_per_nomination: int) -> Scored:
    s = Scored(entries_per_nomination=entries_per_nomination)
    results_service.finalise_round(s.round1, actor=s.organiser)
    results_service.add_award(s.contest, entry=s.entries[0], place=1, actor=s.organiser)
    results_service.add_award(s.contest, entry=s.entries[1], title_en="Audience award", title_ru="Приз зрителей",
                              actor=s.organiser)
    results_service.publish_results(s.contest, actor=s.organiser, notify=False)
    db.session.commit()
    return s


def test_public_results_highlight_winners(client):
    s = _published(3)
    page = client.get(f"/c/{s.contest.slug}/results", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Winners" in page and "Audience award" in page and "Place 1" in page
    assert page.count('class="results-winner"') == 2


def test_public_results_page_query_count_is_fixed(client, count_queries):
    # Counted on the first reading (the ranking cache is cold) and on the next (it is warm).
    small, big = _published(1), _published(8)
    counts = {}
    for name, scored in (("small", small), ("big", big)):
        for reading in ("cold", "warm"):
            with count_queries() as counted:
                assert client.get(f"/c/{scored.contest.slug}/results").status_code == 200
            counts[name, reading] = counted.count
    assert counts["small", "cold"] == counts["big", "cold"]
    assert counts["small", "warm"] == counts["big", "warm"]


def test_entrant_result_page_query_count_is_fixed(client, login, count_queries):
    small = _published(1)
    login(small.entries[0].entrant)
    with count_queries() as few:
        client.get(f"/c/{small.contest.slug}/results/entry/{small.entries[0].id}")
    big = _published(8)
    login(big.entries[0].entrant)
    with count_queries() as many:
        assert client.get(f"/c/{big.contest.slug}/results/entry/{big.entries[0].id}").status_code == 200
    assert few.count == many.count


def test_awards_page_query_count_is_fixed(client, login, count_queries):
    small = _published(1)
    login(small.organiser)
    with count_queries() as few:
        client.get(f"/manage/{small.contest.slug}/awards")
    big = _published(8)
    login(big.organiser)
    with count_queries() as many:
        assert client.get(f"/manage/{big.contest.slug}/awards").status_code == 200
    assert few.count == many.count


def test_reopen_refused_while_published(app):
    s = _published(1)
    try:
        results_service.reopen_round(s.round1, actor=s.organiser, reason="Oops")
    except results_service.ResultsError as error:
        assert "withdraw the publication first" in str(error)
    else:
        raise AssertionError("reopened a published round")


def test_web_import_by_administrator(client, login):
    s = Scored(entries_per_nomination=1)
    document = exchange.export_contest(s.contest)
    document["contest"]["slug"] = "copy-of-contest"
    admin = factories.user(is_admin=True)
    login(admin)
    response = client.post("/manage/import", data={
        "file": (io.BytesIO(json.dumps(document).encode()), "contest.json")}, content_type="multipart/form-data")
    assert response.status_code == 302
    copy = db.session.scalar(sa.select(Contest).where(Contest.slug == "copy-of-contest"))
    assert copy is not None and len(copy.rounds) == 2


def test_web_import_refuses_bad_document_at_the_field(client, login):
    s = Scored(entries_per_nomination=1)
    document = exchange.export_contest(s.contest)
    document["contest"]["slug"] = "copy-of-contest"
    document["reviews"][0]["scores"]["a"] = 11
    login(factories.user(is_admin=True))
    response = client.post("/manage/import", data={
        "file": (io.BytesIO(json.dumps(document).encode()), "contest.json")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was imported. reviews[0].scores.a: 11 is above the maximum 10" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contest)) == 1
