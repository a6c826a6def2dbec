"""The bench harness reports what it measured: per-round medians, ratios with their spread, units
and rates.
"""

from __future__ import annotations

import itertools

from swapdemo.benches import Comparison, Variant, render, run


def test_ratios_are_per_round_medians_with_their_spread() -> None:
    baseline = itertools.cycle([1.0, 2.0, 4.0])
    doubled = itertools.cycle([2.0, 4.0, 12.0])
    result = run(
        Comparison(
            "demo", [Variant("a", lambda: next(baseline)), Variant("b", lambda: next(doubled))], rounds=3
        )
    )
    a, b = result["rows"]
    assert a["median"] == 2.0 and a["ratio"] == 1.0
    assert b["median"] == 4.0 and (b["ratio"], b["ratio_low"], b["ratio_high"]) == (2.0, 2.0, 3.0)
    table = render(result)
    assert "x2.00" in table and "[2.00–3.00]" in table and "(3 interleaved rounds)" in table


def test_units_and_rates_are_printed_as_such() -> None:
    memory = run(
        Comparison(
            "memory", [Variant("small", lambda: 47.9), Variant("big", lambda: 48.8)], rounds=1, unit="MiB"
        )
    )
    assert "47.9 MiB" in render(memory)
    rate = run(Comparison("rate", [Variant("one", lambda: 1915.0)], rounds=1, rate=True))
    assert "1,915/s" in render(rate)
