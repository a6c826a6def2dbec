"""Shared by the sign-in tests: the stack with the built-in provider, and a fake provider.

The fake provider, a real HTTP server on 127.0.0.1, serves a discovery document, a JWK set and a
token endpoint that answers with whatever ID token the test forged for the sign-in in flight.  The
relying party is the real app, configured through its factory as for any outside provider.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from apps.external_login.app import make_app
from apps.oidc_provider.clients import DEMO_PASSWORD
from swapdemo.kernel.config import from_environment
from tests.conftest import LiveServer, csrf
from wsgi_stack.mount import Mount


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return from_environment().replace(data_dir=tmp_path_factory.mktemp("auth"))


def sign_in(
    site: str, browser: requests.Session, username: str = "ada", next_url: str = "/auth/members/", **form: str
) -> requests.Response:
    """Click "Sign in", fill in the provider's form if it asks, and land where the flow ends."""
    page = browser.get(f"{site}/auth/login/", params={"next": next_url}, timeout=10)
    if "/idp/authorize/" not in page.url:
        return page
    assert "Development only" in page.text
    fields = {
        "csrfmiddlewaretoken": csrf(page),
        "username": username,
        "password": DEMO_PASSWORD,
        "approve": "",
        **form,
    }
    return browser.post(page.url, data=fields, timeout=10)


CLIENT_ID = "relying-party-under-test"
CLIENT_SECRET = "a-client-secret-long-enough-for-hs256-keys-0123456789"


class FakeProvider:
    """Discovery, keys and a token endpoint; ``id_token`` is whatever the test puts there."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
        self.url = ""
        self.reset()

    def reset(self) -> None:
        self.id_token: str | None = None
        self.token_answer: tuple[str, dict] | None = None
        self.token_requests: list[dict] = []
        self.jwks_requests = 0

    def document(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": self.url + "/authorize",
            "token_endpoint": self.url + "/token",
            "jwks_uri": self.url + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        status, body = "200 OK", None
        if path == "/.well-known/openid-configuration":
            body = self.document()
        elif path == "/jwks":
            self.jwks_requests += 1
            body = {"keys": [self.key.as_dict(private=False)]}
        elif path == "/token":
            form = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
            self.token_requests.append(
                {"form": parse_qs(form), "authorization": environ.get("HTTP_AUTHORIZATION", "")}
            )
            status, body = self.token_answer or (
                "200 OK",
                {"access_token": "fake-access-token", "token_type": "Bearer", "id_token": self.id_token},
            )
        else:
            status, body = "404 Not Found", {"error": "not_found"}
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    with LiveServer(provider) as server:
        provider.url = server.url
        yield provider


@pytest.fixture(scope="module")
def rp_site(fake, tmp_path_factory) -> Iterator[str]:
    """The relying party alone at ``/auth/``, configured for the fake provider: its URL."""
    config = from_environment().replace(
        data_dir=tmp_path_factory.mktemp("rp"),
        oidc_issuer=fake.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
    )
    with LiveServer(Mount({"/auth": make_app(config)})) as server:
        yield server.url


@pytest.fixture
def rp_browser(fake) -> Iterator[requests.Session]:
    """A browser for ``rp_site``; the fake provider forgets what the previous test set."""
    fake.reset()
    with requests.Session() as session:
        yield session


def begin(site: str, browser: requests.Session, next_url: str | None = None) -> dict[str, str]:
    """Start a sign-in; the query of the provider URL the visitor is sent to."""
    query = "?" + urlencode({"next": next_url}) if next_url is not None else ""
    response = browser.get(site + "/auth/login/" + query, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return {
        name: values[0] for name, values in parse_qs(urlsplit(response.headers["Location"]).query).items()
    }


def finish(site: str, browser: requests.Session, **query: str) -> requests.Response:
    return browser.get(site + "/auth/callback/?" + urlencode(query), allow_redirects=False, timeout=10)


def signed_in(site: str, browser: requests.Session) -> bool:
    response = browser.get(site + "/auth/members/", allow_redirects=False, timeout=10)
    return response.status_code == 200


def claims(fake: FakeProvider, nonce: str | None, **changes) -> dict:
    now = int(time.time())
    base = {
        "iss": fake.url,
        "sub": "fake-subject-1",
        "aud": CLIENT_ID,
        "exp": now + 300,
        "iat": now,
        "nonce": nonce,
        "preferred_username": "forged",
        "given_name": "Fay",
        "family_name": "Kerr",
    }
    return {name: value for name, value in {**base, **changes}.items() if value is not None}


def rs256(fake: FakeProvider, payload: dict, key: RSAKey | None = None) -> str:
    key = key or fake.key
    return jwt.encode({"alg": "RS256", "kid": key.kid}, payload, key)
