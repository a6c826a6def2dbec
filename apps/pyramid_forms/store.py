"""Proposals in an SQLite file, through the standard library's ``sqlite3``.

The Pyramid app keeps its data away from Django's ORM on purpose: using it
would mean models, migrations and ``DATABASES`` in the process-global
settings, the very coupling this demo avoids.  Each call opens and closes its
own connection, so the store is safe to share between server threads, and
slides are kept in the same row as the proposal, saved in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from contextlib import closing, contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS proposal (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    speaker TEXT NOT NULL,
    email TEXT NOT NULL,
    track TEXT NOT NULL,
    level TEXT NOT NULL,
    topics TEXT NOT NULL,
    duration INTEGER NOT NULL,
    preferred_day TEXT NOT NULL,
    abstract TEXT NOT NULL,
    slides_name TEXT,
    slides BLOB,
    submitted_at TEXT NOT NULL
)
"""
_AS_CLEANED = ("title", "speaker", "email", "track", "level", "duration", "abstract")
_LISTED = (
    "id, title, speaker, track, level, topics, duration, preferred_day, abstract,"
    " slides_name, length(slides) AS slides_size, submitted_at"
)


class StoreError(Exception):
    """The database could not be read or written; the message says which file and why."""


@dataclasses.dataclass(frozen=True)
class Proposal:
    """One stored proposal as the list page shows it (without the email or the slides' bytes)."""

    id: int
    title: str
    speaker: str
    track: str
    level: str
    topics: tuple[str, ...]
    duration: int
    preferred_day: dt.date
    abstract: str
    slides_name: str | None
    slides_size: int | None
    submitted_at: dt.datetime


class ProposalStore:
    """Proposals in the SQLite file at ``path``, created (with its folder) if missing.

    Raises :class:`StoreError` from any ``sqlite3`` failure, here and in every method.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of the proposals database {path}: {exc}") from exc
        with self._connect() as db:
            db.execute(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
                db.row_factory = sqlite3.Row
                yield db
        except sqlite3.Error as exc:
            raise StoreError(f"proposals database {self.path}: {exc}") from exc

    def add(self, proposal: Mapping[str, Any]) -> int:
        """Store a :class:`~apps.pyramid_forms.forms.ProposalForm`'s ``cleaned_data``; return the new id."""
        slides = proposal.get("slides")
        row = {
            **{name: proposal[name] for name in _AS_CLEANED},
            "topics": json.dumps(list(proposal["topics"])),
            "preferred_day": proposal["preferred_day"].isoformat(),
            "slides_name": slides.name if slides else None,
            "slides": b"".join(slides.chunks()) if slides else None,
            "submitted_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        columns = ", ".join(row)
        placeholders = ", ".join(f":{name}" for name in row)
        with self._connect() as db:
            return db.execute(f"INSERT INTO proposal ({columns}) VALUES ({placeholders})", row).lastrowid or 0

    def all(self) -> list[Proposal]:
        """Every proposal, newest first."""
        with self._connect() as db:
            rows = db.execute(f"SELECT {_LISTED} FROM proposal ORDER BY id DESC").fetchall()
        return [
            Proposal(
                **{
                    **dict(row),
                    "topics": tuple(json.loads(row["topics"])),
                    "preferred_day": dt.date.fromisoformat(row["preferred_day"]),
                    "submitted_at": dt.datetime.fromisoformat(row["submitted_at"]),
                }
            )
            for row in rows
        ]

    def slides(self, proposal_id: int) -> tuple[str, bytes] | None:
        """The file name and bytes of a proposal's slides, or ``None`` if it has none."""
        with self._connect() as db:
            sql = "SELECT slides_name, slides FROM proposal WHERE id = ? AND slides IS NOT NULL"
            row = db.execute(sql, (proposal_id,)).fetchone()
        return (row["slides_name"], row["slides"]) if row else None
