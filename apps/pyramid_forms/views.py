"""The Pyramid views: the form, the list of proposals, the slides (error pages are in ``errors.py``).

Pyramid owns the request: routes, view configuration, the CSRF check on
every POST (before these views run), the session that carries the message
across the redirect, and the Jinja2 renderer.  The views give the request
to :func:`~apps.pyramid_forms.bridge.form_data` and let the Django form decide.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from apps.pyramid_forms.bridge import form_data
from apps.pyramid_forms.forms import TOPICS, ProposalForm
from apps.pyramid_forms.store import StoreError

if TYPE_CHECKING:
    from pyramid.request import Request

logger = logging.getLogger(__name__)


@view_config(route_name="propose", request_method="GET", renderer="propose.html")
def show_form(request: Request) -> dict[str, Any]:
    return {"form": ProposalForm()}


@view_config(route_name="propose", request_method="POST", renderer="propose.html")
def submit_form(request: Request) -> dict[str, Any] | Response:
    """Store a valid proposal and redirect (Post/Redirect/Get); show an invalid one again, filled in."""
    form = ProposalForm(*form_data(request))
    if not form.is_valid():
        return {"form": form}
    try:
        proposal_id = request.proposals.add(form.cleaned_data)
    except StoreError:
        logger.exception("could not store a proposal")
        request.response.status_int = 503
        form.add_error(None, "Your proposal could not be saved just now. Please send it again in a moment.")
        return {"form": form}
    # Committed: announce it (never waits on subscribers; a broker that is down is logged, not fatal).
    data = form.cleaned_data
    request.events.publish(
        "proposal",
        {"id": proposal_id, "title": data["title"], "speaker": data["speaker"], "track": data["track"]},
    )
    # The session is a cookie: keep the newest message only, so it cannot outgrow the cookie's 4 kB.
    request.session.pop_flash()
    request.session.flash(f"Thank you! “{form.cleaned_data['title']}” is saved as proposal #{proposal_id}.")
    return HTTPSeeOther(request.route_url("proposals"))


@view_config(route_name="proposals", request_method="GET", renderer="proposals.html")
def list_proposals(request: Request) -> dict[str, Any]:
    return {
        "proposals": request.proposals.all(),
        "messages": request.session.pop_flash(),
        "topics": dict(TOPICS),
    }


@view_config(route_name="slides", request_method="GET")
def download_slides(request: Request) -> Response:
    found = request.proposals.slides(int(request.matchdict["id"]))
    if found is None:
        raise HTTPNotFound()
    name, content = found
    response = Response(body=content, content_type="application/pdf")
    response.content_disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
