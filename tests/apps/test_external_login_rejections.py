"""Everything the relying party must refuse, each case a test, none accepted.

A fake provider, a real HTTP server on 127.0.0.1 started here, serves a
discovery document, a JWK set and a token endpoint that answers with whatever
ID token the test forged for the sign-in in flight.  The relying party is the
real app, configured through its factory as for any outside provider.
"""

from __future__ import annotations

import base64
import html
import json
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from apps.external_login.app import make_app
from swapdemo.kernel.config import from_environment
from tests.conftest import LiveServer
from wsgi_stack.mount import Mount

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
def site(fake, tmp_path_factory) -> Iterator[str]:
    config = from_environment().replace(
        data_dir=tmp_path_factory.mktemp("rp"),
        oidc_issuer=fake.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
    )
    with LiveServer(Mount({"/auth": make_app(config)})) as server:
        yield server.url


@pytest.fixture
def browser(fake) -> Iterator[requests.Session]:
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


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_well_formed_token_is_accepted_after_pkce_and_client_authentication(site, fake, browser) -> None:
    params = begin(site, browser)
    assert params["code_challenge_method"] == "S256" and params["response_type"] == "code"
    assert set(params["scope"].split()) >= {"openid"} and params["client_id"] == CLIENT_ID
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    response = finish(site, browser, code="the-code", state=params["state"])
    assert response.status_code == 302 and response.headers["Location"] == "/auth/members/"
    assert signed_in(site, browser)
    (sent,) = fake.token_requests
    assert sent["form"]["grant_type"] == ["authorization_code"] and sent["form"]["code"] == ["the-code"]
    assert create_s256_code_challenge(sent["form"]["code_verifier"][0]) == params["code_challenge"]
    assert sent["form"]["redirect_uri"] == [params["redirect_uri"]]
    assert sent["authorization"].startswith("Basic ")


def test_several_audiences_are_accepted_when_azp_names_us(site, fake, browser) -> None:
    params = begin(site, browser)
    fake.id_token = rs256(fake, claims(fake, params["nonce"], aud=[CLIENT_ID, "another-api"], azp=CLIENT_ID))
    assert finish(site, browser, code="c", state=params["state"]).status_code == 302
    assert signed_in(site, browser)


def _tampered(fake, nonce):
    header, _, signature = rs256(fake, claims(fake, nonce)).split(".")
    return f"{header}.{b64(claims(fake, nonce, sub='someone-else'))}.{signature}"


FORGERIES = {
    "tampered signature": (_tampered, "bad signature"),
    "alg none": (
        lambda fake, nonce: f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims(fake, nonce))}.",
        "Algorithm of 'none' is not allowed",
    ),
    "HS256 with the client secret": (
        lambda fake, nonce: jwt.encode(
            {"alg": "HS256"}, claims(fake, nonce), OctKey.import_key(CLIENT_SECRET), algorithms=["HS256"]
        ),
        "Algorithm of 'HS256' is not allowed",
    ),
    "wrong iss": (
        lambda fake, nonce: rs256(fake, claims(fake, nonce, iss=fake.url + "/other")),
        "Invalid claim: 'iss'",
    ),
    "wrong aud": (
        lambda fake, nonce: rs256(fake, claims(fake, nonce, aud="someone-else")),
        "Invalid claim: 'aud'",
    ),
    "several audiences without azp": (
        lambda fake, nonce: rs256(fake, claims(fake, nonce, aud=[CLIENT_ID, "another-api"])),
        "Missing claim: 'azp'",
    ),
    "azp naming another client": (
        lambda fake, nonce: rs256(fake, claims(fake, nonce, azp="another-client")),
        "Invalid claim: 'azp'",
    ),
    "expired": (
        lambda fake, nonce: rs256(
            fake, claims(fake, nonce, exp=int(time.time()) - 600, iat=int(time.time()) - 900)
        ),
        "The token is expired",
    ),
    "issued in the future": (
        lambda fake, nonce: rs256(fake, claims(fake, nonce, iat=int(time.time()) + 600)),
        "The token was issued in the future",
    ),
    "wrong nonce": (lambda fake, nonce: rs256(fake, claims(fake, "not-" + nonce)), "Invalid claim: 'nonce'"),
    "missing nonce": (lambda fake, nonce: rs256(fake, claims(fake, None)), "Missing claim: 'nonce'"),
    "missing sub": (lambda fake, nonce: rs256(fake, claims(fake, nonce, sub=None)), "Missing claim: 'sub'"),
    "unknown kid": (
        lambda fake, nonce: rs256(
            fake, claims(fake, nonce), RSAKey.generate_key(2048, parameters={"kid": "gone"})
        ),
        "No key for kid: 'gone'",
    ),
    "not a JWT": (lambda fake, nonce: "not-a-jwt", "Invalid JSON Web Signature"),
}


@pytest.mark.parametrize("case", FORGERIES, ids=list(FORGERIES))
def test_a_forged_id_token_is_refused(site, fake, browser, case: str) -> None:
    forge, reason = FORGERIES[case]
    params = begin(site, browser)
    fake.id_token = forge(fake, params["nonce"])
    response = finish(site, browser, code="c", state=params["state"])
    assert response.status_code == 403
    assert f"<p>{html.escape(f'The ID token was rejected: {reason}.')}</p>" in response.text
    assert fake.id_token not in response.text
    assert "/auth/login/?next=" in response.text
    assert not signed_in(site, browser)


def test_an_unknown_kid_fetches_the_key_set_once_more_then_refuses(site, fake, browser) -> None:
    params = begin(site, browser)
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    finish(site, browser, code="c", state=params["state"])
    seen = fake.jwks_requests
    params = begin(site, browser)
    fake.id_token = rs256(
        fake, claims(fake, params["nonce"]), RSAKey.generate_key(2048, parameters={"kid": "rotated-in"})
    )
    assert finish(site, browser, code="c", state=params["state"]).status_code == 403
    assert fake.jwks_requests == seen + 1


def test_a_callback_without_state_is_refused(site, fake, browser) -> None:
    begin(site, browser)
    response = finish(site, browser, code="c")
    assert response.status_code == 400 and "state this browser did not start" in response.text
    assert fake.token_requests == [] and not signed_in(site, browser)


def test_a_replayed_state_is_refused(site, fake, browser) -> None:
    params = begin(site, browser)
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    assert finish(site, browser, code="c", state=params["state"]).status_code == 302
    out = browser.post(
        site + "/auth/logout/",
        data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    assert out.headers["Location"] == site + "/auth/", "a provider without end_session_endpoint: back home"
    assert not signed_in(site, browser)
    response = finish(site, browser, code="c", state=params["state"])
    assert response.status_code == 400 and "already used" in response.text
    assert len(fake.token_requests) == 1 and not signed_in(site, browser)


def test_a_state_started_in_another_browser_is_refused(site, fake, browser) -> None:
    params = begin(site, browser)
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    with requests.Session() as attacker:
        begin(site, attacker)
        response = finish(site, attacker, code="c", state=params["state"])
        assert response.status_code == 400 and not signed_in(site, attacker)
    assert fake.token_requests == []
    assert finish(site, browser, code="c", state=params["state"]).status_code == 302


def test_a_callback_without_a_code_is_refused(site, fake, browser) -> None:
    params = begin(site, browser)
    response = finish(site, browser, state=params["state"])
    assert response.status_code == 400 and "without an authorization code" in response.text
    assert fake.token_requests == [] and not signed_in(site, browser)


def test_a_code_the_provider_refuses_is_shown_as_its_error(site, fake, browser) -> None:
    params = begin(site, browser)
    fake.token_answer = (
        "400 Bad Request",
        {"error": "invalid_grant", "error_description": "The code has expired."},
    )
    response = finish(site, browser, code="stale", state=params["state"])
    assert (
        response.status_code == 403
        and "invalid_grant" in response.text
        and "The code has expired." in response.text
    )
    assert not signed_in(site, browser)


# Like django/tests/utils_tests/test_http.py (URLHasAllowedHostAndSchemeTests.test_bad_urls).
OPEN_REDIRECTS = [
    "http://evil.com",
    "https://evil.com/auth/members/",
    "//evil.com",
    "///evil.com",
    r"\\evil.com",
    r"\/evil.com",
    r"/\evil.com",
    r"/\\evil.com",
    "https:///evil.com",
    "http:evil.com",
    r"http:/\/evil.com",
    "ftp://evil.com",
    "javascript:alert(1)",
    "\njavascript:alert(x)",
    "\x08//evil.com",
    r"http://127.0.0.1\@evil.com",
]


@pytest.mark.parametrize("next_url", OPEN_REDIRECTS)
def test_next_pointing_away_is_not_followed(site, fake, browser, next_url: str) -> None:
    params = begin(site, browser, next_url)
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    response = finish(site, browser, code="c", state=params["state"])
    assert response.status_code == 302 and response.headers["Location"] == "/auth/members/"


def test_next_on_this_site_is_followed(site, fake, browser) -> None:
    params = begin(site, browser, "/auth/?from=members")
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    assert finish(site, browser, code="c", state=params["state"]).headers["Location"] == "/auth/?from=members"
