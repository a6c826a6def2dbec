"""Snapshots in a database that every worker and every host sees (PostgreSQL, through psycopg).

The same groups, caps and samples as :class:`~wsgi_stack.postmortem.store.FileStore`; each save is
one transaction that locks the group table, so two workers counting the same crash stay exact.
The store opens its own connection: a request whose transaction failed cannot take it down.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from typing import TYPE_CHECKING, Any

from wsgi_stack.postmortem.store import Group

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


SCHEMA = (
    "CREATE TABLE IF NOT EXISTS postmortem_group (fingerprint text PRIMARY KEY, body text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS postmortem_snapshot (id text PRIMARY KEY, fingerprint text NOT NULL, "
    "bytes integer NOT NULL, body text NOT NULL)",
)


class SqlStore:
    """Snapshots in a database every worker and host sees: ``connect()`` gives a DB-API connection
    with the ``%s`` parameter style (psycopg), on which each save is one transaction."""

    def __init__(
        self, connect: Callable[[], Any], max_groups: int = 200, max_bytes: int = 64 * 2**20
    ) -> None:
        self.connect, self.max_groups, self.max_bytes = connect, max_groups, max_bytes
        self._ready = False

    def save(self, snapshot: dict[str, Any]) -> None:
        body = json.dumps(snapshot, separators=(",", ":"), ensure_ascii=False)
        with self._transaction() as db:
            db.execute("LOCK TABLE postmortem_group IN EXCLUSIVE MODE")  # one writer: counts stay exact
            row = db.execute(
                "SELECT body FROM postmortem_group WHERE fingerprint = %s", [snapshot["fingerprint"]]
            )
            found = row.fetchone()
            group = Group(**json.loads(found[0])) if found else Group.first(snapshot)
            dropped = group.record(snapshot)
            db.execute(
                "INSERT INTO postmortem_snapshot VALUES (%s, %s, %s, %s)",
                [snapshot["id"], group.fingerprint, len(body), body],
            )
            db.execute("DELETE FROM postmortem_snapshot WHERE id = ANY(%s)", [dropped])
            db.execute(
                "INSERT INTO postmortem_group VALUES (%s, %s) "
                "ON CONFLICT (fingerprint) DO UPDATE SET body = EXCLUDED.body",
                [group.fingerprint, json.dumps(dataclasses.asdict(group))],
            )
            self._cap(db)

    def groups(self) -> list[Group]:
        with self._transaction() as db:
            rows = db.execute("SELECT body FROM postmortem_group").fetchall()
        return sorted((Group(**json.loads(row[0])) for row in rows), key=lambda g: g.last_seen, reverse=True)

    def load(self, snapshot_id: str) -> dict[str, Any] | None:
        with self._transaction() as db:
            row = db.execute("SELECT body FROM postmortem_snapshot WHERE id = %s", [snapshot_id]).fetchone()
        return json.loads(row[0]) if row else None

    def _cap(self, db: Any) -> None:
        groups = [
            Group(**json.loads(row[0])) for row in db.execute("SELECT body FROM postmortem_group").fetchall()
        ]
        size = db.execute("SELECT coalesce(sum(bytes), 0) FROM postmortem_snapshot").fetchone()[0]
        for group in sorted(groups, key=lambda g: g.last_seen):
            if len(groups) <= self.max_groups and size <= self.max_bytes:
                break
            freed = db.execute(
                "DELETE FROM postmortem_snapshot WHERE fingerprint = %s RETURNING bytes", [group.fingerprint]
            )
            size -= sum(row[0] for row in freed.fetchall())
            db.execute("DELETE FROM postmortem_group WHERE fingerprint = %s", [group.fingerprint])
            groups.remove(group)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self.connect() as connection:  # psycopg: commits at the end of the block, or rolls back
            if not self._ready:
                # Two workers creating the tables at once would collide: one at a time.
                connection.execute("SELECT pg_advisory_xact_lock(hashtext('swapdemo.postmortem'))")
                for statement in SCHEMA:
                    connection.execute(statement)
                self._ready = True
            yield connection
