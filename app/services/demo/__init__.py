"""The demo contest of DESIGN §7, "Formula of the Future 2026" / «Формула будущего — 2026».

Each step seeds one stage of the contest's life, so the demo shows a contest mid-way:
set-up, entries, jury and assignments, scores, results.
"""

from __future__ import annotations

import random

from app.services.demo.entries import seed_entries
from app.services.demo.jury import seed_jury
from app.services.demo.results import seed_results
from app.services.demo.scoring import seed_scoring
from app.services.demo.setup import DEMO_PASSWORD, seed_setup

__all__ = ["DEMO_PASSWORD", "seed_demo"]

STAGES = (seed_entries, seed_jury, seed_scoring, seed_results)


def seed_demo(seed: int = 2026) -> list[tuple[str, str]]:
    """Seeds the whole demo; returns the logins to print as (role, e-mail)."""
    rng = random.Random(seed)
    demo = seed_setup(rng)
    for stage in STAGES:
        stage(demo, rng)
    return demo.logins
