"""A shell over a stored crash with pdb's words: walk up and down a stack that died hours ago.

``where``, ``up``, ``down``, ``list``, ``args``, ``locals``, ``p``, ``pp``, ``exceptions`` (pdb's
command since 3.13, to move along the chain of causes), ``request``, ``help`` and ``quit`` read the
stored snapshot and nothing else: ``p`` looks names up among the saved values (``p name.attr``,
``p name[key]`` walk into the stored structure), and no expression is ever evaluated.
"""

from __future__ import annotations

import cmd
from typing import IO, Any

from wsgi_stack.postmortem.show import lookup, pretty, text
from wsgi_stack.postmortem.snapshot import source_hash


class Shell(cmd.Cmd):
    """``cmd.Cmd`` over ``snapshot``, starting at the innermost frame of the exception raised."""

    prompt = "(postmortem) "
    doc_header = "Commands (type help <command>); they read the stored crash, nothing runs:"

    def __init__(self, snapshot: dict[str, Any], stdin: IO[str] | None = None, stdout: IO[str] | None = None):
        super().__init__(stdin=stdin, stdout=stdout)
        if stdin is not None:
            self.use_rawinput = False
        self.snapshot = snapshot
        self.chain = snapshot["exceptions"]
        self._select(0)

    def _select(self, position: int) -> None:
        self.position = position
        self.frames = self.chain[position]["frames"]
        self.current = len(self.frames) - 1

    @property
    def frame(self) -> dict[str, Any]:
        frame: dict[str, Any] = self.frames[self.current]
        return frame

    def say(self, line: str = "") -> None:
        self.stdout.write(line + "\n")

    def preloop(self) -> None:
        error = self.chain[0]
        self.say(f"Crash {self.snapshot['id']} at {self.snapshot['time']} (UTC)")
        self.say(f"{error['type']}: {error['message']}")
        self.say("Stored values only: nothing here runs code. Type help for the commands.")
        self._here()

    def _here(self) -> None:
        if not self.frames:
            self.say("*** This exception has no frames.")
            return
        frame = self.frame
        self.say(f"> {frame['file']}({frame['line']}){frame['function']}()")
        lines = frame["source"]["lines"]
        offset = frame["line"] - frame["source"]["first"]
        if 0 <= offset < len(lines):
            self.say(f"-> {lines[offset].strip()}")

    def do_where(self, arg: str) -> None:
        """w(here): the stack, outermost first; > marks the current frame."""
        for number, frame in enumerate(self.frames):
            mark = ">" if number == self.current else " "
            outer = "  [above the handler]" if frame.get("outer") else ""
            self.say(f"{mark} {frame['file']}({frame['line']}){frame['function']}(){outer}")

    do_w = do_bt = do_where

    def do_up(self, arg: str) -> None:
        """u(p) [count]: move count frames (default 1) towards the outermost frame."""
        self._move(-self._count(arg))

    def do_down(self, arg: str) -> None:
        """d(own) [count]: move count frames (default 1) towards the frame that raised."""
        self._move(self._count(arg))

    do_u, do_d = do_up, do_down

    def _count(self, arg: str) -> int:
        return int(arg) if arg.strip().isdigit() else 1

    def _move(self, step: int) -> None:
        target = self.current + step
        if not 0 <= target < len(self.frames):
            self.say("*** Oldest frame" if target < 0 else "*** Newest frame")
            return
        self.current = target
        self._here()

    def do_list(self, arg: str) -> None:
        """l(ist): the stored source around the current line (as it was at the crash)."""
        frame = self.frame
        if frame.get("sha256") and source_hash(frame["file"]) != frame["sha256"]:
            self.say("*** The source changed since the crash: these are the stored lines.")
        for number, line in enumerate(frame["source"]["lines"], start=frame["source"]["first"]):
            self.say(f"{number:>4} {'->' if number == frame['line'] else '  '} {line}")

    do_l = do_list

    def do_args(self, arg: str) -> None:
        """a(rgs): the current function's arguments, as stored."""
        for name in self.frame["args"]:
            value = self.frame["locals"].get(name)
            self.say(f"{name} = {text(value) if value else '<not stored>'}")

    do_a = do_args

    def do_locals(self, arg: str) -> None:
        """locals: every local of the current frame, one line each, as stored."""
        for name, value in self.frame["locals"].items():
            self.say(f"{name} = {text(value)}")

    def do_p(self, arg: str) -> None:
        """p name | p name.attr | p name[key]: a stored value, on one line (no expression runs)."""
        self._print(arg, text)

    def do_pp(self, arg: str) -> None:
        """pp name | pp name.attr | pp name[key]: a stored value, one part a line."""
        self._print(arg, pretty)

    def _print(self, arg: str, render: Any) -> None:
        if not arg.strip():
            self.say("*** Name a stored value: p name, p name.attr, p name[key]")
            return
        try:
            self.say(render(lookup(self.frame["locals"], arg, self._resolve)))
        except (KeyError, IndexError, ValueError):
            self.say(f"*** {arg.strip()} is not among the stored values of this frame (see locals)")

    def _resolve(self, label: str) -> dict[str, Any]:
        """A value stored once, elsewhere: ``"talks['lightning'] in render"`` names where."""
        expression, _, function = label.rpartition(" in ")
        for error in self.chain:
            for frame in error["frames"]:
                if frame["function"] == function:
                    found = lookup(frame["locals"], expression)
                    if "same" not in found:
                        return found
        raise KeyError(label)

    def do_exceptions(self, arg: str) -> None:
        """exceptions [number]: the chain of exceptions (> marks the current); with a number, go to it."""
        if arg.strip():
            if not arg.strip().isdigit() or int(arg) >= len(self.chain):
                self.say(f"*** No exception number {arg.strip()}")
                return
            self._select(int(arg))
            self._here()
            return
        for number, error in enumerate(self.chain):
            mark = ">" if number == self.position else " "
            link = {"cause": "caused", "context": "was being handled when"}.get(error["link"], "raised")
            self.say(f"{mark} {number} {error['type']}: {error['message']}  ({link})")

    def do_request(self, arg: str) -> None:
        """request: the request that crashed (secrets stay redacted)."""
        request = self.snapshot["request"]
        self.say(f"{request['method']} {request['path']}  request id {request.get('request_id')}")
        for name, value in request["query"]:
            self.say(f"  ?{name}={value}")
        for name, value in request["headers"].items():
            self.say(f"  {name}: {value}")
        for name, value in request["body"].get("fields", []):
            self.say(f"  form {name}={value}")

    def do_quit(self, arg: str) -> bool:
        """q(uit): leave the shell."""
        return True

    do_q = do_exit = do_quit

    def do_EOF(self, arg: str) -> bool:
        """End of input (Ctrl-D): leave the shell."""
        self.say()
        return True

    def emptyline(self) -> bool:
        return False

    def default(self, line: str) -> None:
        self.say(
            f"*** {line.split()[0]} is not a command here: this shell reads stored values, it runs nothing"
        )
