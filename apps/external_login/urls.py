"""The sign-in demo's URLs, mounted at ``/auth/``.

This is the mount's whole URLconf (see ``swapdemo.kernel.site``), so the names need no namespace.
"""

from __future__ import annotations

from django.urls import path

from apps.external_login import views
from swapdemo.kernel.handlers import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("", views.index, name="index"),
    path("login/", views.login, name="login"),
    path("callback/", views.callback, name="callback"),
    path("members/", views.members, name="members"),
    path("logout/", views.logout, name="logout"),
]
