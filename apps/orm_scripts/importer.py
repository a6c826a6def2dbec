"""Import a talks file: streamed, written in batches, each batch an upsert in its own transaction.

Each batch is one ``bulk_create(update_conflicts=True, unique_fields=["id"], ...)``: one
``INSERT ... ON CONFLICT (id) DO UPDATE`` statement (split further only where the database
limits the number of parameters), inside ``transaction.atomic()``.  A batch is in the
database whole or not at all, and writing a row again only updates it, so an import that
was killed part-way can simply be run again: it ends with the same rows as one clean run.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING

from django.db import transaction
from tqdm import tqdm

from apps.conference.data import FIELDS
from apps.orm_scripts.datafiles import BadRow, DataFileError, TalkFile
from apps.orm_scripts.models import Talk

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from pathlib import Path

    from apps.conference import data

UPDATE_FIELDS = [name for name in FIELDS if name != "id"]


class BadRowError(DataFileError):
    """``--strict``: the first bad row stops the import."""

    def __init__(self, bad: BadRow) -> None:
        super().__init__(f"{bad} (stopped at the first bad row: --strict)")
        self.bad = bad


@dataclasses.dataclass(frozen=True)
class ImportResult:
    """What an import did: rows upserted, bad rows skipped, and the table's size before and after."""

    rows: int
    bad: int
    batches: int
    before: int
    after: int


def upsert(talks: Sequence[data.Talk]) -> None:
    """Write one batch in one transaction: new ids are inserted, known ones updated."""
    # PostgreSQL refuses to update one row twice in a statement, so a repeated id keeps its last row.
    latest = {talk.id: talk for talk in talks}
    rows = [Talk.from_row(talk) for talk in latest.values()]
    with transaction.atomic():
        Talk.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["id"], update_fields=UPDATE_FIELDS
        )


def batches(
    items: Iterable[data.Talk | BadRow],
    size: int,
    *,
    strict: bool = False,
    on_bad_row: Callable[[BadRow], object] | None = None,
) -> Iterator[list[data.Talk]]:
    """Group good talks into lists of ``size``; bad rows go to ``on_bad_row`` (or raise, if ``strict``)."""
    on_bad_row = on_bad_row or (lambda row: print(f"skipped {row}", file=sys.stderr))
    batch: list[data.Talk] = []
    for item in items:
        if isinstance(item, BadRow):
            if strict:
                raise BadRowError(item)
            on_bad_row(item)
            continue
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_file(
    path: Path, *, batch_size: int = 1000, strict: bool = False, progress: bool | None = None
) -> ImportResult:
    """Upsert every good row of ``path``, reporting bad ones on stderr with their line numbers.

    ``progress`` shows a bar on stderr (``None``: only when stderr is a terminal).  Raises
    :class:`~apps.orm_scripts.datafiles.DataFileError` for a file it cannot read, and
    :class:`BadRowError` for the first bad row when ``strict``; batches written until then stay.
    """
    source = TalkFile(path, check=Talk.fits())
    before = Talk.objects.count()
    rows = bad = written = 0
    disable = None if progress is None else not progress
    bar = tqdm(
        total=source.size, unit="B", unit_scale=True, desc=source.path.name, file=sys.stderr, disable=disable
    )

    def skip(row: BadRow) -> None:
        nonlocal bad
        bad += 1
        bar.write(f"skipped {row}", file=sys.stderr)

    with bar:
        for batch in batches(source, batch_size, strict=strict, on_bad_row=skip):
            upsert(batch)
            rows, written = rows + len(batch), written + 1
            bar.update(source.position - bar.n)
        bar.update(source.size - bar.n)
    return ImportResult(rows=rows, bad=bad, batches=written, before=before, after=Talk.objects.count())
