"""Django's forms in a Pyramid app: a "propose a talk" form, validated by django.forms, stored in SQLite.

Usage::

    python -m swapdemo.pyramid_forms [--host 127.0.0.1] [--port 8000] [--profile]

Then open http://127.0.0.1:8000/forms/ and read ``apps/pyramid_forms/bridge.py``.
Alone, Django is configured only as far as forms need; in ``python -m
swapdemo.stack`` the same app uses the Django demos' settings.
"""

from __future__ import annotations

from swapdemo.stack import serve

if __name__ == "__main__":
    raise SystemExit(serve(("pyramid_forms",), "the Pyramid app with Django forms at /forms/"))
