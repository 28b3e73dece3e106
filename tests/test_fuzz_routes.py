"""Random ids, page numbers, unicode and NUL characters sent to every GET route with parameters:
the answer may be a page, a redirect or "not found", never a server error (issue #16, finding 7)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.test_route_matrix import world  # noqa: F401  (the seeded contest, a fixture)

_VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")

# Any text, NUL and the other control characters included, surrogates excluded (not UTF-8).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
NUMBER = st.one_of(
    st.integers(min_value=0, max_value=2**70).map(str),
    st.sampled_from(["2147483647", "2147483648", "9223372036854775808", "1e9", "-1", "0", "00"]),
    TEXT,
)
QUERY_NAMES = ("page", "round", "judges", "nomination", "status", "q", "action", "inline", "next")


def _get_routes(app) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and rule.arguments and rule.endpoint != "static")


@st.composite
def requests(draw, routes: list[str], known: dict[str, object]):
    rule = draw(st.sampled_from(routes))

    def fill(match: re.Match) -> str:
        converter, name = match.group(1) or "string", match.group(2)
        choices = [NUMBER if converter == "int" else TEXT]
        if name in known:
            choices.append(st.just(str(known[name])))  # a real id now and then, so pages get past their 404
        value = draw(st.one_of(*choices))
        return quote(value, safe="") or "x"

    path = _VARIABLE.sub(fill, rule)
    query = draw(st.dictionaries(st.sampled_from(QUERY_NAMES), NUMBER, max_size=3))
    return f"{path}?{urlencode(query)}" if query else path


def test_no_get_route_answers_5xx(app, world):  # noqa: F811
    people, values = world
    clients = {"anonymous": app.test_client()}
    for role in ("admin", "judge", "entrant"):
        client = app.test_client()
        client.post("/auth/login", data={"email": people[role].email, "password": factories.PASSWORD})
        clients[role] = client
    routes = _get_routes(app)
    assert len(routes) > 30

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(url=requests(routes, values), role=st.sampled_from(sorted(clients)))
    def probe(url, role):
        response = clients[role].get(url)
        response.close()
        assert response.status_code < 500, (role, url, response.status_code)

    probe()


def test_ids_beyond_integer_columns_are_404_on_every_int_route(app, world):  # noqa: F811
    people, values = world
    admin = app.test_client()
    admin.post("/auth/login", data={"email": people["admin"].email, "password": factories.PASSWORD})
    int_rules = [rule for rule in app.url_map.iter_rules() if "int:" in rule.rule]
    assert len(int_rules) >= 14
    for rule in int_rules:
        for huge in (2**31, 2**63, 10**30):
            def fill(match: re.Match, huge=huge) -> str:
                return str(huge) if match.group(1) == "int" else quote(str(values[match.group(2)]), safe="")

            url = _VARIABLE.sub(fill, rule.rule)
            # A route without GET is asked with its own method (POST, or DELETE for the API's removals).
            method = "GET" if "GET" in rule.methods else ("POST" if "POST" in rule.methods
                                                           else sorted(rule.methods - {"OPTIONS"})[0])
            response = admin.open(url, method=method)
            response.close()
            assert response.status_code == 404, (url, response.status_code)
