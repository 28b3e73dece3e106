"""Exports an organiser can have built in the background, as file jobs of the platform's queue.

The queue knows these functions only by their dotted paths; this module knows the domains it exports.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from app.extensions import db
from app.models import Contest, Round
from app.services import exchange
from app.services.intake import entries, entry_export
from app.services.platform.jobs import JobFile, JobNotFound, start_file_job
from app.services.results import export as results_export
from app.services.statistics import export as statistics_export


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    # A function(contest_id=…, language=…, **params) -> JobFile.
    function: str
    params: dict


def export_kinds(contest) -> list[ExportKind]:
    """What can be exported of this contest."""
    kinds = [
        ExportKind("entries-xlsx", _("Entries with every answer (XLSX)"), f"{__name__}.export_entries",
                   {"fmt": "xlsx"}),
        ExportKind("entries-csv", _("Entries with every answer (CSV)"), f"{__name__}.export_entries",
                   {"fmt": "csv"}),
    ]
    for round_ in contest.rounds:
        for fmt in ("xlsx", "csv", "json"):
            kinds.append(ExportKind(
                f"results-{round_.id}-{fmt}",
                _("Results of %(round)s (%(format)s)", round=round_.loc("title"), format=fmt.upper()),
                f"{__name__}.export_results", {"round_id": round_.id, "fmt": fmt}))
    kinds += [
        ExportKind("contest-zip", _("The whole contest with its files (exchange format, ZIP)"),
                   f"{__name__}.export_contest", {"fmt": "zip"}),
        ExportKind("contest-json", _("The whole contest without files (exchange format, JSON)"),
                   f"{__name__}.export_contest", {"fmt": "json"}),
    ]
    return kinds


def start_export(*, contest, kind: str, user, language: str) -> str:
    """Starts building an export of the contest; returns the job id (see get_job)."""
    chosen = next(k for k in export_kinds(contest) if k.key == kind)
    return start_file_job(function_path=chosen.function,
                          kwargs={"contest_id": contest.id, "language": language, **chosen.params},
                          label=f"{chosen.label} — {contest.loc('title', language)}",
                          owner_id=user.id, contest_id=contest.id)


def _contest(contest_id: int):
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise JobNotFound(f"contest {contest_id}")
    return contest


_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
}


def _as_bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def export_entries(*, contest_id: int, language: str, fmt: str) -> JobFile:
    contest = _contest(contest_id)
    build = {"xlsx": entry_export.export_xlsx, "csv": entry_export.export_csv}[fmt]
    with force_locale(language):
        data = build(contest, entries.EntryFilter())
    return JobFile(f"{contest.slug}-entries.{fmt}", _TYPES[fmt], _as_bytes(data))


def export_results(*, contest_id: int, language: str, round_id: int, fmt: str) -> JobFile:
    contest = _contest(contest_id)
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.contest_id != contest.id:
        raise JobNotFound(f"round {round_id}")
    build = {"xlsx": results_export.results_xlsx, "csv": results_export.results_csv,
             "json": statistics_export.results_json}[fmt]
    with force_locale(language):
        data = build(round_)
    return JobFile(f"{contest.slug}-{round_.key}-results.{fmt}", _TYPES[fmt], _as_bytes(data))


def export_contest(*, contest_id: int, language: str, fmt: str) -> JobFile:
    contest = _contest(contest_id)
    build = {"zip": exchange.export_zip, "json": exchange.export_json}[fmt]
    return JobFile(f"{contest.slug}.{fmt}", _TYPES[fmt], _as_bytes(build(contest)))
