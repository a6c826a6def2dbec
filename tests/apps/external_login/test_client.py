"""The relying party's OpenID Connect client, against a fake provider: PKCE, client
authentication, the provider's errors, and every forged ID token refused.
"""

from __future__ import annotations

import base64
import html
import json
import time

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from tests.apps.external_login.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    begin,
    claims,
    finish,
    rs256,
    signed_in,
)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_well_formed_token_is_accepted_after_pkce_and_client_authentication(
    rp_site, fake, rp_browser
) -> None:
    params = begin(rp_site, rp_browser)
    assert params["code_challenge_method"] == "S256" and params["response_type"] == "code"
    assert set(params["scope"].split()) >= {"openid"} and params["client_id"] == CLIENT_ID
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    response = finish(rp_site, rp_browser, code="the-code", state=params["state"])
    assert response.status_code == 302 and response.headers["Location"] == "/auth/members/"
    assert signed_in(rp_site, rp_browser)
    (sent,) = fake.token_requests
    assert sent["form"]["grant_type"] == ["authorization_code"] and sent["form"]["code"] == ["the-code"]
    assert create_s256_code_challenge(sent["form"]["code_verifier"][0]) == params["code_challenge"]
    assert sent["form"]["redirect_uri"] == [params["redirect_uri"]]
    assert sent["authorization"].startswith("Basic ")


def test_several_audiences_are_accepted_when_azp_names_us(rp_site, fake, rp_browser) -> None:
    params = begin(rp_site, rp_browser)
    fake.id_token = rs256(fake, claims(fake, params["nonce"], aud=[CLIENT_ID, "another-api"], azp=CLIENT_ID))
    assert finish(rp_site, rp_browser, code="c", state=params["state"]).status_code == 302
    assert signed_in(rp_site, rp_browser)


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
def test_a_forged_id_token_is_refused(rp_site, fake, rp_browser, case: str) -> None:
    forge, reason = FORGERIES[case]
    params = begin(rp_site, rp_browser)
    fake.id_token = forge(fake, params["nonce"])
    response = finish(rp_site, rp_browser, code="c", state=params["state"])
    assert response.status_code == 403
    assert f"<p>{html.escape(f'The ID token was rejected: {reason}.')}</p>" in response.text
    assert fake.id_token not in response.text
    assert "/auth/login/?next=" in response.text
    assert not signed_in(rp_site, rp_browser)


def test_an_unknown_kid_fetches_the_key_set_once_more_then_refuses(rp_site, fake, rp_browser) -> None:
    params = begin(rp_site, rp_browser)
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    finish(rp_site, rp_browser, code="c", state=params["state"])
    seen = fake.jwks_requests
    params = begin(rp_site, rp_browser)
    fake.id_token = rs256(
        fake, claims(fake, params["nonce"]), RSAKey.generate_key(2048, parameters={"kid": "rotated-in"})
    )
    assert finish(rp_site, rp_browser, code="c", state=params["state"]).status_code == 403
    assert fake.jwks_requests == seen + 1


def test_a_code_the_provider_refuses_is_shown_as_its_error(rp_site, fake, rp_browser) -> None:
    params = begin(rp_site, rp_browser)
    fake.token_answer = (
        "400 Bad Request",
        {"error": "invalid_grant", "error_description": "The code has expired."},
    )
    response = finish(rp_site, rp_browser, code="stale", state=params["state"])
    assert (
        response.status_code == 403
        and "invalid_grant" in response.text
        and "The code has expired." in response.text
    )
    assert not signed_in(rp_site, rp_browser)
