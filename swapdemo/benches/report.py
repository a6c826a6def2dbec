"""The bench's results as Markdown, written into ``docs/benchmarks.md`` between markers.

``python -m swapdemo.bench --markdown docs/benchmarks.md`` replaces each block
``<!-- bench:SUITE -->`` … ``<!-- /bench:SUITE -->`` with the tables of that suite's comparisons,
and ``<!-- bench:machine -->`` with the machine, the date and the command.  The prose around the
blocks, which says what the figures mean, is left alone: only the figures are regenerated.
"""

from __future__ import annotations

import re
from typing import Any

from swapdemo.benches import figure


def table(result: dict[str, Any]) -> str:
    """One comparison: its variants' medians, their median ratio to the first, and the spread."""
    lines = [
        f"**{result['name']}** ({result['rounds']} interleaved rounds)",
        "",
        "| variant | median | ratio | spread of the ratio |",
        "|---|---|---|---|",
    ]
    for row in result["rows"]:
        median = figure(row["median"], result["rate"], result["unit"])
        spread = f"{row['ratio_low']:.2f}–{row['ratio_high']:.2f}"
        lines.append(f"| {row['variant']} | {median} | x{row['ratio']:.2f} | {spread} |")
    if result["target"]:
        lines += ["", f"Target: {result['target']}."]
    return "\n".join(lines)


def blocks(results: list[dict[str, Any]]) -> dict[str, str]:
    """The tables of each suite, keyed by the suite's name (``stack``, ``jinja``, ...)."""
    grouped: dict[str, list[str]] = {}
    for result in results:
        grouped.setdefault(result["suite"].rpartition(".")[2], []).append(table(result))
    return {suite: "\n\n".join(tables) for suite, tables in grouped.items()}


def splice(text: str, replacements: dict[str, str]) -> str:
    """``text`` with each ``bench:KEY`` block's content replaced; blocks not in ``replacements`` stay."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in replacements:
            return match.group(0)
        return f"<!-- bench:{key} -->\n{replacements[key]}\n<!-- /bench:{key} -->"

    return re.sub(r"<!-- bench:([\w-]+) -->\n.*?<!-- /bench:\1 -->", replace, text, flags=re.S)
