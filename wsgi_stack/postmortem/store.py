"""Where snapshots are kept: grouped by fingerprint, capped, written whole or not at all.

A thousand identical crashes are one group with a counter, their first and last time, the last
request ids, and the last few snapshots; the whole store is capped in groups and bytes, the
oldest evicted first.  :class:`FileStore` keeps JSON files in a folder (the data folder, shared by
one host's workers, under a file lock, each file written to a temporary name and renamed);
:class:`SqlStore` keeps them in a database every worker and host sees (PostgreSQL, through any
DB-API connection).  Both only ever read JSON back: loading a snapshot runs no code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterator

SAMPLES = 5
REQUEST_IDS = 20


class Store(Protocol):
    """What the layer, the pages and the command line need of a store."""

    def save(self, snapshot: dict[str, Any]) -> None: ...

    def groups(self) -> list[Group]: ...

    def load(self, snapshot_id: str) -> dict[str, Any] | None: ...


@dataclasses.dataclass
class Group:
    """One kind of crash: ``title`` is its exception and message, ``place`` where it was raised."""

    fingerprint: str
    title: str
    place: str
    count: int
    first_seen: str
    last_seen: str
    request_ids: list[str]
    samples: list[str]

    def record(self, snapshot: dict[str, Any]) -> list[str]:
        """Count ``snapshot`` in; returns the ids of the samples it pushes out."""
        self.count += 1
        self.last_seen = snapshot["time"]
        self.request_ids = [*self.request_ids, snapshot["request"].get("request_id") or "-"][-REQUEST_IDS:]
        self.samples = [*self.samples, snapshot["id"]]
        dropped, self.samples = self.samples[:-SAMPLES], self.samples[-SAMPLES:]
        return dropped

    @classmethod
    def first(cls, snapshot: dict[str, Any]) -> Group:
        error = snapshot["exceptions"][0]
        frame = error["frames"][-1] if error["frames"] else {"file": "?", "line": 0}
        title = f"{error['type']}: {error['message']}"[:300]
        place = f"{frame['file']}:{frame['line']}"
        return cls(snapshot["fingerprint"], title, place, 0, snapshot["time"], snapshot["time"], [], [])


class FileStore:
    """Snapshots as JSON files in ``folder``, at most ``max_groups`` groups and ``max_bytes`` bytes."""

    def __init__(self, folder: Path, max_groups: int = 200, max_bytes: int = 64 * 2**20) -> None:
        self.folder, self.max_groups, self.max_bytes = folder, max_groups, max_bytes

    def save(self, snapshot: dict[str, Any]) -> None:
        body = json.dumps(snapshot, separators=(",", ":"), ensure_ascii=False).encode()
        with self._locked() as index:
            group = index.get(snapshot["fingerprint"])
            group = Group(**group) if group else Group.first(snapshot)
            _write(self.folder / f"{snapshot['id']}.json", body)
            for old in group.record(snapshot):
                (self.folder / f"{old}.json").unlink(missing_ok=True)
            index[group.fingerprint] = dataclasses.asdict(group)
            self._cap(index)

    def groups(self) -> list[Group]:
        index = self._read_index()
        return sorted((Group(**g) for g in index.values()), key=lambda g: g.last_seen, reverse=True)

    def load(self, snapshot_id: str) -> dict[str, Any] | None:
        if not snapshot_id.replace("-", "").isalnum():
            return None
        try:
            loaded: dict[str, Any] = json.loads((self.folder / f"{snapshot_id}.json").read_bytes())
        except FileNotFoundError:
            return None
        return loaded

    def _cap(self, index: dict[str, Any]) -> None:
        oldest_first = sorted(index.values(), key=lambda g: g["last_seen"])
        size = sum(f.stat().st_size for f in self.folder.glob("*.json") if f.name != "index.json")
        while oldest_first and (len(index) > self.max_groups or size > self.max_bytes):
            group = oldest_first.pop(0)
            for sample in group["samples"]:
                path = self.folder / f"{sample}.json"
                with contextlib.suppress(FileNotFoundError):
                    size -= path.stat().st_size
                    path.unlink()
            del index[group["fingerprint"]]

    def _read_index(self) -> dict[str, Any]:
        try:
            index: dict[str, Any] = json.loads((self.folder / "index.json").read_bytes())
        except (FileNotFoundError, ValueError):
            return {}
        return index

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # crashes are for the operator
        with (self.folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            index = self._read_index()
            yield index
            _write(self.folder / "index.json", json.dumps(index, ensure_ascii=False).encode())


def _write(path: Path, body: bytes) -> None:
    """``body`` to ``path``, whole or not at all: a temporary file in the same folder, renamed."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
