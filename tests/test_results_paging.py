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


def test_score_histograms_count_every_rated_entry_in_its_group(app):
    from fractions import Fraction

    from app.services.results import outcomes as results
    from app.services.results.ranking import rank_round

    s = Scored(entries_per_nomination=3)  # 6 entries in two nominations, rated
    for overall in (False, True):
        ranking = rank_round(s.round1, overall=overall)
        low, high = (Fraction(v) for v in results.score_scale(s.round1))
        expected = []
        for nomination, rows in ranking.groups():  # the plain reading, group by group
            counts = [0] * 10
            for row in rows:
                if not row.unrated:
                    position = int((Fraction(row.score) - low) / (high - low) * 10)
                    counts[min(max(position, 0), 9)] += 1
            expected.append((nomination, counts))
        assert results.score_histograms(ranking, bins=10) == expected
        assert sum(sum(counts) for _n, counts in expected) == ranking.counts()["rated"] > 0
        assert len(expected) == (1 if overall else 2)
