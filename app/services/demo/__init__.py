"""The demo contest of DESIGN §7, "Formula of the Future 2026" / «Формула будущего — 2026».

Each step seeds one stage of the contest's life, so the demo shows a contest mid-way:
set-up, entries, jury and assignments, scores, results.
"""

from __future__ import annotations

import random

from app.services.demo.setup import DEMO_PASSWORD, seed_setup

__all__ = ["DEMO_PASSWORD", "seed_demo"]

# Later stages add themselves here: (module, function) run in order after the set-up.
STAGES = [
    ("app.services.demo.entries", "seed_entries"),
    ("app.services.demo.jury", "seed_jury"),
    ("app.services.demo.scoring", "seed_scoring"),
    ("app.services.demo.results", "seed_results"),
]


def seed_demo(seed: int = 2026) -> list[tuple[str, str]]:
    """Seeds the whole demo; returns the logins to print as (role, e-mail)."""
    import importlib

    rng = random.Random(seed)
    demo = seed_setup(rng)
    for module_name, function_name in STAGES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue
            raise
        getattr(module, function_name)(demo, rng)
    return demo.logins
