"""Sending e-mail: SMTP when configured, otherwise the log (and an outbox folder if set).

With REDIS_URL set, messages are queued for the RQ worker (after the request commits) instead of
sent in the request.
"""

from __future__ import annotations

import json
import logging
import smtplib
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

log = logging.getLogger("formula_jury.mail")

# Messages sent in this process, newest last; tests read it.
outbox: list[dict] = []


def send_mail(*, to: str, subject: str, body: str) -> None:
    message = {"to": to, "subject": str(subject), "body": str(body)}
    config = current_app.config
    if config.get("REDIS_URL") and not config.get("TESTING_SYNC_MAIL"):
        from app.services.platform.jobs import enqueue_after_commit

        # Queued only once the request's transaction commits, so no mail announces a change that
        # was rolled back; the job worker runs deliver_from_job (jobs.perform gives it the app).
        enqueue_after_commit("app.services.platform.mail.deliver_from_job", message)
        return
    deliver(message, config)


def deliver_from_job(message: dict) -> None:
    deliver(message, current_app.config)


def deliver(message: dict, config) -> None:
    outbox.append(message)
    if config.get("MAIL_OUTBOX_DIR"):
        folder = Path(config["MAIL_OUTBOX_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.json"
        (folder / name).write_text(json.dumps(message, ensure_ascii=False))
    if not config.get("MAIL_SERVER"):
        log.info("mail to %s: %s\n%s", message["to"], message["subject"], message["body"])
        return
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message["to"]
    email["Subject"] = message["subject"]
    email.set_content(message["body"])
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
