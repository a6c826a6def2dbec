"""The authentication backend: OIDC callbacks only, users keyed on issuer and subject, hooks to override."""

from __future__ import annotations

import uuid

from django.contrib.auth import authenticate, get_user_model
from django.test import override_settings

from apps.external_login import app as relying_party_app


@override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
)  # fast, for a test user only
def test_the_backend_answers_only_oidc_callbacks_and_leaves_passwords_to_model_backend(config) -> None:
    from apps.external_login.backend import OpenIDConnectBackend

    relying_party_app.migrate(config)
    local = get_user_model().objects.create_user(f"local-{uuid.uuid4().hex[:8]}", password="a-local-password")
    assert (
        OpenIDConnectBackend().authenticate(None, username=local.get_username(), password="a-local-password")
        is None
    )
    assert OpenIDConnectBackend().authenticate(None) is None
    assert authenticate(None, username=local.get_username(), password="a-local-password") == local


def test_users_are_keyed_on_issuer_and_subject_never_on_email(config) -> None:
    from apps.external_login.backend import OpenIDConnectBackend

    relying_party_app.migrate(config)
    backend, sub, issuer = (
        OpenIDConnectBackend(),
        uuid.uuid4().hex,
        f"https://idp-{uuid.uuid4().hex[:6]}.example",
    )
    claims = {
        "iss": issuer,
        "sub": sub,
        "preferred_username": "sam",
        "email": "sam@example.org",
        "email_verified": True,
    }
    first = backend.update_user(backend.get_or_create_user(claims), claims)
    moved = {**claims, "email": "sam@elsewhere.example", "given_name": "Sam"}
    assert backend.update_user(backend.get_or_create_user(moved), moved) == first
    first.refresh_from_db()
    assert (first.email, first.first_name) == ("sam@elsewhere.example", "Sam")
    same_email = {**claims, "sub": uuid.uuid4().hex}
    other_issuer = {**claims, "iss": issuer + "/other"}
    others = {backend.get_or_create_user(same_email), backend.get_or_create_user(other_issuer)}
    assert first not in others and len(others) == 2
    assert all(user.get_username().startswith("sam") for user in others)
    unverified = {**claims, "sub": uuid.uuid4().hex, "email": "victim@example.org", "email_verified": False}
    assert backend.update_user(backend.get_or_create_user(unverified), unverified).email == ""


def test_the_backend_hooks_can_be_overridden(config) -> None:
    from apps.external_login.backend import OpenIDConnectBackend

    class StaffFromOneProvider(OpenIDConnectBackend):
        def clean_username(self, claims):
            return f"oidc-{claims['sub'][:20]}"

        def update_user(self, user, claims):
            user.is_staff = claims["iss"] == "https://corp.example"
            user.save(update_fields=["is_staff"])
            return user

    relying_party_app.migrate(config)
    backend = StaffFromOneProvider()
    claims = {"iss": "https://corp.example", "sub": uuid.uuid4().hex}
    user = backend.update_user(backend.get_or_create_user(claims), claims)
    assert user.get_username() == f"oidc-{claims['sub'][:20]}" and user.is_staff
