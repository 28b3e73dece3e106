"""Where attachments live: a folder under instance/ (default) or S3-compatible object storage.

Files are always streamed in chunks, hashed on the way, so memory use does not grow with file
size. The backend is chosen by the STORAGE_BACKEND setting ("local" or "s3").

Files written in a transaction that is rolled back are deleted again, and files removed in a
transaction are deleted only once it commits, so the database and the storage stay in step.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from app.extensions import db

CHUNK_SIZE = 1024 * 1024
# S3 multipart parts: at least 5 MiB except the last one; one part is in memory at a time.
S3_PART_SIZE = 8 * 1024 * 1024


class StorageError(Exception):
    """The storage backend failed or a key is not valid."""


class TooLarge(StorageError):
    """The stream was longer than the allowed number of bytes; nothing is kept."""

    def __init__(self, limit: int):
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


def _chunks(stream: BinaryIO, limit: int | None) -> Iterator[bytes]:
    """Reads the stream in chunks; raises TooLarge as soon as it passes `limit` bytes."""
    total = 0
    while True:
        chunk = stream.read(CHUNK_SIZE)
        if not chunk:
            return
        total += len(chunk)
        if limit is not None and total > limit:
            raise TooLarge(limit)
        yield chunk


class Backend(Protocol):
    def save(self, key: str, stream: BinaryIO, *, content_type: str,
             limit: int | None = None) -> StoredFile: ...

    def iter_chunks(self, key: str) -> Iterator[bytes]: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def local_path(self, key: str) -> Path | None: ...


class LocalStorage:
    """Files in a folder; each key is a relative path below it."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise StorageError(f"key outside the storage folder: {key!r}")
        return path

    def save(self, key: str, stream: BinaryIO, *, content_type: str,
             limit: int | None = None) -> StoredFile:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        # Write to a temporary name first, so a half-written file never has the real name.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in _chunks(stream, limit):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return StoredFile(key=key, size=size, sha256=digest.hexdigest())

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        with self._path(key).open("rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def local_path(self, key: str) -> Path | None:
        return self._path(key)


class S3Storage:
    """Objects in an S3-compatible bucket (AWS, MinIO, Yandex Object Storage …)."""

    def __init__(self, *, bucket: str, endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None):
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket = bucket
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region,
            aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
            config=BotoConfig(retries={"max_attempts": 3}, s3={"addressing_style": "path"}),
        )

    def create_bucket(self) -> None:
        """Creates the bucket if it does not exist (set-up and tests)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def _read_part(self, chunks: Iterator[bytes], pending: bytearray) -> bytes:
        while len(pending) < S3_PART_SIZE:
            chunk = next(chunks, None)
            if chunk is None:
                break
            pending.extend(chunk)
        part = bytes(pending[:S3_PART_SIZE])
        del pending[:S3_PART_SIZE]
        return part

    def save(self, key: str, stream: BinaryIO, *, content_type: str,
             limit: int | None = None) -> StoredFile:
        digest = hashlib.sha256()
        size = 0
        chunks = _chunks(stream, limit)
        pending = bytearray()

        def next_part() -> bytes:
            nonlocal size
            part = self._read_part(chunks, pending)
            digest.update(part)
            size += len(part)
            return part

        first = next_part()
        if len(first) < S3_PART_SIZE:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=first, ContentType=content_type)
            return StoredFile(key=key, size=size, sha256=digest.hexdigest())

        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=key,
                                                     ContentType=content_type)
        upload_id = upload["UploadId"]
        parts = []
        try:
            part, number = first, 1
            while part:
                answer = self.client.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                                 PartNumber=number, Body=part)
                parts.append({"ETag": answer["ETag"], "PartNumber": number})
                part, number = next_part(), number + 1
            self.client.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                                  MultipartUpload={"Parts": parts})
        except BaseException:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
        return StoredFile(key=key, size=size, sha256=digest.hexdigest())

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        try:
            yield from body.iter_chunks(CHUNK_SIZE)
        finally:
            body.close()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError:
            return False
        return True

    def local_path(self, key: str) -> Path | None:
        return None


def make_backend(config) -> Backend:
    name = config.get("STORAGE_BACKEND", "local")
    if name == "local":
        return LocalStorage(config["STORAGE_DIR"])
    if name == "s3":
        return S3Storage(
            bucket=config["S3_BUCKET"], endpoint_url=config.get("S3_ENDPOINT_URL"),
            region=config.get("S3_REGION"), access_key_id=config.get("S3_ACCESS_KEY_ID"),
            secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
        )
    raise StorageError(f"unknown STORAGE_BACKEND {name!r}")


def get_storage() -> Backend:
    """The app's backend, made once per app and settings (tests change the settings)."""
    config = current_app.config
    signature = (config.get("STORAGE_BACKEND"), config.get("STORAGE_DIR"), config.get("S3_BUCKET"),
                 config.get("S3_ENDPOINT_URL"))
    cached = current_app.extensions.get("fj_storage")
    if cached is None or cached[0] != signature:
        cached = (signature, make_backend(config))
        current_app.extensions["fj_storage"] = cached
    return cached[1]


def new_key(prefix: str) -> str:
    return f"{prefix.strip('/')}/{uuid.uuid4().hex}"


# Keeping storage in step with the database transaction.

_NEW = "fj_storage_new"
_DELETE = "fj_storage_delete"


def store(key: str, stream: BinaryIO, *, content_type: str, limit: int | None = None) -> StoredFile:
    """Saves a stream; the file is deleted again if the current transaction rolls back."""
    stored = get_storage().save(key, stream, content_type=content_type, limit=limit)
    db.session.info.setdefault(_NEW, []).append((get_storage(), key))
    return stored


def delete_after_commit(key: str) -> None:
    """Deletes the file once the current transaction commits (never if it rolls back)."""
    db.session.info.setdefault(_DELETE, []).append((get_storage(), key))


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint; the outer transaction may still roll back
    session.info.pop(_NEW, None)
    for backend, key in session.info.pop(_DELETE, []):
        try:
            backend.delete(key)
        except Exception:  # noqa: BLE001 - a leftover file is harmless; the row is gone
            current_app.logger.exception("could not delete stored file %s", key)


@sa.event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    """The outermost transaction ended without a commit (rolled back or closed): the files
    it stored belong to no row, so they go."""
    if transaction.nested or transaction.parent is not None:
        return
    session.info.pop(_DELETE, None)
    for backend, key in session.info.pop(_NEW, []):
        try:
            backend.delete(key)
        except Exception:  # noqa: BLE001
            current_app.logger.exception("could not delete stored file %s", key)
