"""The organiser's results page shows the ranking and the judges a page at a time, with the
counts and charts of the whole round."""

from __future__ import annotations

import re

from app.manage import results_routes
from tests.results_helpers import Scored


def _numbers(page: str) -> list[str]:
    """Entry numbers in the ranking tables, in order (the second cell of each row)."""
    return re.findall(r"<tr[^>]*>\s*<td>[^<]*</td>\s*<td>(\d+)</td>", page)


def test_ranking_is_paged_in_ranking_order(client, login, monkeypatch):
    monkeypatch.setattr(results_routes, "RESULTS_PER_PAGE", 4)
    s = Scored(entries_per_nomination=3)  # 6 entries, two nominations
    login(s.organiser)
    url = f"/manage/{s.contest.slug}/results?round={s.round1.id}"
    first = client.get(url).get_data(as_text=True)
    second = client.get(url + "&page=2").get_data(as_text=True)
    everything = _numbers(first) + _numbers(second)
    assert len(_numbers(first)) == 4 and len(_numbers(second)) == 2
    assert sorted(everything, key=int) == sorted((str(e.number) for e in s.entries), key=int)
    assert "Page 1 of 2" in first and "Page 2 of 2" in second and "page=2" in first
    # Counts are the whole round's on every page.
    assert re.search(r'data-testid="counts">6 ', first) and re.search(r'data-testid="counts">6 ', second)
    # A page past the end shows the last one.
    assert _numbers(client.get(url + "&page=99").get_data(as_text=True)) == _numbers(second)


def test_judges_are_paged(client, login, monkeypatch):
    monkeypatch.setattr(results_routes, "JUDGES_PER_PAGE", 1)
    s = Scored(entries_per_nomination=1)
    login(s.organiser)
    url = f"/manage/{s.contest.slug}/results?round={s.round1.id}"
    first = client.get(url).get_data(as_text=True)
    second = client.get(url + "&judges=2").get_data(as_text=True)
    assert "Judge 0" in first and "Judge 1" not in first
    assert "Judge 1" in second and "judges=2" in first
