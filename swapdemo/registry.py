"""Every demo and service of the suite, registered once.

``python -m swapdemo``, the landing page, the stack and each demo's entry
point all read :data:`ENTRIES`; a new demo appears everywhere by adding one
:class:`Entry` here.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed.wsgi import WSGIApplication

    from swapdemo.config import Config


@dataclasses.dataclass(frozen=True)
class Entry:
    """One demo (listed, with a command) or service (mounted for the demos that need it).

    :param name: the entry point, ``python -m swapdemo.<name>``; for a service,
        just its name.
    :param title: one line for listings.
    :param swaps: what the demo swaps out from under Django, one sentence.
    :param read_first: the file to open next to the page, relative to the repository.
    :param prefix: the mount prefix, or ``None`` for a command-line demo.
    :param factory: ``"module:function"`` taking a :class:`~swapdemo.config.Config`
        and returning a WSGI app; imported only when mounted.
    :param needs: names of the services it calls (mounted alongside it).
    :param bench: the module holding its benchmarks for ``python -m swapdemo.bench``.
    :param service: mounted for the demos that need it, not listed as a demo.
    """

    name: str
    title: str
    swaps: str
    read_first: str
    prefix: str | None = None
    factory: str | None = None
    needs: tuple[str, ...] = ()
    bench: str | None = None
    service: bool = False

    @property
    def command(self) -> str | None:
        return None if self.service else f"python -m swapdemo.{self.name}"

    def load(self) -> Callable[[Config], WSGIApplication]:
        if self.factory is None:
            raise LookupError(f"{self.name} is a command-line demo: it has no WSGI app")
        module, _, function = self.factory.partition(":")
        return getattr(importlib.import_module(module), function)


ENTRIES: tuple[Entry, ...] = ()


def demos() -> tuple[Entry, ...]:
    return tuple(entry for entry in ENTRIES if not entry.service)


def get(name: str) -> Entry:
    for entry in ENTRIES:
        if entry.name == name:
            return entry
    raise LookupError(f"no demo or service named {name!r}")


def closure(names: tuple[str, ...]) -> tuple[Entry, ...]:
    """The entries named and every service they need, in registry order."""
    wanted = set()
    pending = list(names)
    while pending:
        entry = get(pending.pop())
        if entry.name not in wanted:
            wanted.add(entry.name)
            pending.extend(entry.needs)
    return tuple(entry for entry in ENTRIES if entry.name in wanted)
