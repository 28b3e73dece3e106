"""Blind judging in a real browser, in Russian and in English (issue 22); see blind_journey.py."""

from __future__ import annotations

import pytest

from tests.e2e.blind_journey import BlindJourney
from tests.e2e.test_journey import run_journey

pytestmark = pytest.mark.e2e

BLIND = [
    "admin_creates_contest",
    "organiser_sets_up",
    "organiser_makes_round_blind",
    "organiser_builds_form",
    "entrants_register",
    "entrants_apply",
    "organiser_runs_check",
    "organiser_decides",
    "entrant_replaces_file",
    "organiser_screens",
    "organiser_invites_jury",
    "judges_accept",
    "organiser_assigns",
    "judge_sees_blind_entry",
]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_blind_round_in_browser(browser, server, language):
    run_journey(browser, server, name=f"blind-{language}", language=language, phone=False, steps=BLIND,
                journey_class=BlindJourney)
