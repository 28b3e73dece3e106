"""Before publication nobody but the contest's organisers sees any score or rank: not on a page,
not in a file, not through a URL. Each is tried as anonymous, entrant, judge and another
contest's organiser."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services.results import outcomes as results_service
from tests import factories
from tests.results_helpers import Scored

ORGANISER_URLS = [
    "/manage/{slug}/results",
    "/manage/{slug}/results?round={round1}&scope=round",
    "/manage/{slug}/results/{round1}/entries/{entry}",
    "/manage/{slug}/results/{round1}/export.json",
    "/manage/{slug}/results/{round1}/export.csv",
    "/manage/{slug}/results/{round1}/export.xlsx",
    "/manage/{slug}/export.json",
    "/manage/{slug}/export.zip",
    "/manage/{slug}/results/final",
    "/manage/{slug}/awards",
    "/manage/{slug}/results/{round1}/advance",
    "/manage/{slug}/results/{round1}/reopen",
    "/manage/{slug}/results/unpublish",
]
ORGANISER_POSTS = [
    "/manage/{slug}/results/{round1}/finalise",
    "/manage/{slug}/results/publish",
    "/manage/{slug}/results/{round1}/advance",
    "/manage/{slug}/awards",
    "/manage/{slug}/awards/places",
    "/manage/{slug}/results/final",
]
PUBLIC_URLS = ["/c/{slug}/results", "/c/{slug}/results/entry/{entry}"]


@pytest.fixture
def world(app):
    s = Scored()
    s.other_organiser = factories.user(name="Other organiser")
    factories.contest(organiser=s.other_organiser)
    s.entrant = s.entries[0].entrant
    s.other_entrant = s.entries[1].entrant
    s.judge = s.judges[0]
    return s


def _format(url, s):
    return url.format(slug=s.contest.slug, round1=s.round1.id, entry=s.entries[0].id)


def _as(role, s, login, client):
    client.post("/auth/logout")
    if role != "anonymous":
        login(getattr(s, role))


ROLES = ["anonymous", "entrant", "judge", "other_organiser"]


@pytest.mark.parametrize("role", ROLES)
def test_organiser_pages_and_files_refused(world, client, login, role):
    _as(role, world, login, client)
    for url in ORGANISER_URLS:
        response = client.get(_format(url, world))
        expected = 302 if role == "anonymous" else 403
        assert response.status_code == expected, url
        assert "26.00" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_organiser_actions_refused(world, client, login, role):
    _as(role, world, login, client)
    for url in ORGANISER_POSTS:
        response = client.post(_format(url, world), data={"mode": "top", "count": "1", "submit": "1",
                                                          "entry_number": world.entries[0].number, "place": "1"})
        assert response.status_code in (302, 403), url
        if role != "anonymous":
            assert response.status_code == 403
    db.session.expire_all()
    assert world.round1.finalised_at is None and world.contest.results_published_at is None


@pytest.mark.parametrize("role", ROLES)
def test_public_results_hidden_before_publication(world, client, login, role):
    _as(role, world, login, client)
    for url in PUBLIC_URLS:
        response = client.get(_format(url, world))
        assert response.status_code in ((302,) if role == "anonymous" and "entry" in url else (404,)), url
        assert "26.00" not in response.get_data(as_text=True)


def test_public_results_previewed_by_organiser(world, client, login):
    login(world.organiser)
    page = client.get(_format("/c/{slug}/results", world)).get_data(as_text=True)
    assert "Preview for organisers" in page and "26.00" in page


def test_contest_import_page_for_administrators_only(world, client, login):
    for role in ("organiser", "entrant", "other_organiser"):
        _as(role, world, login, client)
        assert client.get("/manage/import").status_code == 403
    client.post("/auth/logout")
    assert client.get("/manage/import").status_code == 302


def _publish(world):
    results_service.finalise_round(world.round1, actor=world.organiser)
    results_service.publish_results(world.contest, actor=world.organiser, notify=False)
    db.session.commit()


@pytest.mark.parametrize("role", ["anonymous", "entrant", "judge", "other_organiser"])
def test_public_results_visible_to_everyone_after_publication(world, client, login, role):
    _publish(world)
    _as(role, world, login, client)
    page = client.get(_format("/c/{slug}/results", world)).get_data(as_text=True)
    main = page.split("<main")[1]
    assert "26.00" in main and world.entries[0].title in main
    assert "Judge 0" not in main


def test_entrant_sees_own_result_after_publication_without_judge_names(world, client, login):
    _publish(world)
    login(world.entrant)
    response = client.get(_format("/c/{slug}/results/entry/{entry}", world))
    page = response.get_data(as_text=True).split("<main")[1]
    assert response.status_code == 200
    assert "26.00" in page and "rank 1 of 3 in the nomination" in page
    assert f"Feedback A{world.entries[0].number}" in page and f"Feedback B{world.entries[0].number}" in page
    assert "Judge 0" not in page and "Judge 1" not in page and world.judges[0].email not in page


@pytest.mark.parametrize("role", ["other_entrant", "judge", "other_organiser"])
def test_other_people_never_see_an_entrants_result_page(world, client, login, role):
    _publish(world)
    _as(role, world, login, client)
    assert client.get(_format("/c/{slug}/results/entry/{entry}", world)).status_code == 404


def test_entry_result_page_of_another_contest_is_not_found(world, client, login):
    _publish(world)
    other = factories.contest(organiser=world.other_organiser)
    login(world.entrant)
    assert client.get(f"/c/{other.slug}/results/entry/{world.entries[0].id}").status_code == 404


def test_organiser_entry_page_of_another_contest_is_not_found(world, client, login):
    other = factories.contest(organiser=world.organiser)
    login(world.organiser)
    url = f"/manage/{other.slug}/results/{world.round1.id}/entries/{world.entries[0].id}"
    assert client.get(url).status_code == 404


def test_withdrawn_publication_hides_scores_again(world, client, login):
    _publish(world)
    results_service.unpublish_results(world.contest, actor=world.organiser, reason="Correction")
    db.session.commit()
    login(world.entrant)
    assert client.get(_format("/c/{slug}/results", world)).status_code == 404
    assert client.get(_format("/c/{slug}/results/entry/{entry}", world)).status_code == 404
