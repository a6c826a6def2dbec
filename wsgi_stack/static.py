"""Serve static files in front of the apps, with WhiteNoise.

Static files are the one thing every demo needs and no demo teaches, so a
well-kept library does it: WhiteNoise gives correct caching headers, ``HEAD``,
ranges and pre-compressed variants.  It sits outside the mount dispatcher
because ``STATIC_URL`` is absolute (``/static/``): a relative one would be
frozen to whichever mount prefix served the first request.  Behind nginx or a
CDN, let them serve the files and drop this layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whitenoise import WhiteNoise

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from _typeshed.wsgi import WSGIApplication


class StaticFiles(WhiteNoise):  # type: ignore[misc]  # WhiteNoise ships no type hints
    """Answer ``GET``/``HEAD`` under ``prefix`` from ``roots``; pass the rest on.

    :param app: the WSGI app for every other path.
    :param roots: folders whose files appear under ``prefix``; an earlier
        folder wins when two hold the same name.  Files are indexed once, at
        start-up.
    :param prefix: the URL prefix, ``/static/`` by default.
    :param max_age: ``Cache-Control: max-age`` in seconds.

    Reads ``PATH_INFO``, ``REQUEST_METHOD`` and the conditional and range
    headers; writes nothing to the environ.  File bodies are streamed through
    ``wsgi.file_wrapper`` when the server offers one.
    """

    def __init__(
        self, app: WSGIApplication, roots: Sequence[Path], prefix: str = "/static/", max_age: int = 60
    ) -> None:
        super().__init__(app, max_age=max_age)
        for root in reversed(roots):
            self.add_files(str(root), prefix=prefix)
