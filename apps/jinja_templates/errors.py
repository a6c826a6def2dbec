"""Jinja2's template errors as Django's, naming the template and line a reader needs.

Django's backend turns ``TemplateNotFound`` into ``TemplateDoesNotExist`` only for the template a
view asks for; one missing mid-render, from ``{% include %}`` or ``{% extends %}``, would leak out
as Jinja2's own exception, past code that catches Django's.  :class:`Environment` makes it
Django's, and a syntax error Django's ``TemplateSyntaxError`` with the template and line in its
message, not only in ``template_debug``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import jinja2
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.backends.jinja2 import get_exception_info

if TYPE_CHECKING:
    from types import TracebackType


def _template_line(tb: TracebackType | None) -> str:
    """``"name.html, line 3"`` for the innermost template frame of a traceback."""
    # Compiled templates keep their Template in this global; jinja2/debug.py finds them the same way.
    where = "outside any template"
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            where = f"{template.name}, line {template.get_corresponding_lineno(tb.tb_lineno)}"
        tb = tb.tb_next
    return where


class Environment(jinja2.Environment):
    """A ``jinja2.Environment`` whose template errors are Django's, named as a reader needs them.

    Django's backend turns ``TemplateNotFound`` into ``TemplateDoesNotExist``
    only for the template a view asks for; one missing mid-render, from
    ``{% include %}`` or ``{% extends %}``, would leak out as Jinja2's own
    exception, past code that catches Django's.  Here it is Django's, naming
    the template and line that asked for it; a syntax error is Django's
    ``TemplateSyntaxError`` naming the template and line in its message.
    """

    def handle_exception(self, source: str | None = None) -> NoReturn:
        where = _template_line(sys.exc_info()[2])
        try:
            super().handle_exception(source)
        except jinja2.TemplateNotFound as exc:
            raise TemplateDoesNotExist(f"{exc.name} (asked for by {where})") from exc
        except jinja2.TemplateSyntaxError as exc:
            # Django's backend would raise TemplateSyntaxError(exc.args), whose message is a tuple's repr.
            error = TemplateSyntaxError(
                f"{exc.message} ({exc.name or exc.filename or '<string>'}, line {exc.lineno})"
            )
            # Django's backend does the same; its stubs say Django's own exception, and no such attribute.
            error.template_debug = get_exception_info(exc)  # type: ignore[attr-defined, arg-type]
            raise error from exc
