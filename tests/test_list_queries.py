"""Every list page costs a fixed number of SQL queries, whatever the length of its list."""

import pytest

from app.services.setup import contests as contest_service


def _queries(client, count_queries, path):
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count


@pytest.mark.parametrize("path", ["/", "/admin/", "/manage/"])
def test_contest_lists_fixed_queries(client, make, login, count_queries, path):
    admin = login(make.user(is_admin=True))
    make.contest(organiser=admin)
    few = _queries(client, count_queries, path)
    for _ in range(8):
        make.contest(organiser=admin)
    assert _queries(client, count_queries, path) == few


def test_contest_setup_page_fixed_queries(client, make, login, count_queries):
    organiser = login(make.user())
    contest = make.contest(slug="lists", organiser=organiser, nominations=1)
    make.round_(contest)
    few = _queries(client, count_queries, "/manage/lists/")
    for index in range(6):
        contest_service.add_nomination(contest, key=f"extra{index}", title_ru="Н", title_en="N")
        make.round_(contest)
    assert _queries(client, count_queries, "/manage/lists/") == few


def test_round_criteria_page_fixed_queries(client, make, login, count_queries):
    organiser = login(make.user())
    contest = make.contest(slug="crit", organiser=organiser)
    small = make.round_(contest, criteria=[("a", "1", 0, 10)])
    large = make.round_(contest, criteria=[(f"k{i}", "1.5", 0, 10) for i in range(12)])
    assert (_queries(client, count_queries, f"/manage/crit/rounds/{small.id}/")
            == _queries(client, count_queries, f"/manage/crit/rounds/{large.id}/"))


def test_my_entries_fixed_queries(client, make, login, count_queries):
    entrant = login(make.user())
    contest = make.contest()
    round_ = make.round_(contest)
    make.entry(contest, entrant=entrant, rounds=[round_])
    few = _queries(client, count_queries, "/apply/")
    for _ in range(6):
        other = make.contest()
        make.entry(other, entrant=entrant, rounds=[make.round_(other)])
    assert _queries(client, count_queries, "/apply/") == few


def test_public_contest_page_fixed_queries(client, make, login, count_queries):
    entrant = login(make.user())
    contest = make.contest(slug="pub", nominations=1)
    make.round_(contest)
    make.entry(contest, entrant=entrant)
    few = _queries(client, count_queries, "/c/pub/")
    for index in range(6):
        contest_service.add_nomination(contest, key=f"more{index}", title_ru="Н", title_en="N")
        make.entry(contest, entrant=entrant)
    assert _queries(client, count_queries, "/c/pub/") == few
