"""Benchmarks: batched upsert vs a ``save()`` loop, memory of a streamed import, ``iterator()`` vs ``list()``.

Every figure comes from a fresh worker process (``python -m swapdemo.benches.orm_worker``) on a
throwaway SQLite file: the script configures Django itself, which the bench process (where
other suites load ``swapdemo.settings``) cannot, and peak memory is a per-process figure.
Timings cover the work only (read, validate, write), not start-up or migrations.  Memory
figures are the worker's peak RSS in MiB, Django included; the harness prints every figure
with a time unit, so read "45.2 s" there as 45.2 MiB.
"""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from swapdemo.benches import Comparison, Variant


class _Workspace:
    """A temporary folder of generated data files and databases, made on first use."""

    def __init__(self) -> None:
        self.root: Path | None = None
        self.runs = 0

    def data(self, rows: int) -> Path:
        path = self._dir() / f"talks-{rows}.jsonl"
        if not path.exists():
            _run("generate", str(rows), str(path))
        return path

    def database(self) -> Path:
        self.runs += 1
        return self._dir() / f"run-{self.runs}.sqlite3"

    def export_database(self, rows: int) -> Path:
        path = self._dir() / f"export-{rows}.sqlite3"
        if not path.exists():
            _run("import", str(self.data(rows)), str(path), "bulk")
        return path

    def _dir(self) -> Path:
        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="swapdemo-orm-bench-"))
        return self.root

    def close(self) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root, self.runs = None, 0


def _run(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "swapdemo.benches.orm_worker", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"bench worker {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def comparisons(quick: bool) -> list[Comparison]:
    rows, small, save_rows, rounds = (2_000, 200, 100, 1) if quick else (100_000, 10_000, 1_000, 3)
    space = _Workspace()
    # Shared by the comparisons, whichever of them --only runs, so it is removed when the bench ends.
    atexit.register(space.close)

    def imported(n: int, mode: str, figure: str) -> Variant:
        def measure() -> float:
            database = space.database()
            try:
                return _run("import", str(space.data(n)), str(database), mode)[figure]
            finally:
                database.unlink(missing_ok=True)

        unit = "s/row" if figure == "seconds_per_row" else "peak RSS MiB"
        return Variant(f"{_MODES[mode]}, {n // 1000 or n / 1000:g}k rows, {unit}", measure)

    def exported(mode: str, figure: str) -> Variant:
        unit = "seconds" if figure == "seconds" else "peak RSS MiB"
        return Variant(
            f"export {rows // 1000}k rows with {mode}(), {unit}",
            lambda: _run("export", str(space.export_database(rows)), mode)[figure],
        )

    return [
        Comparison(
            f"orm_script import {rows // 1000}k rows: batched upsert vs save() loop "
            f"(per row; save() on a {save_rows:,}-row subset)",
            [
                imported(rows, "bulk", "seconds_per_row"),
                imported(save_rows, "save", "seconds_per_row"),
                imported(save_rows, "save-batched", "seconds_per_row"),
            ],
            rounds=rounds,
            target="the autocommit save() loop at least 20x slower per row",
        ),
        Comparison(
            f"orm_script import memory: {small // 1000 or small / 1000:g}k vs {rows // 1000}k rows "
            "(peak RSS MiB)",
            [
                imported(small, "bulk", "peak_mib"),
                imported(rows, "bulk", "peak_mib"),
                imported(rows, "list", "peak_mib"),
            ],
            rounds=1,
            unit="MiB",
            target="streamed, the 10x bigger file within 1.3x; list() of the file shows what growth is",
        ),
        Comparison(
            "orm_script export: iterator() vs list() (seconds)",
            [exported("iterator", "seconds"), exported("list", "seconds")],
            rounds=min(rounds, 2),
            target="about as fast either way",
        ),
        Comparison(
            "orm_script export memory: iterator() vs list() (peak RSS MiB)",
            [exported("iterator", "peak_mib"), exported("list", "peak_mib")],
            rounds=1,
            unit="MiB",
            target="iterator(chunk_size=2000) keeps memory flat; list() holds every row",
        ),
    ]


_MODES = {
    "bulk": "bulk_create(update_conflicts), 1000 rows per transaction",
    "save": "save() per row, each its own transaction (autocommit)",
    "save-batched": "save() per row, 1000 rows per transaction",
    "list": "list() of the whole file, then the same batches",
}
