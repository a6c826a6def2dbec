"""The shell over a stored crash, driven with scripted input as a person would type it."""

from __future__ import annotations

import io

from wsgi_stack.postmortem.redact import Redactor
from wsgi_stack.postmortem.shell import Shell
from wsgi_stack.postmortem.snapshot import take


class Talk:
    def __init__(self) -> None:
        self.title = "Lightning talks"
        self.duration = 0


def pace(talk: Talk, slides: int) -> float:
    return slides / talk.duration


def render(talks: dict, api_key: str) -> float:
    return pace(talks["lightning"], 40)


def snapshot() -> dict:
    try:
        try:
            render({"lightning": Talk()}, api_key="sk-live-abcdef")
        except ZeroDivisionError as exc:
            raise RuntimeError("the page could not be rendered") from exc
    except RuntimeError as exc:
        return take(exc, {"REQUEST_METHOD": "GET", "PATH_INFO": "/talk/"}, Redactor())
    raise AssertionError


def run(*commands: str) -> str:
    out = io.StringIO()
    Shell(snapshot(), stdin=io.StringIO("\n".join(commands) + "\n"), stdout=out).cmdloop()
    return out.getvalue()


def test_exceptions_moves_along_the_chain_and_where_up_down_list_walk_the_stack() -> None:
    out = run(
        "exceptions",
        "exceptions 1",
        "where",
        "list",
        "up",
        "args",
        "p talks['lightning'].title",
        "p talks",
        "down",
        "p talk.duration",
        "pp talk",
        "quit",
    )
    assert "> 0 RuntimeError: the page could not be rendered" in out and "  1 ZeroDivisionError" in out
    assert "-> return slides / talk.duration" in out  # exceptions 1: at the division
    assert "> " in out and "pace()" in out and "render()" in out
    assert "talks = {'lightning':" in out and "api_key = ********" in out
    assert (
        "(postmortem) 'Lightning talks'\n" in out
    )  # p talks['lightning'].title, followed to where Talk is stored
    assert "(postmortem) 0\n" in out  # p talk.duration
    assert ".title = 'Lightning talks'" in out  # pp talk


def test_p_never_evaluates_and_unknown_commands_say_nothing_runs() -> None:
    out = run(
        "p __import__('os').system('echo pwned')", "!import os", "locals", "up 99", "down 99", "help", "q"
    )
    assert "\npwned" not in out and "is not among the stored values" in out and "runs nothing" in out
    assert "*** Oldest frame" in out and "*** Newest frame" in out
    for word in ("where", "up", "down", "list", "args", "locals", "pp", "exceptions", "quit"):
        assert word in out
