"""Webhooks against a real receiver on 127.0.0.1: signed deliveries, retries after a failure, the
endpoint turned off after repeated failures (and its organisers told), private addresses refused."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Webhook, WebhookDelivery
from app.services.api import webhooks
from tests import scoring_helpers as sh
from tests.api_helpers import call, token


class Receiver:
    """An HTTP server in a thread: records each request and answers with the next planned status."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append({"headers": headers, "body": body, "path": self.path})
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app):
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_MAX_ATTEMPTS=3, WEBHOOK_MAX_FAILURES=4,
                      WEBHOOK_TIMEOUT=5)
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def scene(app, freeze):
    freeze(sh.JUDGING)
    return sh.scene(entries=2)


def _add_hook(client, login, scene, url, events=("review.submitted",)):
    login(scene.organiser)
    response = client.post(f"/manage/{scene.contest.slug}/webhooks", data={"url": url, "events": list(events)})
    return response


def _submit(client, scene, entry=None):
    path = f"/api/v1/judging/rounds/{scene.round.id}/entries/{(entry or scene.entry).id}/review/submit"
    response = call(client, "POST", path, token(scene.judge, {"reviews:write"}), json={"scores": {"c1": 5, "c2": 5}})
    assert response.status_code == 200, response.get_json()


def test_a_submitted_review_is_delivered_signed(client, login, scene, receiver):
    assert _add_hook(client, login, scene, receiver.url).status_code == 302
    hook = db.session.scalar(sa.select(Webhook))
    _submit(client, scene)
    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    headers = sent["headers"]
    assert headers["x-fj-event"] == "review.submitted"
    assert webhooks.verify_signature(hook.secret, headers["x-fj-timestamp"], sent["body"], headers["x-fj-signature"])
    # Any change of the body, the timestamp or the secret breaks it; an old timestamp is a replay.
    assert not webhooks.verify_signature(hook.secret, headers["x-fj-timestamp"], sent["body"] + b" ",
                                         headers["x-fj-signature"])
    assert not webhooks.verify_signature("other", headers["x-fj-timestamp"], sent["body"], headers["x-fj-signature"])
    assert not webhooks.verify_signature(hook.secret, headers["x-fj-timestamp"], sent["body"],
                                         headers["x-fj-signature"], at=time.time() + 3600)
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("delivered", 200, 1)
    page = client.get(f"/manage/{scene.contest.slug}/webhooks").get_data(as_text=True)
    assert "delivered" in page and "A review is submitted" in page


def test_an_event_not_asked_for_is_not_sent(client, login, scene, receiver):
    _add_hook(client, login, scene, receiver.url, events=("results.published",))
    _submit(client, scene)
    assert receiver.requests == [] and db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 0


def test_a_failed_delivery_is_retried_after_the_back_off(client, login, scene, receiver, freeze):
    _add_hook(client, login, scene, receiver.url)
    receiver.statuses = [500]
    _submit(client, scene)
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("pending", 500, 1)
    assert delivery.next_attempt_at == sh.JUDGING + timedelta(minutes=1)
    # Not due yet: nothing is sent.
    assert webhooks.retry_due_deliveries() == 0
    freeze(sh.JUDGING + timedelta(minutes=1))
    assert webhooks.retry_due_deliveries() == 1
    db.session.commit()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("delivered", 200, 2)
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    assert db.session.get(Webhook, delivery.webhook_id).failures == 0


def test_the_cli_makes_the_attempts_that_are_due(client, login, scene, receiver, freeze, runner):
    _add_hook(client, login, scene, receiver.url)
    receiver.statuses = [503]
    _submit(client, scene)
    freeze(sh.JUDGING + timedelta(minutes=2))
    result = runner.invoke(args=["webhooks", "retry"])
    assert "1 delivery attempt(s) made." in result.output
    assert db.session.scalar(sa.select(WebhookDelivery)).status == "delivered"


def test_a_failing_endpoint_is_turned_off_and_the_organisers_told(client, login, scene, receiver, freeze, outbox):
    _add_hook(client, login, scene, receiver.url)
    receiver.statuses = [500] * 10
    _submit(client, scene, scene.entries[0])
    _submit(client, scene, scene.entries[1])
    moment = sh.JUDGING
    for minutes in (1, 4, 16):
        moment += timedelta(minutes=minutes)
        freeze(moment)
        webhooks.retry_due_deliveries()
        db.session.commit()
    hook = db.session.scalar(sa.select(Webhook))
    assert hook.disabled_at is not None and hook.failures == 4
    assert {d.status for d in db.session.scalars(sa.select(WebhookDelivery))} == {"failed"}
    assert len(receiver.requests) == 4
    assert any(m["to"] == scene.organiser.email and "disabled" in m["subject"] for m in outbox)
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "webhook.disable")) is not None
    login(scene.organiser)
    assert client.post(f"/manage/{scene.contest.slug}/webhooks/{hook.id}/enable").status_code == 302
    db.session.refresh(hook)
    assert hook.disabled_at is None and hook.failures == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/x",
                                 "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://0.0.0.0/x",
                                 "http://192.168.0.1/x", "ftp://example.org/x", "http://user:pw@example.org/x"])
def test_private_addresses_and_bad_urls_are_refused(client, login, scene, url):
    response = _add_hook(client, login, scene, url)
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Webhook.id))) == 0


def test_a_private_address_is_refused_at_delivery_too(client, login, scene, receiver, app):
    _add_hook(client, login, scene, receiver.url)
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    _submit(client, scene)
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    assert receiver.requests == [] and delivery.status == "pending" and "private" in delivery.error


def test_a_redirect_is_not_followed(client, login, scene, receiver):
    _add_hook(client, login, scene, receiver.url)
    receiver.statuses = [302]
    _submit(client, scene)
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    assert delivery.status == "pending" and delivery.response_code == 302


def test_a_rolled_back_submission_sends_nothing(app, scene, receiver, make):
    from app.services.scoring import reviews as scoring

    hook = webhooks.add_webhook(scene.contest, url=receiver.url, events=["review.submitted"], actor=scene.organiser)
    db.session.commit()
    scoring.submit_review(round_=scene.round, entry=scene.entry, judge=scene.judge,
                          data=scoring.ReviewInput(scores={c.id: 5 for c in scene.round.criteria}))
    db.session.rollback()
    assert receiver.requests == []
    assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id)).where(
        WebhookDelivery.webhook_id == hook.id)) == 0


def test_webhooks_page_fixed_queries(client, login, scene, receiver, count_queries):
    _add_hook(client, login, scene, receiver.url)
    path = f"/manage/{scene.contest.slug}/webhooks"

    def queries():
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    few = queries()
    for entry in scene.entries:
        _submit(client, scene, entry)
    webhooks.add_webhook(scene.contest, url=receiver.url + "2", events=["entry.submitted"], actor=scene.organiser)
    db.session.commit()
    assert queries() == few


def test_only_the_contest_s_organisers_manage_its_webhooks(client, login, scene, receiver, make):
    hook = webhooks.add_webhook(scene.contest, url=receiver.url, events=["review.submitted"], actor=scene.organiser)
    db.session.commit()
    other = make.user()
    make.contest(organiser=other)
    login(other)
    assert client.get(f"/manage/{scene.contest.slug}/webhooks").status_code == 403
    assert client.post(f"/manage/{scene.contest.slug}/webhooks/{hook.id}/remove").status_code == 403
    own = make.contest(organiser=other)
    assert client.post(f"/manage/{own.slug}/webhooks/{hook.id}/remove").status_code == 404
    assert db.session.get(Webhook, hook.id) is not None


# --- DNS rebinding: the delivery connects to the address it checked -------------------------------------


def test_a_name_that_resolves_to_loopback_is_refused_at_delivery(client, login, scene, receiver, app):
    """`localhost` was allowed when added (an intranet installation), then the installation stops
    allowing private addresses: the attempt is refused before any connection."""
    port = receiver.server.server_address[1]
    _add_hook(client, login, scene, f"http://localhost:{port}/hook")
    assert db.session.scalar(sa.select(sa.func.count(Webhook.id))) == 1
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    _submit(client, scene)
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    assert receiver.requests == [] and delivery.status == "pending" and "private" in delivery.error
    assert delivery.response_code is None


def test_the_checked_address_is_the_one_connected_to(client, login, scene, receiver, app, monkeypatch):
    """A rebinding name: public for the first answer, 127.0.0.1 for any later one. The attempt
    asks once, checks that answer and connects to it: the receiver on 127.0.0.1 is never reached,
    and the Host header still names the host of the URL."""
    import socket

    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    answers, connected = [], []
    port = receiver.server.server_address[1]
    real_create_connection = socket.create_connection

    def rebinding_resolver(host, *args, **kwargs):
        address = "93.184.216.34" if not answers else "127.0.0.1"
        answers.append((host, address))
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, 8080))]

    def connect(target, *args, **kwargs):
        connected.append(target)
        if target[0] == "127.0.0.1":
            return real_create_connection(("127.0.0.1", port), *args, **kwargs)
        raise ConnectionRefusedError("no network in the test")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_resolver)
    hook = webhooks.add_webhook(scene.contest, url="http://rebind.example.org:8080/hook",
                                events=["review.submitted"], actor=scene.organiser)
    db.session.commit()
    answers.clear()  # the registration's answer was public too
    monkeypatch.setattr(socket, "create_connection", connect)
    _submit(client, scene)
    delivery = db.session.scalar(sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id))
    assert answers == [("rebind.example.org", "93.184.216.34")]
    assert connected == [("93.184.216.34", 8080)]
    assert receiver.requests == []
    assert delivery.status == "pending" and delivery.error == "ConnectionRefusedError"


def test_a_pinned_delivery_names_the_host_in_the_host_header(client, login, scene, receiver, app, monkeypatch):
    import socket

    port = receiver.server.server_address[1]
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))])
    webhooks.add_webhook(scene.contest, url=f"http://hooks.example.org:{port}/hook?k=1",
                         events=["review.submitted"], actor=scene.organiser)
    db.session.commit()
    _submit(client, scene)
    [sent] = receiver.requests
    assert sent["headers"]["host"] == f"hooks.example.org:{port}" and sent["path"] == "/hook?k=1"
    assert db.session.scalar(sa.select(WebhookDelivery)).status == "delivered"


@pytest.mark.parametrize("address", ["0.0.0.0", "224.0.0.1", "::"])
def test_multicast_and_unspecified_addresses_are_refused_even_on_an_intranet(app, receiver, address):
    assert app.config["WEBHOOK_ALLOW_PRIVATE"]
    host = f"[{address}]" if ":" in address else address
    assert webhooks.checked_address(f"http://{host}:8080/x")[0] is None


def _certificate(folder, name: str):
    """A self-signed certificate for `name` (its own CA), written as PEM files."""
    import datetime as dt

    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_a_pinned_https_delivery_sends_sni_and_checks_the_certificate_for_the_name(
        client, login, scene, receiver, app, monkeypatch, tmp_path):
    """HTTPS to the pinned 127.0.0.1: TLS is made for the URL's host (SNI, the certificate's name),
    never for the address; a certificate for another name fails the attempt."""
    import socket
    import ssl

    cert_file, key_file = _certificate(tmp_path, "hooks.example.org")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    names = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
    port = receiver.server.server_address[1]
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # the receiver's certificate is the trusted one
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))])
    good = webhooks.add_webhook(scene.contest, url=f"https://hooks.example.org:{port}/hook",
                                events=["review.submitted"], actor=scene.organiser)
    wrong = webhooks.add_webhook(scene.contest, url=f"https://other.example.org:{port}/hook",
                                 events=["review.submitted"], actor=scene.organiser)
    db.session.commit()
    _submit(client, scene)
    by_hook = {d.webhook_id: d for d in db.session.scalars(sa.select(WebhookDelivery))}
    assert by_hook[good.id].status == "delivered"
    assert by_hook[wrong.id].status == "pending" and "SSL" in by_hook[wrong.id].error
    assert "hooks.example.org" in names and len(receiver.requests) == 1
    assert receiver.requests[0]["headers"]["host"] == f"hooks.example.org:{port}"
