"""Secrets out by name (Django's words and Sentry's) and by value, whatever the name."""

from __future__ import annotations

import pytest

from wsgi_stack.postmortem.redact import REDACTED, Redactor, sensitive_name


@pytest.mark.parametrize(
    "name",
    [
        "api_key",
        "STRIPE_SK",
        "stripe_sk",
        "db_password",
        "HTTP_AUTHORIZATION",
        "HTTP_COOKIE",
        "sessionid",
        "csrfmiddlewaretoken",
        "dsn",
        "pwd",
        "credentials",
        "private_key",
        "SECRET_KEY",
        "apiKey",
        "jwt",
    ],
)
def test_secret_names(name: str) -> None:
    assert sensitive_name(name)


@pytest.mark.parametrize("name", ["title", "speaker", "duration", "talks", "request", "environ"])
def test_plain_names(name: str) -> None:
    assert not sensitive_name(name)


def test_known_values_userinfo_and_long_tokens_are_replaced_wherever_they_appear() -> None:
    redact = Redactor(["correct horse battery staple"])
    text = redact(
        "pw=correct horse battery staple url=postgres://app:s3cret@db/x "
        "token=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b short=abc123"
    )
    assert "correct horse" not in text and "s3cret" not in text and "9f86d081" not in text
    assert text.count(REDACTED) == 3 and "short=abc123" in text


def test_a_short_secret_is_ignored_rather_than_redacting_every_word() -> None:
    assert Redactor(["abc"])("abcdef abc") == "abcdef abc"
