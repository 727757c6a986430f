"""Where stored files live, behind one small interface.

Keys are SHA-256 hex digests (content addressing), so a file is written once
and never changes. The local folder is the default; an S3-compatible backend
for multi-instance deployments plugs in here.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from flask import current_app


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...


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
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{key}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)  # atomic: readers never see half a file

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).exists()


def current() -> Storage:
    """The storage configured for this app."""
    return LocalStorage(current_app.config["MEDIA_ROOT"])
