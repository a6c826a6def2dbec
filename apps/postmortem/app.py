"""The post-mortem demo's factory: three small apps, one per framework, each crashing on purpose.

The Django part (the index and the Jinja2 talk page) answers at the demo's root; the Pyramid
rating form at ``rate/`` and the plain WSGI feed at ``feed/`` are mounted beside it.  Read
``swapdemo/kernel/crashes.py`` for how each one's crash reaches the post-mortem store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.postmortem.feed import feed
from apps.postmortem.rate import make_rate_app
from swapdemo.kernel.site import django_app
from wsgi_stack.mount import Mount

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from swapdemo.kernel.config import Config


def make_app(config: Config) -> WSGIApplication:
    """The demo, to mount at ``/postmortem``; capture itself is the stack's (``--postmortem``)."""
    pages = django_app("apps.postmortem.urls")  # first: it sets Django up for the Pyramid form
    return Mount({"/rate": make_rate_app(), "/feed": feed}, default=pages)
