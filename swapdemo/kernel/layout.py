"""One look for every page, whichever engine renders it: the header, the nav of demos, the "about" line.

The registry of demos is the one source of truth.  The entry point builds a :class:`Site` from it
and the stack hands it to every request in ``environ["swapdemo.site"]``; :func:`chrome` turns it
into what a page's base template shows: the suite's name linking home, a nav of every demo with
the current one marked, the one stylesheet, and a line naming what this page swaps and the file
to read.  Each engine renders it from its own base template, which is part of the lesson:

- DTL and Django's Jinja2 backend: :func:`context_processor`, named in both ``TEMPLATES`` entries;
- Pyramid's renderer: a ``BeforeRender`` subscriber adds the same ``chrome``;
- plain WSGI pages (the landing page, errors, the profiler): :mod:`swapdemo.kernel.pages`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

SITE_KEY = "swapdemo.site"


@dataclasses.dataclass(frozen=True)
class Section:
    """A demo or a service as the nav shows it.

    :param prefix: its mount prefix (``"/jinja"``), or ``None`` for a command-line demo.
    :param served: mounted in this process (a demo run alone serves only some).
    :param part_of: for a service (``/idp/``), the demo it belongs to, marked current on its pages.
    """

    name: str
    title: str
    prefix: str | None
    swaps: str
    read_first: str
    served: bool = True
    part_of: str | None = None


@dataclasses.dataclass(frozen=True)
class Link:
    title: str
    href: str | None
    current: bool


@dataclasses.dataclass(frozen=True)
class Chrome:
    """What a base template needs; every URL already carries the prefix the stack is served at."""

    name: str
    home: str
    stylesheet: str
    nav: tuple[Link, ...]
    about: Section | None
    root: str


@dataclasses.dataclass(frozen=True)
class Site:
    """The suite as its pages present it: a name and its sections, demos first."""

    sections: tuple[Section, ...]
    name: str = "swapdemo"

    def locate(self, script_name: str, mount: str) -> tuple[str, Section | None]:
        """The stack's own prefix, and the section at ``mount``, the prefix the request came through
        (``/postmortem/rate``, an app mounted inside a demo, is the demo's)."""
        here = next(
            (s for s in self.sections if mount and s.prefix and (mount + "/").startswith(s.prefix + "/")),
            None,
        )
        return script_name.removesuffix(mount), here

    def chrome(self, script_name: str, mount: str, about: Section | None = None) -> Chrome:
        root, here = self.locate(script_name, mount)
        current = here.part_of or here.name if here else None
        nav = tuple(
            Link(s.title, f"{root}{s.prefix}/" if s.served else None, s.name == current)
            for s in self.sections
            if s.prefix and s.part_of is None
        )
        stylesheet = f"{root}/static/swapdemo.css"
        return Chrome(self.name, f"{root}/", stylesheet, nav, about or here, root)


# Pages served where no demo is mounted (the landing page, a 404) get this site.
_NOWHERE = Site(sections=())


def chrome(environ: Mapping[str, Any], about: Section | None = None) -> Chrome:
    """The chrome for a request, from the site the stack put in its environ."""
    site: Site = environ.get(SITE_KEY, _NOWHERE)
    return site.chrome(environ.get("SCRIPT_NAME", ""), environ.get("wsgi_stack.mount", ""), about)


def context_processor(request: Any) -> dict[str, Chrome]:
    """Django's hook (DTL and Jinja2 alike): ``chrome`` in every template's context."""
    return {"chrome": chrome(request.META)}
