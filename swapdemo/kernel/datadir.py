"""The data folder, and the secret key kept in it when ``SWAPDEMO_SECRET_KEY`` is not set.

Every gunicorn worker, and the server after a restart, must sign with the same key, or a form
served by one worker and posted to another has "expired".  :func:`secret_key` makes the key once,
in ``<data dir>/secret_key`` (mode 0600), under an exclusive ``flock`` so workers starting together
agree on one; later calls read it.  Several hosts do not share a data folder: give them one
``SWAPDEMO_SECRET_KEY`` (docs/deploy.md).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import tempfile
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from pathlib import Path

KEY_FILE = "secret_key"
_FIX = "set SWAPDEMO_DATA_DIR to a folder you can write to"


def writable_folder(folder: Path) -> None:
    """Make ``folder`` if missing; raise ``ImproperlyConfigured`` naming the variable if it cannot be used."""
    if folder.exists() and not folder.is_dir():
        raise ImproperlyConfigured(f"SWAPDEMO_DATA_DIR={folder} is a file, not a folder: {_FIX}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ImproperlyConfigured(
            f"SWAPDEMO_DATA_DIR={folder} cannot be written ({exc.strerror}): {_FIX}"
        ) from None


def secret_key(folder: Path) -> str:
    """The key in ``folder/secret_key``, made (50 random URL-safe bytes, mode 0600) if there is none."""
    writable_folder(folder)
    path = folder / KEY_FILE
    # O_CREAT with 0600: the file is never readable by others, not even between creating and chmod.
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "r+", encoding="ascii") as file:
        fcntl.flock(file, fcntl.LOCK_EX)  # released when the file closes
        key = file.read().strip()
        if len(key) >= 32:
            return key
        if key:
            raise ImproperlyConfigured(
                f"{path} holds a key shorter than 32 characters: delete the file to make a new one, "
                "or set SWAPDEMO_SECRET_KEY"
            )
        key = secrets.token_urlsafe(50)
        file.write(key + "\n")
        file.flush()
        os.fsync(file.fileno())
        return key
