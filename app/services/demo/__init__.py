"""The demo contest of DESIGN §7, "Formula of the Future 2026" / «Формула будущего — 2026», mid-judging,
and beside it a second call, «Малые гранты — 2027», whose intake is open (a newcomer can apply at once).

Each step seeds one stage of the contest's life, so the demo shows a contest mid-way:
set-up, entries, jury and assignments, scores, results.
"""

from __future__ import annotations

import random

from app.services.demo.entries import seed_entries
from app.services.demo.jury import seed_jury
from app.services.demo.open_call import seed_open_call
from app.services.demo.results import seed_results
from app.services.demo.scoring import seed_scoring
from app.services.demo.setup import DEMO_PASSWORD, seed_setup

__all__ = ["DEMO_PASSWORD", "seed_demo"]

STAGES = (seed_entries, seed_jury, seed_scoring, seed_results, seed_open_call)


def seed_demo(seed: int = 2026) -> list[tuple[str, str]]:
    """Seeds the whole demo; returns the logins to print as (role, e-mail)."""
    rng = random.Random(seed)
    demo = seed_setup(rng)
    for stage in STAGES:
        stage(demo, rng)
    return demo.logins
