"""The Pyramid views: the form, the list of proposals, the slides, and readable error pages.

Pyramid owns the request: routes, view configuration, the CSRF check on
every POST (before these views run), the session that carries the message
across the redirect, and the Jinja2 renderer.  The views give the request
to :func:`~apps.pyramid_forms.bridge.form_data` and let the Django form decide.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPClientError, HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import exception_view_config, view_config

from apps.pyramid_forms.bridge import form_data
from apps.pyramid_forms.forms import TOPICS, ProposalForm
from apps.pyramid_forms.store import StoreError

if TYPE_CHECKING:
    from pyramid.request import Request

logger = logging.getLogger(__name__)

CSRF_HELP = (
    "The form was sent without the security token of this site, or with an old one "
    "(for example after the page stayed open for a long time, or cookies were blocked). "
    "Nothing was saved. Open the form again and send it from there."
)


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


@exception_view_config(HTTPClientError, renderer="error.html")
def client_error(exc: HTTPClientError, request: Request) -> dict[str, Any]:
    """A 4xx as a page: a failed CSRF check (400) says what happened and what to do."""
    request.response.status = exc.status
    if isinstance(exc, (BadCSRFToken, BadCSRFOrigin)):
        return {"title": "This form has expired", "message": CSRF_HELP}
    return {"title": exc.title, "message": exc.explanation}


@exception_view_config(StoreError, renderer="error.html")
def store_error(exc: StoreError, request: Request) -> dict[str, Any]:
    logger.error("proposals are unavailable: %s", exc)
    request.response.status_int = 503
    message = "The proposals could not be read just now. Please try again in a moment."
    return {"title": "Proposals are unavailable", "message": message}
