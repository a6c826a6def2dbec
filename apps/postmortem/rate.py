"""The Pyramid page: a rating form that is a Django form, whose ``clean()`` crashes for the keynote."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyramid.config import Configurator

from apps.postmortem.crashes import RatingForm

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from pyramid.request import Request

TEMPLATES = Path(__file__).parent / "jinja2"


def rate(request: Request) -> dict[str, Any]:
    """The form; sent (GET or POST: it stores nothing), the score, or the crash in ``clean()``."""
    sent = request.params.mixed() if "track" in request.params else None
    form = RatingForm(sent)
    score = form.cleaned_data["score"] if sent is not None and form.is_valid() else None
    return {"form": form, "score": score}


def make_rate_app() -> WSGIApplication:
    """The Pyramid app; the Django part (the form) needs ``swapdemo.settings``, set up by ``app.py``."""
    with Configurator(settings={"jinja2.undefined": "strict"}) as config:
        config.include("swapdemo.kernel.pyramid")  # the site's look, its 500 page and the crash hook
        config.add_jinja2_search_path(str(TEMPLATES), name=".html")
        config.add_route("rate", "/")
        config.add_view(rate, route_name="rate", renderer="postmortem/rate.html")
    return config.make_wsgi_app()
