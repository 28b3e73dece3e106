"""The whole contest in a real browser, in Russian and in English, and at phone size.

Every page visited is checked (console, network, translation, accessibility); see checks.py.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.checks import Findings
from tests.e2e.conftest import artifacts
from tests.e2e.journey import Journey

pytestmark = pytest.mark.e2e

def run_journey(browser, server, *, name: str, language: str, phone: bool, steps: list[str]):
    findings = Findings(journey=name, folder=artifacts(name, fresh=True))
    journey = Journey(browser, server, findings, name=name, language=language, phone=phone)
    try:
        for step in steps:
            started = time.monotonic()
            getattr(journey, step)()
            findings.timings.append((step, time.monotonic() - started))
            findings.server.extend(server.new_log_errors())
    except Exception:
        journey.keep_evidence()
        raise
    finally:
        journey.close()
        findings.server.extend(server.new_log_errors())
        report = findings.write()
    if findings.blocking():
        pytest.fail(f"{findings.report()}\n(written to {report})", pytrace=False)


FULL = [
    "admin_creates_contest",
    "organiser_sets_up",
    "organiser_builds_form",
    "visitor_reads_contest",
    "entrants_register",
    "entrants_apply",
    "entrant_edits_after_submitting",
    "late_entrant_is_refused",
    "organiser_screens",
    "organiser_invites_jury",
    "judges_accept",
    "organiser_assigns",
    "judge_declares_conflict",
    "judges_score_round1",
    "organiser_resolves_disagreement",
    "organiser_sees_prefinalise_list",
    "organiser_closes_round1",
    "judge_refused_after_finalise",
    "round2_is_scored",
    "organiser_publishes",
    "organiser_corrects_after_publication",
    "public_and_entrants_see_results",
    "organiser_downloads_documents",
]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_whole_contest_in_browser(browser, server, language):
    run_journey(browser, server, name=f"full-{language}", language=language, phone=False,
                steps=FULL)


def test_contest_at_phone_size(browser, server):
    run_journey(browser, server, name="phone", language="ru", phone=True, steps=FULL)
