"""The production set-up under load, on loopback only, bounded in time; then: was anything lost?

    .venv/bin/python -m loadtest.run            # about 2 minutes on 2 cores

It starts, on 127.0.0.1 only: a fresh PostgreSQL database (127.0.0.1:5432, user postgres), an
empty Redis database (127.0.0.1:6379), an S3 API (moto's server on a free port), gunicorn with
4 workers and the RQ worker, all configured through the environment exactly as in production.
It seeds a call whose deadline falls inside the run and a round being judged, then runs locust:
200 entrants draft, upload 1–5 MB files and submit around the deadline while 50 judges save and
submit scores. Midway one gunicorn worker is killed with SIGKILL.

At the end it checks, from the database and the storage, that every write the server
acknowledged is there (submitted entries, files with their SHA-256, submitted scores, the
last saved text), that no request got a 5xx, that every submit sent by the end of the deadline
second was accepted and every one sent after it refused (none dated after it), and that every
confirmation e-mail went through the queue. It prints requests per second and p50/p95/p99 latency per kind of request,
writes summary.json, and exits non-zero if any check failed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # loopback only: nothing here talks to another address


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float, expect: int = 200) -> None:
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == expect:
                    return
        except Exception as error:  # noqa: BLE001 - still starting
            last = error
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s: {last!r}")


class Run:
    def __init__(self, args):
        self.args = args
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.out = Path(args.out or ROOT / "instance" / "loadtest" / stamp).resolve()
        self.out.mkdir(parents=True, exist_ok=True)
        self.db_name = f"fj_load_{stamp.replace('-', '_')}_{os.getpid()}"
        self.processes: list[subprocess.Popen] = []
        self.checks: list[tuple[str, bool, str]] = []
        self.figures: dict = {}
        self.database_created = False
        self.redis_db: int | None = None

    # --- services ------------------------------------------------------------------------------

    def pg(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(host=HOST, port=5432, user="postgres", dbname=database, autocommit=True)

    def create_database(self) -> None:
        with self.pg() as connection:
            connection.execute(f'CREATE DATABASE "{self.db_name}"')
        self.database_created = True

    def drop_database(self) -> None:
        with self.pg() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def pick_redis_db(self) -> int:
        from redis import Redis

        # db 15 belongs to the test suite (tests/test_production.py).
        for number in [self.args.redis_db, *range(14, 7, -1)]:
            if Redis(host=HOST, port=6379, db=number).dbsize() == 0:
                return number
        raise RuntimeError("no empty Redis database between 8 and 14")

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = (self.out / f"{name}.log").open("wb")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 30) -> None:
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    # --- the run -------------------------------------------------------------------------------

    def execute(self) -> int:
        args = self.args
        self.create_database()
        self.redis_db = self.pick_redis_db()
        s3_port, web_port = free_port(), free_port()
        queue_name = f"fj-load-{os.getpid()}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))},
            "FJ_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": f"postgresql+psycopg://postgres@{HOST}:5432/{self.db_name}",
            "REDIS_URL": f"redis://{HOST}:6379/{self.redis_db}",
            "JOB_QUEUE": queue_name,
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT_URL": f"http://{HOST}:{s3_port}",
            "S3_BUCKET": "formula-jury-load",
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "load",
            "S3_SECRET_ACCESS_KEY": "load-secret",
            "BIND": f"{HOST}:{web_port}",
            "PUBLIC_URL": f"http://{HOST}:{web_port}",
            "WEB_CONCURRENCY": str(args.workers),
            "WEB_THREADS": str(args.threads),
            # The simulated people pause up to 20 s and then reuse their connection, as a proxy
            # in front would; a shorter keep-alive races with them (a request on a just-closed
            # connection), which browsers retry and locust does not.
            "WEB_KEEPALIVE": "75",
            "LOG_FORMAT": "json",
            "INSTANCE_PATH": str(self.out / "instance"),
            # Every simulated person logs in from 127.0.0.1: the per-address login limit would
            # stop them, so it is raised here (the limiter still counts in Redis).
            "LOGIN_RATE_LIMIT": "100000 per minute",
            "MAIL_OUTBOX_DIR": str(self.out / "mail"),
        }
        self.base = f"http://{HOST}:{web_port}"
        print(f"load test: output in {self.out}")
        print(f"  PostgreSQL database {self.db_name}, Redis db {self.redis_db}, S3 (moto) on port {s3_port}, "
              f"gunicorn on {self.base} ({args.workers} workers × {args.threads} threads)")

        self.moto = self.start("moto", [str(BIN / "moto_server"), "-H", HOST, "-p", str(s3_port)], self.env)
        wait_for(f"http://{HOST}:{s3_port}/moto-api/", 30)
        self.s3().create_bucket(Bucket=self.env["S3_BUCKET"])

        seed_path = self.out / "seed.json"
        provisional = datetime.now(UTC) + timedelta(hours=1)
        subprocess.run([sys.executable, "-m", "loadtest.seed", "--deadline", provisional.isoformat(),
                        "--out", str(seed_path), "--entrants", str(args.entrants), "--judges", str(args.judges),
                        *(["--scrypt"] if args.scrypt else [])],
                       cwd=ROOT, env=self.env, check=True)
        self.seed = json.loads(seed_path.read_text())

        self.gunicorn = self.start("gunicorn", [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], self.env)
        wait_for(f"{self.base}/healthz", 60)
        self.worker = self.start("rq-worker", [str(BIN / "rq"), "worker", "--url", self.env["REDIS_URL"],
                                               "--worker-class", "app.services.platform.jobs.AppWorker", queue_name],
                                 self.env)

        # The clock: users arrive from `start`; the call closes at a whole second inside the run.
        start = self.start_at = time.time() + 5
        self.deadline = float(int(start + args.deadline_at))
        end = start + args.duration
        deadline_dt = datetime.fromtimestamp(self.deadline, UTC)
        with self.pg(self.db_name) as connection:
            connection.execute("UPDATE round SET intake_closes_at = %s WHERE contest_id = %s",
                               (deadline_dt, self.seed["call"]["contest_id"]))
        print(f"  users arrive from +0 s, the call closes at +{self.deadline - start:.0f} s "
              f"({deadline_dt.isoformat()}), a worker is killed at +{args.kill_at} s, the load stops at "
              f"+{args.duration} s")

        health = HealthPoller(f"{self.base}/healthz", until=end)
        health.start()
        locust_env = {**self.env, "LOADTEST_SEED": str(seed_path), "LOADTEST_OUT": str(self.out),
                      "LOADTEST_DEADLINE": str(self.deadline), "LOADTEST_START": str(start),
                      "LOADTEST_END": str(end)}
        users = args.entrants + args.judges
        locust = self.start("locust", [
            str(BIN / "locust"), "-f", "loadtest/locustfile.py", "--headless", "--host", self.base,
            "-u", str(users), "-r", str(users), "-t", f"{int(end - time.time()) + 3}s", "--stop-timeout", "5",
            "--csv", str(self.out / "locust"), "--only-summary", "--loglevel", "WARNING",
        ], locust_env)

        cpu_before = self.cpu_sample(locust)
        time.sleep(max(start + args.kill_at - time.time(), 0))
        self.killed = self.kill_one_worker()
        time.sleep(max(end - time.time(), 0))
        cpu_after = self.cpu_sample(locust)
        self.figures["cpu_seconds"] = {name: round(cpu_after.get(name, 0) - cpu_before.get(name, 0), 1)
                                       for name in cpu_after}
        self.figures["cpu_seconds"]["available"] = round((os.cpu_count() or 1) * (end - start), 1)
        self.figures["load_average_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
        locust.wait(timeout=args.duration + 120)
        health.join()
        self.figures["healthz_during_run"] = health.summary()

        self.drain_queue(queue_name)
        self.stop(self.worker)
        self.stop(self.gunicorn)

        self.verify(queue_name)
        self.report()
        return 0 if all(ok for _name, ok, _detail in self.checks) else 1

    def s3(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.env["S3_ENDPOINT_URL"], region_name="us-east-1",
                            aws_access_key_id="load", aws_secret_access_key="load-secret")

    def cpu_sample(self, locust: subprocess.Popen) -> dict[str, float]:
        """CPU seconds used so far by each part (finished children included), from /proc."""
        tick = os.sysconf("SC_CLK_TCK")

        def used(pid: int) -> float:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return 0.0
            return sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick

        def children(pid: int) -> list[int]:
            try:
                return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
            except OSError:
                return []

        def tree(pid: int) -> float:
            return used(pid) + sum(tree(child) for child in children(pid))

        def named(name: str) -> float:
            total = 0.0
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        if (entry / "comm").read_text().strip() == name:
                            total += used(int(entry.name))
                    except OSError:
                        continue
            return total

        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        busy = sum(int(v) for i, v in enumerate(fields[:8]) if i not in (3, 4)) / tick  # all but idle, iowait
        return {"whole machine": busy, "web (gunicorn)": tree(self.gunicorn.pid),
                "database (postgres)": named("postgres"),
                "S3 (moto)": tree(self.moto.pid), "load generator (locust)": tree(locust.pid),
                "job worker (rq)": tree(self.worker.pid), "redis": named("redis-server")}

    def kill_one_worker(self) -> dict:
        children_file = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children")
        workers = [int(pid) for pid in children_file.read_text().split()]
        victim = workers[len(workers) // 2]
        os.kill(victim, signal.SIGKILL)
        moment = time.time()
        print(f"  +{moment - self.start_at:.1f} s: SIGKILL to gunicorn worker {victim} "
              f"(workers were {workers})")
        return {"pid": victim, "at": moment}

    def drain_queue(self, queue_name: str) -> None:
        from redis import Redis
        from rq import Queue
        from rq.registry import StartedJobRegistry

        queue = Queue(queue_name, connection=Redis.from_url(self.env["REDIS_URL"]))
        limit = time.time() + 90
        while time.time() < limit and (queue.count or StartedJobRegistry(queue=queue).count):
            time.sleep(0.5)

    # --- checks --------------------------------------------------------------------------------

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append((name, ok, detail))

    def verify(self, queue_name: str) -> None:
        acks = [json.loads(line) for line in (self.out / "acks.jsonl").read_text().splitlines() if line]
        responses = json.loads((self.out / "responses.json").read_text())
        by_kind = defaultdict(list)
        for item in acks:
            by_kind[item["kind"]].append(item)

        with self.pg(self.db_name) as connection:
            users = dict(connection.execute('SELECT email, id FROM "user"').fetchall())
            entries = {row[0]: row for row in connection.execute(
                "SELECT id, status, submitted_at, answers FROM entry WHERE contest_id = %s",
                (self.seed["call"]["contest_id"],)).fetchall()}
            attachments = defaultdict(list)
            for row in connection.execute(
                    "SELECT entry_id, filename, sha256, size, storage_key FROM attachment").fetchall():
                attachments[row[0]].append(row)
            reviews = {(row[1], row[2]): row for row in connection.execute(
                "SELECT id, judge_id, entry_id, status FROM review WHERE round_id = %s",
                (self.seed["judging"]["round_id"],)).fetchall()}
            scores = defaultdict(dict)
            for review_id, criterion_id, value in connection.execute(
                    "SELECT review_id, criterion_id, value FROM score").fetchall():
                scores[review_id][criterion_id] = value
        deadline = datetime.fromtimestamp(self.deadline, UTC)

        # Submissions and the deadline.
        submits = by_kind["submit"]
        accepted = [s for s in submits if s["outcome"] == "accepted"]
        refused = [s for s in submits if s["outcome"] == "refused"]
        lost = [s for s in accepted if entries.get(s["entry"], (None, None))[1] != "submitted"]
        self.check("every acknowledged submit is stored as submitted", not lost and bool(accepted),
                   f"{len(accepted)} acknowledged, {len(lost)} missing")
        late_in_db = [e for e in entries.values() if e[1] == "submitted" and e[2] > deadline]
        self.check("no entry has submitted_at after the deadline", not late_in_db,
                   f"{len(late_in_db)} late; latest accepted submitted_at: "
                   f"{max((e[2] for e in entries.values() if e[1] == 'submitted'), default=None)}")
        # The deadline second is judged on arrival (app.web.ArrivalMiddleware): a submit sent by its
        # end is accepted, however busy the server; one sent after it is refused.
        sent_in_time = [s for s in submits if s["sent"] < self.deadline + 1]
        refused_in_time = [s for s in sent_in_time if s["outcome"] == "refused"]
        self.check("every submit sent by the end of the deadline second was accepted",
                   not refused_in_time and bool(sent_in_time),
                   f"{len(sent_in_time)} sent by then, {len(refused_in_time)} refused"
                   + (f" (sent at {sorted(round(s['sent'] - self.deadline, 3) for s in refused_in_time)[:5]} s "
                      f"from the deadline)" if refused_in_time else ""))
        sent_late = [s for s in submits if s["sent"] >= self.deadline + 1]
        accepted_late = [s for s in sent_late if s["outcome"] == "accepted"]
        self.check("every submit sent after the deadline second was refused",
                   not accepted_late and bool(sent_late),
                   f"{len(sent_late)} sent after it, {len(accepted_late)} accepted")
        self.figures["submits"] = {
            "acknowledged": len(accepted), "refused": len(refused),
            "refused_sent_before_deadline_second": len([s for s in refused if s["sent"] < self.deadline + 1]),
            "connection_errors": len([s for s in submits if s["outcome"] == "error"]),
            "invalid": len([s for s in submits if s["outcome"] == "invalid"]),
            "last_accepted_sent_rel_deadline_s": round(max((s["sent"] for s in accepted), default=0)
                                                       - self.deadline, 3),
        }

        # The last saved text of every application: the last acknowledged one, or a later attempt
        # whose answer was lost with the killed worker.
        per_entrant = defaultdict(list)
        for item in acks:
            if item["kind"] in ("draft_attempt", "draft", "upload") or (
                    item["kind"] == "submit" and item.get("summary") is not None):
                per_entrant[item["email"]].append(item)
        wrong_text = []
        for _email, items in per_entrant.items():
            acked = [i for i, item in enumerate(items) if item["kind"] in ("draft", "upload")
                     or (item["kind"] == "submit" and item["outcome"] == "accepted")]
            if not acked:
                continue
            last = acked[-1]
            allowed = {items[last]["summary"]} | {i["summary"] for i in items[last + 1:] if i.get("summary")}
            entry = entries.get(items[last]["entry"])
            if entry is None or (entry[3] or {}).get(self.seed["call"]["text_field"]) not in allowed:
                wrong_text.append(items[last]["entry"])
        self.check("every application keeps its last acknowledged text", not wrong_text,
                   f"{len(per_entrant)} applications, {len(wrong_text)} wrong")

        # Files: the row and the object, byte for byte.
        uploads = by_kind["upload"]
        problems = []
        s3 = self.s3()

        def check_upload(upload):
            rows = [r for r in attachments[upload["entry"]] if r[1] == upload["filename"]]
            if not rows:
                return f"no row for {upload['filename']}"
            _entry, _name, sha, size, key = rows[0]
            if sha != upload["sha256"] or size != upload["size"]:
                return f"row differs for {upload['filename']}"
            digest = hashlib.sha256()
            body = s3.get_object(Bucket=self.env["S3_BUCKET"], Key=key)["Body"]
            for chunk in body.iter_chunks(1024 * 1024):
                digest.update(chunk)
            if digest.hexdigest() != upload["sha256"]:
                return f"object differs for {upload['filename']}"
            return None

        with ThreadPoolExecutor(8) as pool:
            problems = [p for p in pool.map(check_upload, uploads) if p]
        self.check("every acknowledged file is stored with the right SHA-256", not problems and bool(uploads),
                   f"{len(uploads)} files, {sum(u['size'] for u in uploads) / 2**20:.0f} MiB; "
                   f"{len(problems)} problems {problems[:3]}")

        # Scores: the last acknowledged submit (or a later unacknowledged attempt) of each review.
        per_review = defaultdict(list)
        for item in acks:
            if item["kind"] in ("review_attempt", "review"):
                per_review[(item["email"], item["entry"])].append(item)
        missing = []
        acknowledged_reviews = 0
        for (email, entry_id), items in per_review.items():
            acked = [i for i, item in enumerate(items) if item["kind"] == "review"]
            if not acked:
                continue
            acknowledged_reviews += 1
            last = acked[-1]
            allowed = [items[last]["scores"]] + [i["scores"] for i in items[last + 1:]]
            review = reviews.get((users[email], entry_id))
            stored = {str(k): v for k, v in scores[review[0]].items()} if review else None
            if review is None or review[3] != "submitted" or stored not in allowed:
                missing.append((email, entry_id))
        self.check("every acknowledged score submit is stored", not missing and acknowledged_reviews > 0,
                   f"{acknowledged_reviews} reviews, {len(by_kind['review'])} submits; {len(missing)} wrong")

        # Responses: no 5xx anywhere; connection errors only from the killed worker.
        statuses = responses["statuses"]
        server_errors = {k: v for k, v in statuses.items() if int(k.rsplit("|", 1)[1]) >= 500}
        self.check("no request got a 5xx (client side)", not server_errors, json.dumps(server_errors))
        logged = self.server_log_statuses()
        self.check("no request got a 5xx (server log)", not logged.get("5xx"),
                   f"{logged.get('total', 0)} requests logged, {logged.get('5xx', 0)} with 5xx")
        broken = [f for f in responses["failures"] if f["status"] == 0]
        # A request broken by the kill started before it (it was in flight) or just after it (a
        # kept-alive connection to the dead worker).
        outside = [f for f in broken if not -30 <= f["t"] - self.killed["at"] <= 10]
        self.check("connection errors only when the worker was killed", not outside,
                   f"{len(broken)} broken connections, {len(outside)} not around the kill")
        self.figures["broken_connections"] = len(broken)

        # The job queue: nothing failed, and each accepted submit's e-mail went through it.
        from redis import Redis
        from rq import Queue
        from rq.registry import FailedJobRegistry, FinishedJobRegistry

        queue = Queue(queue_name, connection=Redis.from_url(self.env["REDIS_URL"]))
        failed = FailedJobRegistry(queue=queue).count
        finished = FinishedJobRegistry(queue=queue).count
        mail_dir = self.out / "mail"
        recipients = {json.loads(p.read_text())["to"] for p in mail_dir.glob("*.json")} if mail_dir.exists() else set()
        unsent = {s["email"] for s in accepted} - recipients
        self.check("every confirmation e-mail went through the queue", not failed and not unsent and not queue.count,
                   f"{finished} jobs done, {failed} failed, {queue.count} left; {len(unsent)} entrants without mail")
        self.figures["mail_jobs_done"] = finished

        self.figures["latency"] = self.locust_stats()
        self.check_tail()

    def server_log_statuses(self) -> dict:
        counts = {"total": 0, "5xx": 0}
        for line in (self.out / "gunicorn.log").read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("logger") == "formula_jury.request":
                counts["total"] += 1
                counts["5xx"] += entry.get("status", 0) >= 500
        return counts

    def check_tail(self) -> None:
        """Issue 23: the deadline hour's tail, p99 ≤ --tail-limit × p50, for each kind of judge and
        entrant request (locust's names; the logins and the aggregate are left out)."""
        limit = self.args.tail_limit
        tails = {}
        for row in self.figures["latency"]:
            if row["name"] == "Aggregated" or "login" in row["name"].lower() or not row["requests"]:
                continue
            p50, p99 = float(row["p50_ms"] or 0), float(row["p99_ms"] or 0)
            if p50 > 0:
                tails[row["name"]] = round(p99 / p50, 1)
        self.figures["tail_p99_over_p50"] = tails
        worst = max(tails.items(), key=lambda item: item[1], default=("—", 0))
        self.check(f"p99 ≤ {limit:g}× p50 for every kind of request", all(v <= limit for v in tails.values()),
                   f"worst {worst[0]}: {worst[1]}×; " + ", ".join(f"{k} {v}×" for k, v in tails.items()))

    def locust_stats(self) -> list[dict]:
        rows = []
        with (self.out / "locust_stats.csv").open() as handle:
            for row in csv.DictReader(handle):
                rows.append({
                    "name": row["Name"], "method": row["Type"], "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]), "rps": float(row["Requests/s"]),
                    "p50_ms": row["50%"], "p95_ms": row["95%"], "p99_ms": row["99%"],
                    "max_ms": row["Max Response Time"],
                })
        return rows

    # --- the report ----------------------------------------------------------------------------

    def report(self) -> None:
        print()
        print(f"{'request':<24}{'count':>7}{'fail':>6}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for row in self.figures["latency"]:
            name = "ALL" if row["name"] == "Aggregated" else row["name"]
            print(f"{name:<24}{row['requests']:>7}{row['failures']:>6}{row['rps']:>8.1f}"
                  f"{row['p50_ms']:>9}{row['p95_ms']:>9}{row['p99_ms']:>9}")
        print()
        print("submits:", json.dumps(self.figures["submits"]))
        print("healthz during the run:", json.dumps(self.figures["healthz_during_run"]))
        print("CPU seconds during the load:", json.dumps(self.figures["cpu_seconds"]))
        print()
        for name, ok, detail in self.checks:
            print(f"  [{'ok' if ok else 'FAIL'}] {name}: {detail}")
        summary = {"database": self.db_name, "redis_db": self.redis_db, "args": vars(self.args),
                   "deadline": self.deadline, "killed_worker": self.killed, "figures": self.figures,
                   "checks": [{"name": n, "ok": ok, "detail": d} for n, ok, d in self.checks]}
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
        verdict = "PASSED" if all(ok for _n, ok, _d in self.checks) else "FAILED"
        print(f"\nload test {verdict}; details in {self.out}")

    def cleanup(self) -> None:
        for process in reversed(self.processes):
            self.stop(process, timeout=10)
        if self.args.keep:
            return
        if self.database_created:
            self.drop_database()
        if self.redis_db is not None:
            from redis import Redis

            Redis(host=HOST, port=6379, db=self.redis_db).flushdb()


class HealthPoller(threading.Thread):
    """Asks /healthz every 2 seconds during the run, as a load balancer would."""

    def __init__(self, url: str, until: float):
        super().__init__(daemon=True)
        self.url, self.until = url, until
        self.results: list[int] = []

    def run(self) -> None:
        while time.time() < self.until:
            try:
                with urllib.request.urlopen(self.url, timeout=10) as response:
                    self.results.append(response.status)
            except urllib.error.HTTPError as error:
                self.results.append(error.code)
            except Exception:  # noqa: BLE001
                self.results.append(0)
            time.sleep(2)

    def summary(self) -> dict:
        counts = defaultdict(int)
        for status in self.results:
            counts[str(status)] += 1
        return dict(counts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entrants", type=int, default=200)
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--duration", type=int, default=80, help="seconds of load")
    parser.add_argument("--deadline-at", type=int, default=55, help="seconds into the load when the call closes")
    parser.add_argument("--kill-at", type=int, default=40, help="seconds into the load when a worker is killed")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--tail-limit", type=float, default=5,
                        help="the most p99 may be, as a multiple of p50, for each kind of request")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--out", help="folder for logs and results (default instance/loadtest/<time>)")
    parser.add_argument("--scrypt", action="store_true",
                        help="real scrypt password hashes (about 0.3 s of CPU per login here)")
    parser.add_argument("--keep", action="store_true", help="keep the database and Redis data afterwards")
    args = parser.parse_args()
    run = Run(args)
    try:
        return run.execute()
    finally:
        run.cleanup()


if __name__ == "__main__":
    sys.exit(main())
