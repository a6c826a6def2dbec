"""Django views rendered by Jinja2 through Django's own backend: the conference schedule at ``/jinja/``.

The same schedule page, from the same view, in Django's template language is
at ``/jinja/dtl/``.

Usage::

    python -m swapdemo.jinja [--host 127.0.0.1] [--port 8000] [--profile]
"""

from __future__ import annotations

from swapdemo.stack import serve

if __name__ == "__main__":
    raise SystemExit(serve(("jinja",), "the Jinja2 schedule at /jinja/ (and its DTL twin at /jinja/dtl/)"))
