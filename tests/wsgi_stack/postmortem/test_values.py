"""Locals as bounded, side-effect-free JSON: every name kept, every cut marked, no code of theirs run."""

from __future__ import annotations

import json

from wsgi_stack.postmortem.redact import Redactor
from wsgi_stack.postmortem.values import Budget, describe, named


class Raises:
    def __repr__(self) -> str:
        raise RuntimeError("a broken __repr__")


class Loops:
    def __repr__(self) -> str:
        while True:
            pass


class Recurses:
    def __repr__(self) -> str:
        return repr(self)


class Lazy:
    """An object whose attribute, read through the class, would run code."""

    calls = 0

    def __init__(self) -> None:
        self.plain = "stored"

    @property
    def expensive(self) -> str:
        Lazy.calls += 1
        return "ran"

    def __getattr__(self, name: str) -> str:
        Lazy.calls += 1
        return "ran"


def test_a_repr_that_raises_loops_or_recurses_is_recorded_as_such() -> None:
    budget = Budget()
    assert describe(Raises(), budget)["r"] == "<repr raised RuntimeError>"
    assert describe(Loops(), budget)["r"] == "<repr ran past its time budget>"
    assert describe(Recurses(), budget)["r"] == "<repr recursed without end>"


def test_no_property_or_getattr_runs_and_the_instance_dict_is_shown() -> None:
    node = describe(Lazy(), Budget())
    assert Lazy.calls == 0
    assert node["r"] == "<Lazy object>" and node["attrs"]["plain"]["r"] == "'stored'"


def test_a_200k_list_and_a_10_mb_string_are_cut_and_say_by_how_much() -> None:
    budget = Budget()
    big = describe(list(range(200_000)), budget)
    assert big["len"] == 200_000 and len(big["items"]) == budget.items
    assert big["trimmed"] == 200_000 - budget.items
    text = describe("x" * 10_000_000, budget)
    assert text["len"] == 10_000_000 and text["trimmed_chars"] > 0 and len(text["r"]) <= budget.chars + 1
    assert len(json.dumps([big, text])) < 5_000


def test_depth_is_bounded_and_says_what_it_left() -> None:
    nested: dict = {"a": {"b": {"c": {"d": [1, 2, 3]}}}}
    node = describe(nested, Budget(depth=2))
    inner = node["items"][0][1]["items"][0][1]
    assert inner["r"] == "<dict of 1 item>" and inner["trimmed"] == 1


def test_the_same_object_is_shown_once_and_then_pointed_to() -> None:
    environ = {"PATH_INFO": "/x"}
    budget = Budget()
    budget.place, budget.where = "environ", "outer"
    first = describe(environ, budget)
    budget.place, budget.where = "environ", "inner"
    again = describe(environ, budget)
    assert "items" in first and again["same"] == "environ in outer"


def test_a_secret_name_keeps_its_name_and_loses_its_value() -> None:
    redactor = Redactor()
    node = named("api_key", "a-plain-looking-value", Budget(), redactor)
    assert node == {"t": "str", "r": "********", "redacted": 1}
    nested = describe({"outer": {"password": "hunter2hunter2"}}, Budget(), redactor)
    assert "hunter2" not in json.dumps(nested)


def test_a_spent_budget_is_said_on_each_value_left_out() -> None:
    budget = Budget(total_chars=100)
    nodes = [describe("y" * 90, budget) for _ in range(3)]
    assert nodes[-1]["r"] == "<not captured: the snapshot's budget was spent>"
