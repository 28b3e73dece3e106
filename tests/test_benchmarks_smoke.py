"""The benchmark runner at a tiny size, so it cannot rot: every case runs once, end to end.

Ratios mean nothing at this size (fixed costs dominate); what is checked is that each case runs
and measures, and the targets that do not depend on size: a balanced, optimal, conflict-free
assignment, a fixed number of SQL statements on the judge pages, bounded memory on upload.
"""

from __future__ import annotations

from tests.benchmarks import runner
from tests.benchmarks.data import Size

TINY = Size("tiny", entries=30, judges=6)


def _checks(report, prefix: str) -> list[bool]:
    return [check.passed for check in report.checks if check.text.startswith(prefix)]


def test_benchmark_tiny_size_runs_every_case_and_meets_the_size_free_targets():
    options = runner.Options(size=TINY, repeat=1, database_url=None, upload_mb=1, page_repeat=1)

    report = runner.run(options, log=lambda text: None)
    table = runner.render(report)

    assert [row.case for row in report.rows] == [
        "assign", "rank (mean)", "rank (zscore)", "flag", "results page", "results page vs S", "judge dashboard",
        "scoring page", "score submit", "export CSV", "export XLSX", "upload 1 MB", "statistics",
        "funding page", "funding rules 1–2", "funding rule 3"]
    assert all(len(row.product.seconds) == 1 and row.product.median > 0 for row in report.rows)
    assert all(row.ratio is not None and row.ratio > 0 for row in report.rows if row.case != "upload 1 MB")
    assert _checks(report, "statistics: peak memory growth") in ([True], [])
    assert [report.counts["entries"], report.counts["judges"]] == [30, 6]
    assert all(f"| {row.case} |" in table for row in report.rows)
    assert _checks(report, "assign: load spread") == [True]
    assert _checks(report, "assign: 90 assignments") == [True]
    assert _checks(report, "assign: 0 assignments break a conflict") == [True]
    assert _checks(report, "judge dashboard: SQL statements") == [True]
    assert _checks(report, "score submit: SQL statements") == [True]
    assert _checks(report, "upload: peak resident memory") in ([True], [])  # [] where /proc is missing
    assert _checks(report, "funding rules 1–2") == [True]
    assert _checks(report, "funding rule 3") == [True]
    assert runner.exit_status(report, check=False) == 0
    assert runner.exit_status(report, check=True) == (0 if report.passed else 1)


def test_benchmark_command_prints_the_table_and_exits_zero(capsys):
    status = runner.main(["--entries", "30", "--judges", "6", "--repeat", "1", "--cases", "flag",
                          "--database-url", ""])

    output = capsys.readouterr().out
    assert status == 0
    assert "| flag |" in output
    assert "target(s) missed" in output or "all targets met" in output
