"""The development provider's URLs at ``/idp/``: the mount's whole URLconf, so names need no namespace."""

from __future__ import annotations

from django.urls import path

from apps.oidc_provider import views
from swapdemo.kernel.handlers import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("", views.index, name="index"),
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("jwks/", views.jwks, name="jwks"),
    path("authorize/", views.authorize, name="authorize"),
    path("token/", views.token, name="token"),
    path("end-session/", views.end_session, name="end_session"),
]
