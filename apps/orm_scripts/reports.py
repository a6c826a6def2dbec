"""What comes out: the summary report (per track, speaker and day) and a streamed export.

The report reads :class:`~apps.orm_scripts.models.TalkSummary`, so it costs three small
queries however many talks there are; :func:`refresh` brings the summary up to date.  On
PostgreSQL that is ``REFRESH MATERIALIZED VIEW CONCURRENTLY``: it computes the new contents
beside the old and applies the difference under an EXCLUSIVE lock, which still admits readers
(their ACCESS SHARE lock does not conflict with it), so reports keep answering during a
refresh.  It needs the unique index migration 0002 created.  Elsewhere the table is rebuilt
from the ``..._source`` view in one transaction.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from typing import IO, TYPE_CHECKING

from django.db import connection, transaction

from apps.orm_scripts import datafiles
from apps.orm_scripts.models import Talk, TalkSummary

if TYPE_CHECKING:
    from collections.abc import Iterable

ORDER = {"track": ("-talks", "label"), "speaker": ("-talks", "label"), "day": ("label",)}


@dataclasses.dataclass(frozen=True)
class Section:
    """One kind of count (``"track"``, ``"speaker"`` or ``"day"``): ``(label, talks, minutes)`` rows."""

    kind: str
    rows: list[tuple[str, int, int]]

    @property
    def talks(self) -> int:
        return sum(talks for _, talks, _ in self.rows)

    @property
    def minutes(self) -> int:
        return sum(minutes for _, _, minutes in self.rows)


def refresh() -> int:
    """Bring the summary up to date with the talks; returns its number of rows."""
    quote = connection.ops.quote_name
    table = quote(TalkSummary._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {table}")
        else:
            cursor.execute(f"DELETE FROM {table}")
            source = quote(TalkSummary._meta.db_table + "_source")
            cursor.execute(
                f"INSERT INTO {table} (kind, label, talks, minutes) "
                f"SELECT kind, label, talks, minutes FROM {source}"
            )
    return TalkSummary.objects.count()


def summary() -> list[Section]:
    """The report's sections, in the order of :attr:`TalkSummary.KINDS`."""
    return [
        Section(
            kind,
            list(
                TalkSummary.objects.filter(kind=kind)
                .order_by(*ORDER[kind])
                .values_list("label", "talks", "minutes")
            ),
        )
        for kind in TalkSummary.KINDS
    ]


def render(sections: Iterable[Section], format: str = "text") -> str:
    """The report as a text table, CSV (total rows have kind ``total``) or JSON."""
    sections = list(sections)
    if format == "json":
        return (
            json.dumps(
                {
                    s.kind: {
                        "rows": [
                            {"label": label, "talks": talks, "minutes": minutes}
                            for label, talks, minutes in s.rows
                        ],
                        "total": {"talks": s.talks, "minutes": s.minutes},
                    }
                    for s in sections
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    out = io.StringIO()
    if format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["kind", "label", "talks", "minutes"])
        for s in sections:
            writer.writerows((s.kind, *row) for row in s.rows)
            writer.writerow(("total", s.kind, s.talks, s.minutes))
        return out.getvalue()
    for s in sections:
        width = max([len(s.kind), len("total"), *(len(label) for label, _, _ in s.rows)])
        out.write(f"Talks per {s.kind}\n  {s.kind:<{width}}  {'talks':>9}  {'minutes':>11}\n")
        for label, talks, minutes in [*s.rows, ("total", s.talks, s.minutes)]:
            out.write(f"  {label:<{width}}  {talks:>9,}  {minutes:>11,}\n")
        out.write("\n")
    return out.getvalue()


def export(out: IO[str], format: str = "jsonl", *, stream: bool = True) -> int:
    """Write every talk to ``out``; ``stream=False`` loads them all first (the bench's contrast)."""
    talks = Talk.objects.order_by("id")
    rows = talks.iterator(chunk_size=2000) if stream else list(talks)
    return datafiles.write((row.to_row() for row in rows), out, format)
