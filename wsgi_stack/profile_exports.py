"""The merged profile as files for other tools, each saying which hosts, workers and Python made it.

- ``stats.prof``: pstats' own format (``marshal``), for snakeviz or ``python -m pstats``; it has no
  room for metadata, so the file name carries the Python version and the workers;
- ``callgrind.out``: for KCachegrind, with the workers and the Python version in ``desc:`` lines;
- ``speedscope.json``: the sampled stacks, one profile per worker named by host, pid and Python,
  in seconds.
"""

from __future__ import annotations

import io
import json
import marshal
from typing import TYPE_CHECKING, Any

from pyprof2calltree import CalltreeConverter

from wsgi_stack import speedscope
from wsgi_stack.profile_paths import to_pstats
from wsgi_stack.profile_store import safe_name

if TYPE_CHECKING:
    from wsgi_stack.profile_store import Merged

Response = tuple[str, list[tuple[str, str]], bytes]


def export(subpath: str, merged: Merged) -> Response:
    """``subpath`` (``/stats.prof``, ``/callgrind.out`` or ``/speedscope.json``) of ``merged``."""
    label = _label(merged)
    if subpath == "/stats.prof":
        return _download(f"{label}.prof", marshal.dumps(merged.stats))
    if subpath == "/callgrind.out":
        out = io.StringIO()
        out.write(f"desc: Python: {merged.python}\n")
        for record in merged.records:
            out.write(
                f"desc: Worker: host {record.host} pid {record.pid} ({record.profiled} cProfiled requests)\n"
            )
        CalltreeConverter(to_pstats(merged.stats)).output(out)
        return _download(f"callgrind.out.{label}", out.getvalue().encode(errors="replace"))
    profiles = [
        (f"host {record.host} pid {record.pid} Python {record.python}", record.samples)
        for record in merged.records
        if record.samples.stacks
    ]
    if not profiles:
        profiles = [(f"{label} (no samples)", merged.samples)]
    document: dict[str, Any] = speedscope.document(profiles, exporter="swapdemo", name=label)
    body = json.dumps(document, separators=(",", ":")).encode()
    return "200 OK", [("Content-Type", "application/json"), _disposition(f"{label}.speedscope.json")], body


def _label(merged: Merged) -> str:
    hosts = sorted({record.host for record in merged.records})
    if len(merged.records) == 1:
        who = f"{merged.records[0].host}-pid{merged.records[0].pid}"
    else:
        on = "-".join(hosts) if len(hosts) <= 3 else f"{len(hosts)}-hosts"
        who = f"{len(merged.records)}-workers-on-{on}"
    return f"swapdemo-py{merged.python}-{safe_name(who)}"


def _download(name: str, body: bytes) -> Response:
    return "200 OK", [("Content-Type", "application/octet-stream"), _disposition(name)], body


def _disposition(name: str) -> tuple[str, str]:
    return ("Content-Disposition", f'attachment; filename="{name}"')
