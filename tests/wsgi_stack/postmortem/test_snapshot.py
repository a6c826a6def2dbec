"""A snapshot: the chain, every frame with its source, hash and locals, the request; frames released."""

from __future__ import annotations

import gc
import io
import json
import sys
import weakref

from wsgi_stack.postmortem.redact import Redactor
from wsgi_stack.postmortem.snapshot import fingerprint, take


class Held:
    pass


def deep(levels: int, payload: object = None) -> None:
    marker = Held()  # noqa: F841 (a local the snapshot must release)
    if levels:
        deep(levels - 1, payload)
    else:
        raise ValueError("at the bottom")


def crash(payload: object = None, levels: int = 29) -> BaseException:
    try:
        deep(levels, payload)
    except ValueError as exc:
        return exc
    raise AssertionError("deep() did not raise")


ENVIRON = {"REQUEST_METHOD": "GET", "PATH_INFO": "/x", "QUERY_STRING": "", "wsgi.input": io.BytesIO()}


def test_every_frame_with_source_hash_and_every_local_name() -> None:
    snapshot = take(crash(), ENVIRON, Redactor())
    (error,) = snapshot["exceptions"]
    inner = [frame for frame in error["frames"] if not frame.get("outer")]
    assert error["type"] == "ValueError" and error["message"] == "at the bottom"
    assert len(inner) == 31 and inner[-1]["function"] == "deep" and inner[0]["function"] == "crash"
    bottom = inner[-1]
    assert bottom["file"] == __file__ and bottom["sha256"] and len(bottom["source"]["lines"]) == 15
    assert 'raise ValueError("at the bottom")' in bottom["source"]["lines"][7]
    assert set(bottom["locals"]) == {"levels", "payload", "marker"} and bottom["args"] == [
        "levels",
        "payload",
    ]
    outer = [frame for frame in error["frames"] if frame.get("outer")]
    assert outer and any(
        frame["function"].endswith("test_every_frame_with_source_hash_and_every_local_name")
        for frame in outer
    )
    assert snapshot["versions"]["python"] == sys.version.split()[0]
    assert snapshot["time"].endswith("+00:00")


def test_the_chain_of_causes_and_contexts_is_kept() -> None:
    try:
        try:
            {}["missing"]
        except KeyError as first:
            raise RuntimeError("while looking up") from first
    except RuntimeError as exc:
        try:
            raise TypeError("handling it") from None
        except TypeError:
            pass
        error = exc
    snapshot = take(error, ENVIRON, Redactor())
    assert [(e["link"], e["type"]) for e in snapshot["exceptions"]] == [
        ("raised", "RuntimeError"),
        ("cause", "KeyError"),
    ]


def test_frames_are_released_after_capture() -> None:
    error = crash()
    frame = error.__traceback__.tb_next.tb_frame  # deep's outermost call
    marker = weakref.ref(frame.f_locals["marker"])
    del frame
    take(error, ENVIRON, Redactor())
    gc.collect()
    assert marker() is None, "the snapshot kept the crashed request's objects alive"


def test_a_snapshot_with_a_200k_list_and_a_10_mb_string_stays_under_256_kb() -> None:
    payload = {"rows": list(range(200_000)), "blob": "z" * 10_000_000}
    snapshot = take(crash(payload), ENVIRON, Redactor())
    assert len(json.dumps(snapshot)) < 256 * 1024
    bottom = snapshot["exceptions"][0]["frames"][-1]["locals"]["payload"]
    rows = bottom["items"][0][1]
    assert rows["len"] == 200_000 and rows["trimmed"] > 0


def test_identical_crashes_share_a_fingerprint_and_others_do_not() -> None:
    assert fingerprint(crash()) == fingerprint(crash())
    assert fingerprint(crash(levels=3)) != fingerprint(crash())


def test_live_frames_locals_are_read_on_every_python() -> None:
    """On 3.13 a running frame's ``f_locals`` is a ``FrameLocalsProxy``; the outer frames are live."""
    live = sys._getframe()
    if sys.version_info >= (3, 13):
        assert type(live.f_locals).__name__ == "FrameLocalsProxy"
    here = "a value in the running test"  # noqa: F841
    snapshot = take(crash(), ENVIRON, Redactor())
    mine = next(f for f in snapshot["exceptions"][0]["frames"] if f["function"].endswith("on_every_python"))
    assert mine["locals"]["here"]["r"] == "'a value in the running test'"
