"""The speedscope export passes the file format's rules and keeps each worker's stacks intact."""

from __future__ import annotations

import json
import numbers

import pytest

from wsgi_stack import speedscope
from wsgi_stack.samples import Samples

UNITS = {"none", "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes"}
VIEW = ("apps/shop/views.py", 12, "view")
QUERY = ("django/db/models/query.py", 300, "__iter__")
LEN = ("~", 0, "<built-in method builtins.len>")


def _number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def problems(document: dict) -> list[str]:
    """What breaks speedscope's file-format-schema.json (src/lib/file-format-spec.ts) in ``document``."""
    found = []
    if document.get("$schema") != "https://www.speedscope.app/file-format-schema.json":
        found.append("$schema")
    frames = document.get("shared", {}).get("frames")
    if not isinstance(frames, list):
        return [*found, "shared.frames"]
    for i, frame in enumerate(frames):
        if not isinstance(frame, dict) or not isinstance(frame.get("name"), str):
            found.append(f"frame {i} has no name")
        elif "file" in frame and not isinstance(frame["file"], str):
            found.append(f"frame {i} file")
        elif any(key in frame and not _number(frame[key]) for key in ("line", "col")):
            found.append(f"frame {i} line/col")
    profiles = document.get("profiles")
    if not isinstance(profiles, list) or not profiles:
        return [*found, "profiles"]
    for i, profile in enumerate(profiles):
        if profile.get("type") not in ("sampled", "evented") or profile.get("unit") not in UNITS:
            found.append(f"profile {i} type/unit")
        if not isinstance(profile.get("name"), str):
            found.append(f"profile {i} name")
        start, end = profile.get("startValue"), profile.get("endValue")
        if not (_number(start) and _number(end) and end >= start):
            found.append(f"profile {i} startValue/endValue")
        if profile.get("type") == "sampled":
            samples, weights = profile.get("samples"), profile.get("weights")
            if not isinstance(samples, list) or not isinstance(weights, list) or len(samples) != len(weights):
                found.append(f"profile {i} samples and weights differ in length")
                continue
            if not all(_number(weight) for weight in weights):
                found.append(f"profile {i} weights")
            for stack in samples:
                if not all(isinstance(index, int) and 0 <= index < len(frames) for index in stack):
                    found.append(f"profile {i} frame index out of range")
    index = document.get("activeProfileIndex", 0)
    if not (isinstance(index, int) and 0 <= index < len(profiles)):
        found.append("activeProfileIndex")
    if not all(isinstance(document.get(key, ""), str) for key in ("name", "exporter")):
        found.append("name/exporter")
    return found


def two_workers() -> list[tuple[str, Samples]]:
    return [
        ("web-1 pid 101 Python 3.12.4", Samples({(VIEW, QUERY): 0.4, (VIEW, LEN): 0.1}, count=100)),
        ("web-2 pid 202 Python 3.12.4", Samples({(VIEW, QUERY): 0.2, (VIEW,): 0.05}, count=50)),
    ]


def test_the_document_passes_the_format_rules_and_is_plain_json() -> None:
    document = speedscope.document(two_workers(), exporter="swapdemo 0.1.0")
    assert problems(document) == []
    assert json.loads(json.dumps(document, allow_nan=False)) == document


def test_frames_are_shared_once_and_each_profile_keeps_its_stacks() -> None:
    workers = two_workers()
    document = speedscope.document(workers, exporter="swapdemo 0.1.0")
    frames = document["shared"]["frames"]
    assert sorted(frame["name"] for frame in frames) == sorted(name for _, _, name in {VIEW, QUERY, LEN})
    assert {"name": "view", "file": "apps/shop/views.py", "line": 12} in frames
    assert {"name": "<built-in method builtins.len>"} in frames, "a C function has no file to show"
    for (name, samples), profile in zip(workers, document["profiles"], strict=True):
        assert profile["name"] == name and profile["unit"] == "seconds"
        decoded = {
            tuple(frames[i]["name"] for i in stack): weight
            for stack, weight in zip(profile["samples"], profile["weights"], strict=True)
        }
        assert decoded == {tuple(frame[2] for frame in stack): s for stack, s in samples.stacks.items()}
        assert profile["endValue"] == pytest.approx(samples.total())


def test_the_checks_catch_a_broken_document() -> None:
    document = speedscope.document(two_workers(), exporter="swapdemo 0.1.0")
    document["profiles"][1]["weights"].pop()
    document["profiles"][0]["samples"][0].append(99)
    assert problems(document) == [
        "profile 0 frame index out of range",
        "profile 1 samples and weights differ in length",
    ]


def test_no_profiles_is_refused() -> None:
    with pytest.raises(ValueError):
        speedscope.document([], exporter="swapdemo")
