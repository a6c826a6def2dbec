r"""Where workers' profile records meet, and their exact merge.

:class:`Shelf` writes :class:`~wsgi_stack.profile_record.Record`\ s atomically (a temporary file,
then a rename) into a folder that one host's workers share, and, given a Redis client, into Redis,
which hosts share; :meth:`Shelf.load` reads them all back.  A damaged or foreign file, or an
unreachable Redis, becomes a note and is skipped.  :meth:`Shelf.clear` deletes them and moves a
generation on, which running workers notice at their next flush.  :func:`merge` adds the records of
one Python version, of every worker or of one host's or one worker's only.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wsgi_stack.profile_paths import Stats, add_stats
from wsgi_stack.profile_record import Record
from wsgi_stack.samples import Samples

if TYPE_CHECKING:
    from pathlib import Path

SUFFIX = ".profile.json.gz"
REDIS_PREFIX = "swapdemo:profile:"
_CLEARED, _CLEARED_KEY = ".cleared", "swapdemo:profile-cleared"
REDIS_TTL = 7 * 24 * 3600  # a worker gone for a week is forgotten


class Shelf:
    """Where records go: ``folder``, and ``redis`` (a ``redis.Redis`` client) when given.

    :param describe_redis: how notes name Redis (never its URL, which may hold a password).
    """

    def __init__(self, folder: Path, redis: Any = None, describe_redis: str = "Redis") -> None:
        self.folder = folder
        self.redis = redis
        self.describe_redis = describe_redis

    def save(self, record: Record) -> list[str]:
        """Write ``record`` to the folder and to Redis; notes say what could not be written."""
        data = record.to_bytes()
        name = f"{safe_name(record.host)}-{record.pid}-py{safe_name(record.python)}{SUFFIX}"
        try:
            self._write(name, data)
        except OSError as exc:
            return [
                f"The stats folder {self.folder} cannot be written ({exc.strerror}).",
                *self._to_redis(record, data),
            ]
        return self._to_redis(record, data)

    def load(self) -> tuple[list[Record], list[str]]:
        """Every record in the folder and in Redis, the newest per worker, and notes on what was skipped."""
        records: dict[tuple[str, int, str], Record] = {}
        notes: list[str] = []
        sources: list[tuple[str, bytes]] = []
        for path in sorted(self.folder.glob("*")):
            if path.name.startswith(".") or not path.is_file():  # temporary files, the clear marker
                continue
            try:
                sources.append((path.name, path.read_bytes()))
            except OSError as exc:
                notes.append(f"Skipped {path.name}: {exc.strerror}.")
        notes += self._from_redis(sources)
        parsed: set[bytes] = set()
        for source, data in sources:
            if data in parsed:  # this host's records are in its folder and in Redis: read once
                continue
            parsed.add(data)
            try:
                record = Record.from_bytes(data)
            except ValueError as exc:
                notes.append(f"Skipped {source}: {exc}.")
                continue
            key = (record.host, record.pid, record.python)
            if key not in records or records[key].flushed < record.flushed:
                records[key] = record
        return list(records.values()), notes

    def clear(self) -> list[str]:
        """Delete every record and move :meth:`generation` on, so that running workers start afresh
        too; notes say what could not be done."""
        try:
            self._write(_CLEARED, str((self.generation()[0] or 0) + 1).encode())
            for path in self.folder.glob(f"*{SUFFIX}"):
                path.unlink(missing_ok=True)
        except OSError as exc:
            return [f"The stats folder {self.folder} cannot be cleared ({exc.strerror})."]
        if self.redis is None:
            return []
        try:
            self.redis.incr(_CLEARED_KEY)
            keys = list(self.redis.scan_iter(match=REDIS_PREFIX + "*", count=500))
            if keys:
                self.redis.delete(*keys)
        except Exception as exc:  # redis.RedisError and the socket errors under it
            return [f"{self._unreachable(exc)}: its records are kept."]
        return []

    def generation(self) -> tuple[int | None, int | None]:
        """How many times the folder and Redis were cleared, ``None`` for what cannot be read now: a
        worker that sees a known count change forgets what it had gathered (another worker's page
        cleared it)."""
        try:
            local: int | None = int((self.folder / _CLEARED).read_text())
        except FileNotFoundError:
            local = 0
        except (OSError, ValueError):
            local = None
        try:
            shared = int(self.redis.get(_CLEARED_KEY) or 0) if self.redis is not None else 0
        except Exception:  # redis.RedisError: save() and load() say it is unreachable
            shared = None
        return local, shared

    def _write(self, name: str, data: bytes) -> None:
        """``data`` into the folder as ``name``, atomically: readers see the old file or the new one."""
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, self.folder / name)

    def _to_redis(self, record: Record, data: bytes) -> list[str]:
        if self.redis is None:
            return []
        try:
            key = f"{REDIS_PREFIX}{record.python}:{record.host}:{record.pid}"
            self.redis.set(key, data, ex=REDIS_TTL)
        except Exception as exc:  # redis.RedisError and the socket errors under it
            return [f"{self._unreachable(exc)}: stats kept in this host's folder only."]
        return []

    def _from_redis(self, sources: list[tuple[str, bytes]]) -> list[str]:
        if self.redis is None:
            return []
        try:
            keys = sorted(self.redis.scan_iter(match=REDIS_PREFIX + "*", count=500))
            values = self.redis.mget(keys) if keys else []
        except Exception as exc:  # redis.RedisError and the socket errors under it
            return [f"{self._unreachable(exc)}: showing this host's stats only."]
        for key, value in zip(keys, values, strict=True):
            if value:
                sources.append((f"Redis key {key.decode(errors='replace')}", value))
        return []

    def _unreachable(self, exc: Exception) -> str:
        return f"{self.describe_redis} is unreachable ({type(exc).__name__})"


@dataclass
class Merged:
    """The sum of some records of one Python version, and the records it came from."""

    python: str
    records: list[Record]
    stats: Stats = field(default_factory=dict)
    samples: Samples = field(default_factory=Samples)

    @property
    def requests(self) -> int:
        return sum(record.requests for record in self.records)

    @property
    def profiled(self) -> int:
        return sum(record.profiled for record in self.records)


def merge(records: list[Record], python: str, host: str | None = None, worker: str | None = None) -> Merged:
    """The records of Python ``python`` (of ``host``, or of ``worker`` = ``"host:pid"``), added up."""
    chosen = [
        record
        for record in records
        if record.python == python and host in (None, record.host) and worker in (None, record.worker)
    ]
    merged = Merged(python, sorted(chosen, key=lambda record: (record.host, record.pid)))
    for record in merged.records:
        add_stats(merged.stats, record.stats)
        merged.samples.merge(record.samples)
    return merged


def redis_client(url: str) -> Any:
    """A client for ``url`` that fails within a second or two instead of retrying with back-off: a
    page waiting on an unreachable Redis would otherwise take 15 s to say so."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))


def safe_name(text: str) -> str:
    return "".join(char if char.isalnum() or char in ".-_" else "_" for char in text)[:64]
