"""Background file jobs (exports): started by an organiser, built in the request without Redis or
by a real RQ worker with it, followed on a status page, downloaded by the contest's organisers only."""

from __future__ import annotations

import uuid

import pytest

from app.services.platform import jobs
from tests.test_production import queue_on_local_redis
from tests.test_production import work as _work


@pytest.fixture
def redis_queue(app):
    yield from queue_on_local_redis(app)


@pytest.fixture
def contest_with_entry(make):
    organiser = make.user(name="Olga Organiser")
    contest = make.contest(organiser=organiser)
    make.round_(contest)
    make.entry(contest, title="Clean rivers of Krasnoyarsk")
    return contest, organiser


def _start(client, contest, kind="entries-csv"):
    response = client.post(f"/manage/{contest.slug}/exports/{kind}")
    assert response.status_code == 302, response.status_code
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_exports_page_lists_available_kinds(client, login, contest_with_entry):
    contest, organiser = contest_with_entry
    login(organiser)
    page = client.get(f"/manage/{contest.slug}/exports").get_data(as_text=True)
    assert "entries-csv" in page and "entries-xlsx" in page


def test_export_without_queue_is_built_in_request(client, login, contest_with_entry):
    contest, organiser = contest_with_entry
    login(organiser)
    job_id = _start(client, contest)
    status = client.get(f"/jobs/{job_id}?format=json").get_json()
    assert status["status"] == "done"
    assert status["download"] == f"/jobs/{job_id}/download"
    download = client.get(status["download"])
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "Clean rivers of Krasnoyarsk" in download.get_data().decode("utf-8-sig")


def test_export_with_queue_waits_for_worker(client, login, contest_with_entry, redis_queue):
    contest, organiser = contest_with_entry
    login(organiser)
    job_id = _start(client, contest, "entries-xlsx")
    assert redis_queue.count == 1
    waiting = client.get(f"/jobs/{job_id}")
    assert waiting.status_code == 200
    assert waiting.headers["Refresh"] == "3"
    assert client.get(f"/jobs/{job_id}/download").status_code == 404
    _work(redis_queue)
    status = client.get(f"/jobs/{job_id}", headers={"Accept": "application/json"}).get_json()
    assert status["status"] == "done"
    download = client.get(status["download"])
    assert download.status_code == 200
    assert download.data[:2] == b"PK"  # an XLSX file is a zip archive
    assert "Refresh" not in client.get(f"/jobs/{job_id}").headers


def test_job_of_contest_hidden_from_others(client, login, make, contest_with_entry):
    contest, organiser = contest_with_entry
    login(organiser)
    job_id = _start(client, contest)
    other_organiser = make.user()
    make.contest(organiser=other_organiser)
    for person in (other_organiser, make.user()):
        login(person)
        assert client.get(f"/jobs/{job_id}").status_code == 404
        assert client.get(f"/jobs/{job_id}/download").status_code == 404
        assert client.post(f"/manage/{contest.slug}/exports/entries-csv").status_code == 403
    client.post("/auth/logout")
    assert client.get(f"/jobs/{job_id}/download").status_code == 302  # to the login page


def test_job_visible_to_every_organiser_of_its_contest(client, login, make, contest_with_entry):
    from app.extensions import db
    from app.services.setup import contests

    contest, organiser = contest_with_entry
    login(organiser)
    job_id = _start(client, contest)
    colleague = make.user()
    contests.appoint_organiser(contest, colleague)
    db.session.commit()
    login(colleague)
    assert client.get(f"/jobs/{job_id}/download").status_code == 200


def test_job_unknown_or_malformed_id_is_404(client, login, contest_with_entry):
    _contest, organiser = contest_with_entry
    login(organiser)
    assert client.get(f"/jobs/{uuid.uuid4().hex}").status_code == 404
    assert client.get("/jobs/..%2f..%2fetc").status_code == 404


def test_export_of_unknown_kind_is_404(client, login, contest_with_entry):
    contest, organiser = contest_with_entry
    login(organiser)
    assert client.post(f"/manage/{contest.slug}/exports/passwords").status_code == 404


def broken_export(**_kwargs):
    raise ValueError("no such data")


def test_failing_job_is_marked_failed(app, client, login, contest_with_entry, redis_queue):
    contest, organiser = contest_with_entry
    with app.test_request_context("/"):
        job_id = jobs.start_file_job(function_path="tests.test_jobs.broken_export", kwargs={},
                                     label="Broken", owner_id=organiser.id, contest_id=contest.id)
    _work(redis_queue)
    login(organiser)
    assert client.get(f"/jobs/{job_id}?format=json").get_json()["status"] == "failed"
    assert "could not be prepared" in client.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_contest_archive_and_results_exports_run_in_worker(client, login, contest_with_entry, redis_queue):
    import io
    import zipfile

    from app.services.exchange import DOCUMENT_NAME

    contest, organiser = contest_with_entry
    login(organiser)
    page = client.get(f"/manage/{contest.slug}/exports").get_data(as_text=True)
    round_id = contest.rounds[0].id
    assert f"results-{round_id}-xlsx" in page and "contest-zip" in page
    archive_job = _start(client, contest, "contest-zip")
    results_job = _start(client, contest, f"results-{round_id}-json")
    _work(redis_queue)
    archive = client.get(f"/jobs/{archive_job}/download")
    assert archive.status_code == 200
    assert DOCUMENT_NAME in zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    results = client.get(f"/jobs/{results_job}/download").get_json()
    assert results["contest"] == contest.slug
