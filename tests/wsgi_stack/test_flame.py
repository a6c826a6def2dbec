"""The flame graph: true calling contexts (tuna's example), escaped names, pruning, a bounded size."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from wsgi_stack import flame

ROOT = ("app.py", 1, "root")
A = ("app.py", 10, "a")
B = ("app.py", 20, "b")
C = ("app.py", 30, "c")
# tuna's README: root calls a (which calls c) for 4 s and b (which calls a, then c) for 1 s.
TUNA = {(ROOT, A, C): 4.0, (ROOT, B, A, C): 1.0}
SVG = "{http://www.w3.org/2000/svg}"


def drawn(document: str) -> list[dict]:
    """Every frame drawn: its name (from the hover title), title, rectangle and link."""
    frames = []
    for link_or_group in ET.fromstring(document):
        group = link_or_group.find(f"{SVG}g") if link_or_group.tag == f"{SVG}a" else link_or_group
        if group is None or group.tag != f"{SVG}g":
            continue
        title = group.find(f"{SVG}title").text
        rect = group.find(f"{SVG}rect").attrib
        frames.append(
            {
                "name": title.split(" (")[0],
                "title": title,
                "x": float(rect["x"]),
                "y": float(rect["y"]),
                "width": float(rect["width"]),
                "href": link_or_group.get("href"),
            }
        )
    return frames


def test_the_tree_keeps_c_under_a_apart_from_c_under_b_then_a() -> None:
    root = flame.tree(TUNA)
    top = root.children[ROOT]
    assert root.seconds == top.seconds == 5.0
    assert top.children[A].seconds == 4.0
    assert top.children[A].children[C].seconds == 4.0
    assert top.children[B].children[A].children[C].seconds == 1.0
    assert list(top.children) == [A, B], "children are ordered by name"


def test_the_svg_draws_both_paths_four_to_one() -> None:
    frames = drawn(flame.svg(TUNA, title="tuna"))
    by_depth = sorted((frame for frame in frames if frame["name"] == "c"), key=lambda frame: frame["y"])
    under_a, under_b = by_depth
    assert under_a["width"] / under_b["width"] == pytest.approx(4.0, rel=1e-3)
    assert under_a["width"] + under_b["width"] == pytest.approx(1200, abs=0.05)
    assert "4.000 s, 80.0%" in under_a["title"] and "app.py:30" in under_a["title"]
    b_frame = next(frame for frame in frames if frame["name"] == "b")
    assert b_frame["x"] <= under_b["x"] < b_frame["x"] + b_frame["width"], "the short c is drawn under b"
    above = [
        f
        for f in frames
        if f["y"] == under_a["y"] - flame.ROW and f["x"] <= under_a["x"] < f["x"] + f["width"]
    ]
    assert [frame["name"] for frame in above] == ["a"], "the long c is drawn under a, called from root"


def test_names_are_escaped_and_the_document_is_well_formed_xml() -> None:
    stacks = {(ROOT, ("a&b.py", 5, "<listcomp>")): 1.0, (ROOT, ("x.py", 1, '<module> "q"')): 1.0}
    document = flame.svg(stacks, title="<script>alert(1)</script> & co")
    assert "&lt;listcomp&gt;" in document and "<listcomp>" not in document
    assert "<script" not in document.lower()
    names = {frame["name"] for frame in drawn(document)}
    assert {"<listcomp>", '<module> "q"'} <= names


def test_links_are_kept_for_http_and_relative_urls_only() -> None:
    def href(frame):
        return "javascript:alert(1)" if frame == B else f"/__profile__/code?f={frame[2]}&l={frame[1]}"

    frames = {frame["name"]: frame for frame in drawn(flame.svg(TUNA, title="t", href=href))}
    assert frames["a"]["href"] == "/__profile__/code?f=a&l=10"
    assert frames["b"]["href"] is None
    assert frames["all"]["href"] is None


def test_frames_under_the_threshold_are_pruned_and_their_time_stays_in_the_caller() -> None:
    tiny = ("app.py", 40, "tiny_helper")
    stacks = {(ROOT, A): 999.0, (ROOT, tiny): 1.0}
    pruned = flame.tree(stacks, min_fraction=0.005)
    assert list(pruned.children[ROOT].children) == [A]
    assert pruned.children[ROOT].seconds == 1000.0
    assert "tiny_helper" not in flame.svg(stacks, title="t")
    assert "tiny_helper" in flame.svg(stacks, title="t", min_fraction=0)


def test_a_huge_profile_is_pruned_to_under_a_megabyte() -> None:
    rng = random.Random(7)
    names = [(f"pkg/module_{n}.py", n, f"function_with_a_long_name_{n}_" + "x" * 40) for n in range(3000)]
    views = names[:8]
    stacks = {
        (ROOT, rng.choice(views), *(rng.choice(names) for _ in range(rng.randint(0, 60)))): rng.random()
        for _ in range(20_000)
    }
    document = flame.svg(stacks, title="huge", min_fraction=0)
    assert len(document.encode()) <= flame.MAX_BYTES
    assert {frame["name"] for frame in drawn(document)} >= {"all", "root", *(view[2] for view in views)}


def test_no_samples_make_an_empty_but_valid_graph() -> None:
    document = flame.svg({}, title="nothing yet")
    assert drawn(document) == [] and "nothing yet" in document
