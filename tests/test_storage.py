"""The storage layer: a local folder and S3-compatible storage (moto's server on loopback)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Entry
from app.services.platform import storage
from tests import entries_helpers as h
from tests.factories import NOW


class CountingStream(io.RawIOBase):
    """A stream of `size` bytes made on the fly, which records the largest read asked of it."""

    def __init__(self, size: int):
        self.remaining = size
        self.largest_read = 0
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.largest_read = max(self.largest_read, size)
        if size < 0:
            raise AssertionError("read() of the whole stream")
        size = min(size, self.remaining)
        self.remaining -= size
        data = bytes([size % 251]) * size
        self.digest.update(data)
        return data


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(app, s3_endpoint):
    app.config.update(STORAGE_BACKEND="s3", S3_ENDPOINT_URL=s3_endpoint, S3_BUCKET="fj-test",
                      S3_ACCESS_KEY_ID="test", S3_SECRET_ACCESS_KEY="test", S3_REGION="us-east-1")
    backend = storage.get_storage()
    backend.create_bucket()
    return backend


def test_local_save_streams_in_chunks_and_hashes(app, tmp_path):
    backend = storage.LocalStorage(tmp_path / "files")
    stream = CountingStream(3 * storage.CHUNK_SIZE + 5)
    stored = backend.save("a/b", stream, content_type="application/pdf")
    assert stored.size == 3 * storage.CHUNK_SIZE + 5
    assert stored.sha256 == stream.digest.hexdigest()
    assert stream.largest_read == storage.CHUNK_SIZE
    assert (tmp_path / "files" / "a" / "b").stat().st_size == stored.size
    assert b"".join(backend.iter_chunks("a/b")) == (tmp_path / "files" / "a" / "b").read_bytes()


def test_local_save_over_limit_keeps_nothing(app, tmp_path):
    backend = storage.LocalStorage(tmp_path / "files")
    with pytest.raises(storage.TooLarge):
        backend.save("a/big", io.BytesIO(b"x" * 101), content_type="text/plain", limit=100)
    assert list((tmp_path / "files" / "a").iterdir()) == []
    assert backend.save("a/ok", io.BytesIO(b"x" * 100), content_type="text/plain", limit=100).size == 100


def test_local_key_cannot_leave_the_folder(app, tmp_path):
    backend = storage.LocalStorage(tmp_path / "files")
    with pytest.raises(storage.StorageError):
        backend.save("../outside", io.BytesIO(b"x"), content_type="text/plain")
    assert not (tmp_path / "outside").exists()


def test_local_is_the_default_backend(app):
    assert isinstance(storage.get_storage(), storage.LocalStorage)
    assert storage.get_storage().root == Path(app.config["STORAGE_DIR"]).resolve()


def test_file_removed_in_a_rolled_back_transaction_stays(app, tmp_path):
    app.config["STORAGE_DIR"] = str(tmp_path / "files")
    stored = storage.get_storage().save("k/1", io.BytesIO(b"data"), content_type="text/plain")
    storage.delete_after_commit(stored.key)
    db.session.rollback()
    assert storage.get_storage().exists("k/1")
    storage.delete_after_commit(stored.key)
    db.session.commit()
    assert not storage.get_storage().exists("k/1")


def test_s3_small_file_round_trip(s3):
    stored = s3.save("entries/1/x", io.BytesIO(b"hello"), content_type="text/plain")
    assert stored.size == 5 and stored.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert s3.exists("entries/1/x")
    assert b"".join(s3.iter_chunks("entries/1/x")) == b"hello"
    s3.delete("entries/1/x")
    assert not s3.exists("entries/1/x")


def test_s3_large_file_goes_up_in_parts(s3):
    size = storage.S3_PART_SIZE * 2 + 12345
    stream = CountingStream(size)
    stored = s3.save("entries/1/big", stream, content_type="application/pdf")
    assert stored.size == size
    assert stored.sha256 == stream.digest.hexdigest()
    assert stream.largest_read == storage.CHUNK_SIZE
    head = s3.client.head_object(Bucket=s3.bucket, Key="entries/1/big")
    assert head["ContentLength"] == size
    assert "-3" in head["ETag"]  # a multipart upload of three parts
    digest = hashlib.sha256()
    for chunk in s3.iter_chunks("entries/1/big"):
        digest.update(chunk)
    assert digest.hexdigest() == stored.sha256


def test_s3_over_limit_leaves_no_object(s3):
    with pytest.raises(storage.TooLarge):
        s3.save("entries/1/over", CountingStream(storage.S3_PART_SIZE + 10), content_type="text/plain",
                limit=storage.S3_PART_SIZE)
    assert not s3.exists("entries/1/over")
    uploads = s3.client.list_multipart_uploads(Bucket=s3.bucket).get("Uploads", [])
    assert uploads == []


def test_upload_and_download_through_the_app_on_s3(s3, client, make, freeze, login):
    freeze(NOW)
    contest = make.contest(organiser=make.user())
    make.round_(contest)
    h.add_form(contest)
    entrant = login(make.user())
    body = h.answers(contest, action="save")
    body["a_presentation"] = (io.BytesIO(h.pdf_bytes()), "Заявка.pdf")
    assert client.post(f"/apply/{contest.slug}/new", data=body,
                       content_type="multipart/form-data").status_code == 302
    entry = db.session.scalar(sa.select(Entry).where(Entry.entrant_id == entrant.id))
    attachment = entry.attachments[0]
    assert s3.exists(attachment.storage_key)
    with client.get(f"/apply/files/{attachment.id}") as response:
        assert response.status_code == 200
        assert response.data == h.pdf_bytes()
        assert response.headers["Content-Disposition"] == (
            "attachment; filename=\"file.pdf\"; filename*=UTF-8''%D0%97%D0%B0%D1%8F%D0%B2%D0%BA%D0%B0.pdf")
    key = attachment.storage_key
    body = h.answers(contest, remove=str(attachment.id))
    client.post(f"/apply/entries/{entry.id}/edit", data=body, content_type="multipart/form-data")
    assert not s3.exists(key)
