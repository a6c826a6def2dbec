"""The sampler: real stacks in caller order, beside cProfile, normalised, per process, as JSON."""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import time
import warnings

import pytest

from wsgi_stack.profile_paths import normalise
from wsgi_stack.sampler import TRUNCATED, Sampler, Samples

HERE = normalise(__file__)


def c(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def a(seconds: float) -> None:
    c(seconds)


def b(seconds: float) -> None:
    a(seconds)


def recurse(depth: int, seconds: float) -> None:
    if depth:
        recurse(depth - 1, seconds)
    else:
        c(seconds)


def seconds_on(samples: Samples, *names: str) -> float:
    """Seconds of the stacks that end in ``names`` called from this test module, exactly so."""
    total = 0.0
    for stack, seconds in samples.stacks.items():
        tail = stack[-len(names) - 1 :]
        ours = all(frame[0] == HERE for frame in tail)
        if ours and tuple(frame[2] for frame in tail[1:]) == names and tail[0][2] not in ("a", "b"):
            total += seconds
    return total


def test_each_calling_context_gets_its_own_time() -> None:
    sampler = Sampler()
    with sampler.watching():
        a(0.4)
        b(0.1)
    samples = sampler.snapshot()
    a_then_c, b_then_a_then_c = seconds_on(samples, "a", "c"), seconds_on(samples, "b", "a", "c")
    assert b_then_a_then_c > 0, "the short path b→a→c is sampled too"
    assert a_then_c > b_then_a_then_c
    assert samples.count > 0 and samples.total() >= a_then_c + b_then_a_then_c
    call_line = a.__code__.co_firstlineno + 1  # the line of a() that calls c()
    assert samples.lines[(HERE, call_line)] > 0


def test_it_samples_while_cprofile_is_enabled_in_the_same_process() -> None:
    sampler, profile = Sampler(), cProfile.Profile()
    with sampler.watching():
        profile.enable()  # Python 3.12+ refuses a second profiling tool: the sampler is not one
        try:
            a(0.2)
        finally:
            profile.disable()
    assert seconds_on(sampler.snapshot(), "a", "c") > 0
    assert any(name == "c" for _, _, name in pstats.Stats(profile).stats)


def test_frames_are_normalised_so_hosts_agree() -> None:
    sampler = Sampler()
    with sampler.watching():
        a(0.05)
    files = {frame[0] for stack in sampler.snapshot().stacks for frame in stack}
    assert HERE == "tests/wsgi_stack/test_sampler.py" and HERE in files
    assert any(file.startswith("_pytest/") for file in files), "pytest's frames lose their venv path"
    assert not any("site-packages" in file or file.startswith("/work/") for file in files)


def test_only_watched_threads_are_sampled_and_reset_forgets() -> None:
    sampler = Sampler()
    with sampler.watching():
        a(0.05)
    c(0.05)  # not watched
    assert seconds_on(sampler.snapshot(), "c") == 0
    sampler.reset()
    assert sampler.snapshot() == Samples(interval=sampler.interval)


def test_a_deep_stack_is_cut_and_says_so() -> None:
    sampler = Sampler(max_depth=20)
    with sampler.watching():
        recurse(60, 0.1)
    stacks = sampler.snapshot().stacks
    assert stacks and all(len(stack) <= 21 for stack in stacks)
    assert any(stack[-1] == TRUNCATED for stack in stacks)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_samples_on_its_own_and_starts_empty() -> None:
    sampler = Sampler()
    with sampler.watching():
        a(0.05)
    assert sampler.snapshot().count > 0
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork() in a threaded process
        pid = os.fork()
    if pid == 0:  # the child, as a gunicorn worker forked after the app was built
        try:
            os.close(read)
            empty = sampler.snapshot().count == 0
            with sampler.watching():
                b(0.1)
            report = {"empty": empty, "samples": sampler.snapshot().to_json()}
            os.write(write, json.dumps(report).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        report = json.loads(pipe.read() or b"{}")
    os.waitpid(pid, 0)
    assert report["empty"], "the parent's samples would be counted twice once workers are merged"
    assert seconds_on(Samples.from_json(report["samples"]), "b", "a", "c") > 0


def test_merge_adds_exactly() -> None:
    frame = (HERE, 1, "f")
    one = Samples({(frame,): 0.1}, {(HERE, 2): 3}, count=3)
    two = Samples({(frame,): 0.2, (frame, frame): 0.5}, {(HERE, 2): 1, (HERE, 3): 1}, count=2)
    one.merge(two)
    assert one == Samples({(frame,): 0.1 + 0.2, (frame, frame): 0.5}, {(HERE, 2): 4, (HERE, 3): 1}, count=5)


def test_json_round_trip() -> None:
    sampler = Sampler()
    with sampler.watching():
        b(0.05)
    samples = sampler.snapshot()
    assert Samples.from_json(json.loads(json.dumps(samples.to_json(), allow_nan=False))) == samples


GOOD = {
    "interval": 0.005,
    "count": 1,
    "frames": [["f.py", 1, "f"]],
    "stacks": [[[0], 0.01]],
    "lines": [["f.py", 2, 1]],
}


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        [],
        "samples",
        {**GOOD, "extra": 1},
        {key: value for key, value in GOOD.items() if key != "lines"},
        {**GOOD, "interval": 0},
        {**GOOD, "count": -1},
        {**GOOD, "count": True},
        {**GOOD, "stacks": {"f": 1}},
        {**GOOD, "frames": [["f.py", "1", "f"]]},
        {**GOOD, "frames": [["f.py", 1]]},
        {**GOOD, "stacks": [[[1], 0.01]]},
        {**GOOD, "stacks": [[[-1], 0.01]]},
        {**GOOD, "stacks": [[["0"], 0.01]]},
        {**GOOD, "stacks": [[[0.5], 0.01]]},
        {**GOOD, "stacks": [[[0], float("nan")]]},
        {**GOOD, "stacks": [[[0], "0.01"]]},
        {**GOOD, "stacks": [[[0]]]},
        {**GOOD, "lines": [["f.py", 2]]},
        {**GOOD, "lines": [[2, 2, 1]]},
    ],
)
def test_from_json_rejects_garbage(garbage: object) -> None:
    assert Samples.from_json(GOOD).count == 1
    with pytest.raises(ValueError):
        Samples.from_json(garbage)
