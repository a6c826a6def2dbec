"""Framework-agnostic WSGI composition: mount apps, fold layers over them.

The stack is data: an ordered list of ``(layer, options)`` pairs, outermost
first, folded over an app by :func:`build`.  Each layer lives in its own module
with one public class (``mount``, ``request_id``, ``access_log``, ``static``,
``profiling``); ``transport`` holds the ``requests`` adapter for calls to apps
mounted in this process, and ``paste`` the PasteDeploy factories.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

Layer = tuple[Callable[..., "WSGIApplication"], Mapping[str, Any]]


def build(app: WSGIApplication, layers: Sequence[Layer]) -> WSGIApplication:
    """Wrap ``app`` in ``layers``, the first of which ends up outermost."""
    for layer, options in reversed(layers):
        app = layer(app, **options)
    return app
