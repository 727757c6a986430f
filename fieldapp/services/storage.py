"""Where stored files live, behind one small interface.

Keys are SHA-256 hex digests (content addressing), so a file is written once
and never changes. The local folder is the default; an S3-compatible backend
for multi-instance deployments plugs in here.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from flask import current_app


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def keys(self) -> Iterator[tuple[str, datetime]]: ...
    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under a folder, fanned out as ab/cd/<sha256> to keep directories small."""

    def __init__(self, root: str):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("storage keys are SHA-256 hex digests")
        return self.root / key[:2] / key[2:4] / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        target = self.path(key)
        if target.exists():
            return
        new_directories = not target.parent.exists()
        target.parent.mkdir(parents=True, exist_ok=True)
        # A temporary name of its own per call: two threads of one worker may store the same
        # content at once (a photo's first views), and must not write into one file.
        fd, tmp = tempfile.mkstemp(prefix=f"{key}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                # On the disk before the phone is told it is stored (it may then delete its copy):
                # a power cut must not leave a database row naming a photo that never reached the disk.
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)  # atomic: readers never see half a file
            # The new name, too (and the new directories' names, the first time a prefix is used).
            for directory in (target.parent, *((target.parent.parent, self.root) if new_directories else ())):
                _sync_directory(directory)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def keys(self) -> Iterator[tuple[str, datetime]]:
        """Every stored file (and every temporary one a crash left, by its file name), with
        when it was written."""
        if not self.root.exists():
            return
        for path in self.root.glob("??/??/*"):
            if path.is_file():
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def delete(self, key: str) -> None:
        if key.endswith(".tmp"):
            target = self.path(key.split(".", 1)[0]).with_name(key)
        else:
            target = self.path(key)
        target.unlink(missing_ok=True)


def _sync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class S3Storage:
    """An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, OSS or COS in S3 mode), for
    several stateless app instances. Credentials come from the usual AWS_* variables."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None):
        import boto3
        from botocore.config import Config

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            config=Config(signature_version="s3v4", retries={"max_attempts": 4, "mode": "standard"}),
        )

    def _key(self, key: str) -> str:
        LocalStorage("/").path(key)  # same key check as the local folder
        return f"{self.prefix}{key[:2]}/{key[2:4]}/{key}"

    def put(self, key: str, data: bytes, content_type: str) -> None:
        if self.exists(key):
            return
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as error:  # as the local folder says it: no such file
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise FileNotFoundError(key) from None
            raise

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def keys(self) -> Iterator[tuple[str, datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"].rsplit("/", 1)[-1], item["LastModified"]

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def build(config) -> Storage:
    if config.get("MEDIA_STORAGE", "local") == "s3":
        return S3Storage(
            config["S3_BUCKET"], config.get("S3_PREFIX", ""), config.get("S3_ENDPOINT_URL"), config.get("S3_REGION")
        )
    return LocalStorage(config["MEDIA_ROOT"])


def current() -> Storage:
    """The storage configured for this app (one client per app, reused across requests)."""
    extensions = current_app.extensions
    if "fieldapp_storage" not in extensions:
        extensions["fieldapp_storage"] = build(current_app.config)
    return extensions["fieldapp_storage"]
