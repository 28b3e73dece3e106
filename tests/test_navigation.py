"""The navigation bar: each role's links, read with the account (no query of their own)."""

from __future__ import annotations

import re

import pytest

from app.services.platform import accounts
from app.services.platform.accounts import Roles
from tests import factories
from tests import scoring_helpers as sh


def _nav_links(page: str) -> list[str]:
    bar = page.split('<ul class="navbar-nav me-auto">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'class="nav-link" href="[^"]*">([^<]+)</a>', bar)


@pytest.mark.parametrize("role", ["entrant", "invited judge", "judge", "organiser"])
def test_each_role_sees_its_links(app, client, login, role):
    organiser = factories.user(name="Organiser", locale="en")
    contest = factories.contest(organiser=organiser)
    round_ = factories.round_(contest)
    person = {"entrant": lambda: factories.user(locale="en"),
              "invited judge": lambda: sh.judge(round_, status="invited"),
              "judge": lambda: sh.judge(round_),
              "organiser": lambda: organiser}[role]()
    login(person)
    links = _nav_links(client.get("/").get_data(as_text=True))
    expected = {"entrant": ["Contests", "My applications"],
                "invited judge": ["Contests", "My applications"],
                "judge": ["Contests", "My applications", "Jury"],
                "organiser": ["Contests", "My applications", "Manage"]}[role]
    assert links == expected


def test_roles_are_read_with_the_account_in_one_query(app, count_queries):
    organiser = factories.user(name="Organiser")
    round_ = factories.round_(factories.contest(organiser=organiser))
    judge = sh.judge(round_)
    for user_id, roles in ((organiser.id, Roles(organises=True, judges=False)),
                           (judge.id, Roles(organises=False, judges=True))):
        with app.test_request_context():
            with count_queries() as loading:
                user = accounts.load_signed_in(user_id)
            with count_queries() as asking:
                assert accounts.roles_of(user) == roles
        assert (loading.count, asking.count) == (1, 0)
    assert accounts.load_signed_in(10**9) is None


def test_roles_of_an_account_read_otherwise_are_asked(app, count_queries):
    organiser = factories.user(name="Organiser")
    factories.contest(organiser=organiser)
    fresh = factories.user(name="Nobody")
    fresh.id  # noqa: B018 - read back after the commit, before counting
    with count_queries() as asking:
        assert accounts.roles_of(fresh) == Roles(organises=False, judges=False)
    assert asking.count == 1
