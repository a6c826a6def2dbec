"""One measured task of the ORM script's benchmarks, run in a fresh process: generate, import or export.

Usage (by :mod:`swapdemo.benches.orm_script`, which reads the JSON it prints)::

    python -m swapdemo.benches.orm_worker generate N FILE
    python -m swapdemo.benches.orm_worker import FILE DATABASE bulk|save|save-batched|list
    python -m swapdemo.benches.orm_worker export DATABASE iterator|list

The script configures Django itself, which the bench process (where other suites load
``swapdemo.settings``) cannot, and peak memory is a per-process figure.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _peak_mib() -> float:
    # Linux hands a parent's ru_maxrss on through fork and exec (here: the bench's own, bigger, peak);
    # VmHWM belongs to this process's memory alone.
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**10
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _worker(argv: list[str]) -> dict[str, Any]:
    """Run one measured task in this (fresh) process: generate, import or export."""
    command, *args = argv
    if command == "generate":
        from apps.conference.data import generate
        from apps.orm_scripts.datafiles import write

        with open(args[1], "w", encoding="utf-8") as out:
            return {"rows": write(generate(int(args[0])), out, "jsonl")}
    from apps.orm_scripts import standalone
    from swapdemo.kernel.config import load

    database = args[0] if command == "export" else args[1]
    standalone.configure(load({"DATABASE_URL": f"sqlite:///{database}"}))
    standalone.migrate_if_needed()
    from django.db import transaction

    from apps.orm_scripts import importer, reports
    from apps.orm_scripts.datafiles import BadRow, TalkFile
    from apps.orm_scripts.models import Talk

    rows = 0
    started = time.perf_counter()
    if command == "export":
        with open(os.devnull, "w", encoding="utf-8") as out:
            rows = reports.export(out, stream=args[1] == "iterator")
    elif args[2] == "save":
        for talk in TalkFile(Path(args[0])):
            if not isinstance(talk, BadRow):
                Talk.from_row(talk).save()
                rows += 1
    elif args[2] == "save-batched":
        for batch in importer.batches(TalkFile(Path(args[0])), 1000):
            with transaction.atomic():
                for talk in batch:
                    Talk.from_row(talk).save()
            rows += len(batch)
    else:
        items = TalkFile(Path(args[0]))
        for batch in importer.batches(list(items) if args[2] == "list" else items, 1000):
            importer.upsert(batch)
            rows += len(batch)
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": seconds,
        "seconds_per_row": seconds / max(rows, 1),
        "peak_mib": _peak_mib(),
    }


if __name__ == "__main__":
    print(json.dumps(_worker(sys.argv[1:])))
