"""The sign-in pages: start, callback, members only, sign out.

The views keep the protocol's bookkeeping in the server-side session (state,
nonce and PKCE verifier of each sign-in in flight, then the validated claims)
and hand the callback to ``django.contrib.auth.authenticate()``, which asks the
backend.  Tokens never leave the server: not in a URL, a page or a log line.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import TYPE_CHECKING, cast
from urllib.parse import urlencode

from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from apps.external_login.backend import OIDCCallback
from apps.external_login.errors import OIDCError, ProviderRefused
from apps.external_login.models import ExternalIdentity
from apps.external_login.registration import PendingLogin
from apps.external_login.relying_party import RELYING_PARTY_KEY, RelyingParty

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.base import SessionBase

logger = logging.getLogger(__name__)

PENDING_KEY = "external_login.pending"
CLAIMS_KEY = "external_login.claims"
PENDING_SECONDS = 600
PENDING_MAX = 5


class InvalidState(OIDCError):
    title = "This sign-in cannot be completed"


def _relying_party(request: HttpRequest) -> RelyingParty:
    return request.META[RELYING_PARTY_KEY]


def _safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("members")


def _remember(session: SessionBase, pending: PendingLogin) -> None:
    """Keep the few most recent sign-ins in flight (one per tab), each usable once."""
    recent = [
        p for p in session.get(PENDING_KEY, {}).values() if time.time() - p["started"] < PENDING_SECONDS
    ]
    kept = [*sorted(recent, key=lambda p: p["started"])[-(PENDING_MAX - 1) :], dataclasses.asdict(pending)]
    session[PENDING_KEY] = {p["state"]: p for p in kept}


def _take(session: SessionBase, state: str | None) -> PendingLogin:
    in_flight = session.get(PENDING_KEY, {})
    found = in_flight.pop(state, None) if state else None
    session[PENDING_KEY] = in_flight
    if found is None or time.time() - found["started"] > PENDING_SECONDS:
        raise InvalidState(
            "The provider sent you back with a state this browser did not start, "
            "or that was already used or has expired."
        )
    return PendingLogin(**found)


def _failed(request: HttpRequest, error: OIDCError, next_url: str) -> HttpResponse:
    logger.warning(
        "sign-in failed: %s: %r", type(error).__name__, str(error)
    )  # %r: the provider's words, escaped
    retry = reverse("login") + "?" + urlencode({"next": next_url})
    return render(request, "external_login/error.html", {"error": error, "retry": retry}, status=error.status)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "issuer": _relying_party(request).issuer_for(request),
        "builtin": _relying_party(request).builtin,
        "redirect_uri": request.build_absolute_uri(reverse("callback")),
    }
    return render(request, "external_login/index.html", context)


@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """Send the visitor to the provider, remembering state, nonce and PKCE verifier."""
    next_url = _safe_next(request, request.GET.get("next"))
    redirect_uri = request.build_absolute_uri(reverse("callback"))
    try:
        url, pending = _relying_party(request).client(request).start(redirect_uri, next_url)
    except OIDCError as error:
        return _failed(request, error, next_url)
    _remember(request.session, pending)
    return HttpResponseRedirect(url)


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Match the state, then let ``authenticate()`` redeem the code and sign the visitor in."""
    next_url = reverse("members")
    try:
        pending = _take(request.session, request.GET.get("state"))
        next_url = pending.next_url
        if "error" in request.GET:
            raise ProviderRefused(request.GET["error"], request.GET.get("error_description"))
        if not request.GET.get("code"):
            raise OIDCError("The provider sent you back without an authorization code.")
        credential = OIDCCallback(_relying_party(request).client(request), request.GET["code"], pending)
        user = authenticate(request, oidc_callback=credential)
    except OIDCError as error:
        return _failed(request, error, next_url)
    if user is None:
        return _failed(request, OIDCError("This account may not sign in here (it is inactive)."), next_url)
    auth_login(request, user)
    request.session[CLAIMS_KEY] = credential.claims
    return HttpResponseRedirect(_safe_next(request, next_url))


@login_required(login_url="login")
def members(request: HttpRequest) -> HttpResponse:
    context = {
        "identities": ExternalIdentity.objects.filter(user=cast("User", request.user)),  # login_required
        "claims": [
            (name, ", ".join(map(str, value)) if isinstance(value, list) else value)
            for name, value in sorted(request.session.get(CLAIMS_KEY, {}).items())
        ],
    }
    return render(request, "external_login/members.html", context)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out here, then at the provider when it offers RP-initiated logout."""
    home = request.build_absolute_uri(reverse("index"))
    try:
        provider_logout = _relying_party(request).client(request).logout_url(home)
    except OIDCError:
        provider_logout = None
    auth_logout(request)
    return HttpResponseRedirect(provider_logout or home)
