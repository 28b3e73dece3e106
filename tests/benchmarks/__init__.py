"""Benchmarks at contest scale: `python -m tests.benchmarks --size M`.

Each case is timed against a baseline measured in the same run on the same data, and reported
as a ratio (see `runner.py`). The modules here are not named `test_*.py`, so pytest does not
collect them; `tests/test_benchmarks_smoke.py` runs the whole benchmark at a tiny size.
"""
