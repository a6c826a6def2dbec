"""One function keeps one name across venvs and hosts, and pstats dicts merge as Stats.add merges."""

from __future__ import annotations

import copy
import cProfile
import json
import marshal
import pstats
from pathlib import Path

import pytest

from wsgi_stack import profile_paths
from wsgi_stack.profile_paths import PROJECT_ROOT, add_stats, normalise, normalise_stats, resolve


@pytest.mark.parametrize(
    "path",
    [
        "/srv/app/.venv/lib/python3.12/site-packages/django/db/utils.py",
        "/home/ci/venvs/x/lib/python3.11/site-packages/django/db/utils.py",
        "/usr/lib/python3/dist-packages/django/db/utils.py",
        "C:/Python312/Lib/site-packages/django/db/utils.py",
    ],
)
def test_an_installed_package_loses_its_venv_path(path: str) -> None:
    assert normalise(path) == "django/db/utils.py"


def test_project_files_lose_the_project_root_and_stdlib_files_get_a_prefix() -> None:
    assert normalise(str(PROJECT_ROOT / "wsgi_stack" / "flame.py")) == "wsgi_stack/flame.py"
    assert normalise(str(PROJECT_ROOT / ".venv/lib/python3.11/site-packages/tqdm/std.py")) == "tqdm/std.py"
    assert normalise(str(PROJECT_ROOT) + "-old/wsgi_stack/flame.py").startswith("/"), "a sibling folder"
    assert normalise(json.__file__) == "<stdlib>/json/__init__.py"


@pytest.mark.parametrize("name", ["~", "<frozen importlib._bootstrap>", "<string>", "/opt/other/tool.py"])
def test_pseudo_files_and_unknown_paths_are_kept(name: str) -> None:
    assert normalise(name) == name


def test_resolve_finds_the_file_on_this_host_and_nothing_outside_python_sources() -> None:
    for module in (json, pytest, profile_paths):
        assert resolve(normalise(module.__file__)) == Path(module.__file__)
    assert resolve("../../etc/passwd") is None
    assert resolve("wsgi_stack/../../../etc/shadow.py") is None
    assert resolve("/etc/passwd") is None
    assert resolve("~") is None and resolve("<string>") is None


HOST_A = "/srv/a/.venv/lib/python3.12/site-packages/app/models.py"
HOST_B = "/srv/b/venv/lib/python3.12/site-packages/app/models.py"


def test_normalise_stats_sums_one_function_seen_under_two_paths() -> None:
    save, caller_a, caller_b = (HOST_A, 10, "save"), (HOST_A, 50, "view"), (HOST_B, 50, "view")
    stats = {
        save: (2, 3, 0.5, 1.0, {caller_a: (2, 3, 0.5, 1.0)}),
        (HOST_B, 10, "save"): (1, 1, 0.25, 0.5, {caller_b: (1, 1, 0.25, 0.5)}),
        caller_a: (1, 1, 0.0, 1.0, {}),
    }
    merged = normalise_stats(stats)
    key, view = ("app/models.py", 10, "save"), ("app/models.py", 50, "view")
    assert merged == {key: (3, 4, 0.75, 1.5, {view: (3, 4, 0.75, 1.5)}), view: (1, 1, 0.0, 1.0, {})}


def shared(n: int) -> int:
    return sum(range(n))


def first_workload() -> None:
    for n in range(3):
        shared(n)


def second_workload() -> None:
    first_workload()
    shared(10)
    sorted([3, 1, 2])


def profiled(work, path) -> dict:
    profile = cProfile.Profile()
    profile.enable()
    work()
    profile.disable()
    profile.dump_stats(path)
    return marshal.loads(path.read_bytes())


def test_add_stats_equals_pstats_add_on_two_real_runs(tmp_path) -> None:
    one = profiled(first_workload, tmp_path / "one.prof")
    two = profiled(second_workload, tmp_path / "two.prof")
    expected = pstats.Stats(str(tmp_path / "one.prof"))
    expected.add(str(tmp_path / "two.prof"))

    merged, two_before = copy.deepcopy(one), copy.deepcopy(two)
    add_stats(merged, two)
    assert merged == expected.stats
    assert two == two_before, "the added stats are left as they were"
    calls = {name: nc for (_, _, name), (_, nc, _, _, _) in merged.items()}
    assert calls["shared"] == 3 + 4 and calls["first_workload"] == 2


def test_add_stats_leaves_no_shared_callers_dict() -> None:
    key, caller = ("f.py", 1, "f"), ("g.py", 1, "g")
    other = {key: (1, 1, 0.1, 0.1, {caller: (1, 1, 0.1, 0.1)})}
    into: dict = {}
    add_stats(into, other)
    add_stats(into, other)
    assert into[key] == (2, 2, 0.2, 0.2, {caller: (2, 2, 0.2, 0.2)})
    assert other[key][4] == {caller: (1, 1, 0.1, 0.1)}
