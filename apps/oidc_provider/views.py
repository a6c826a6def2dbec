"""The development provider's endpoints: discovery, keys, sign-in page, token, sign-out.

Every protocol decision is Authlib's (see ``server.py``); these views only
show pages and remember who signed in here, in a signed cookie scoped to the
provider's own path so it never mixes with the sites that use it.
"""

from __future__ import annotations

import dataclasses
import hmac
import time
from typing import TYPE_CHECKING

from authlib.oauth2 import OAuth2Error
from django import forms
from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.oidc_provider.app import PROVIDER_KEY
from apps.oidc_provider.clients import DEMO_PASSWORD, DEMO_USERS, SCOPES, DemoUser
from apps.oidc_provider.grants import ALGORITHM
from apps.oidc_provider.server import issuer

if TYPE_CHECKING:
    from apps.oidc_provider.server import Provider

LOGIN_COOKIE = "oidc_provider_login"
LOGIN_MAX_AGE = 3600


class LoginForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput)

    def clean(self) -> dict[str, str]:
        data = super().clean() or self.cleaned_data
        user = DEMO_USERS.get(data.get("username", ""))
        if user is None or not hmac.compare_digest(data.get("password", "").encode(), DEMO_PASSWORD.encode()):
            raise forms.ValidationError(
                "Unknown user or wrong password: sign in as one of the demo users below."
            )
        self.user = user
        return data


def _provider(request: HttpRequest) -> Provider:
    return request.META[PROVIDER_KEY]


def _signed_in(request: HttpRequest) -> DemoUser | None:
    try:
        login = signing.loads(request.COOKIES.get(LOGIN_COOKIE, ""), salt=LOGIN_COOKIE, max_age=LOGIN_MAX_AGE)
    except signing.BadSignature:
        return None
    user = DEMO_USERS.get(login["username"])
    return dataclasses.replace(user, auth_time=login["auth_time"]) if user else None


def _cookie_path(request: HttpRequest) -> str:
    return request.META.get("SCRIPT_NAME", "") + "/"


def _error_page(request: HttpRequest, error: OAuth2Error) -> HttpResponse:
    context = {"error": error.error, "description": error.description}
    return render(request, "oidc_provider/error.html", context, status=400)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {"issuer": issuer(request), "users": DEMO_USERS.values(), "password": DEMO_PASSWORD}
    return render(request, "oidc_provider/index.html", context)


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    def url(name: str) -> str:
        return request.build_absolute_uri(reverse(name))

    return JsonResponse(
        {
            "issuer": issuer(request),
            "authorization_endpoint": url("authorize"),
            "token_endpoint": url("token"),
            "jwks_uri": url("jwks"),
            "end_session_endpoint": url("end_session"),
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "name",
                "given_name",
                "family_name",
                "preferred_username",
                "email",
                "email_verified",
            ],
        }
    )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_provider(request).jwks())


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """Validate the request with Authlib, ask who is signing in, answer with a code or ``access_denied``."""
    server = _provider(request).server(request)
    user = _signed_in(request)
    try:
        grant = server.get_consent_grant(request, end_user=user)
    except OAuth2Error as error:
        return (
            server.handle_error_response(request, error)
            if error.redirect_uri
            else _error_page(request, error)
        )
    form = LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and "deny" in request.POST:
        return server.create_authorization_response(request, grant_user=None, grant=grant)
    if form.is_bound and form.is_valid():
        user = dataclasses.replace(form.user, auth_time=int(time.time()))
        response = server.create_authorization_response(request, grant_user=user, grant=grant)
        login = signing.dumps({"username": user.username, "auth_time": user.auth_time}, salt=LOGIN_COOKIE)
        response.set_cookie(
            LOGIN_COOKIE,
            login,
            max_age=LOGIN_MAX_AGE,
            path=_cookie_path(request),
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        return response
    if user is not None and not form.is_bound and grant.prompt != "login":
        return server.create_authorization_response(request, grant_user=user, grant=grant)
    context = {"form": form, "client": grant.client, "users": DEMO_USERS.values(), "password": DEMO_PASSWORD}
    return render(request, "oidc_provider/login.html", context)


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    """Authlib authenticates the client (basic or post), checks the code and PKCE, signs the ID token."""
    response = _provider(request).server(request).create_token_response(request)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def end_session(request: HttpRequest) -> HttpResponse:
    """RP-initiated logout: ask first (no ``id_token_hint`` is ever sent), then forget the sign-in."""
    server = _provider(request).server(request)
    try:
        ending = server.validate_endpoint_request("end_session", request)
    except OAuth2Error as error:
        return _error_page(request, error)
    if request.method == "GET" and ending.needs_confirmation:
        return render(
            request, "oidc_provider/end_session.html", {"client": ending.client, "user": _signed_in(request)}
        )
    response = server.create_endpoint_response("end_session", ending)
    if response is None:
        response = render(request, "oidc_provider/signed_out.html")
    response.delete_cookie(LOGIN_COOKIE, path=_cookie_path(request), samesite="Lax")
    return response
