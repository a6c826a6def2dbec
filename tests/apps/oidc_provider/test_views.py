"""The development OpenID provider's endpoints, spoken to as any client would, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc import rpinitiated
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.jwk import KeySet

from apps.oidc_provider.app import make_app
from apps.oidc_provider.clients import DEMO_PASSWORD, DEMO_USERS, DEVELOPMENT_CLIENT
from swapdemo.kernel.config import from_environment
from tests.conftest import LiveServer, csrf
from wsgi_stack.mount import Mount

CLIENT = DEVELOPMENT_CLIENT


@pytest.fixture(scope="module")
def idp(tmp_path_factory) -> Iterator[str]:
    config = from_environment().replace(data_dir=tmp_path_factory.mktemp("idp"))
    with LiveServer(Mount({"/idp": make_app(config)})) as server:
        yield server.url


def authorization(idp: str, **changes: str | None) -> tuple[str, dict[str, str]]:
    verifier = generate_token(64)
    params = {
        "response_type": "code",
        "client_id": CLIENT.client_id,
        "redirect_uri": idp + CLIENT.redirect_paths[0],
        "scope": "openid profile email",
        "state": generate_token(16),
        "nonce": generate_token(16),
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        **changes,
    }
    params = {name: value for name, value in params.items() if value is not None}
    return f"{idp}/idp/authorize/?{urlencode(params)}", {**params, "code_verifier": verifier}


def sign_in(
    idp: str, browser: requests.Session, url: str, username: str = "ada", password: str = DEMO_PASSWORD
) -> requests.Response:
    page = browser.get(url, timeout=10)
    assert page.status_code == 200 and "Development only" in page.text
    form = {"csrfmiddlewaretoken": csrf(page), "username": username, "password": password, "approve": ""}
    return browser.post(url, data=form, allow_redirects=False, timeout=10)


def query(response: requests.Response) -> dict[str, str]:
    return {
        name: values[0] for name, values in parse_qs(urlsplit(response.headers["Location"]).query).items()
    }


def redeem(
    idp: str,
    code: str,
    verifier: str | None,
    method: str = "client_secret_basic",
    secret: str = CLIENT.client_secret,
) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": idp + CLIENT.redirect_paths[0]}
    if verifier is not None:
        form["code_verifier"] = verifier
    if method == "client_secret_post":
        return requests.post(
            f"{idp}/idp/token/",
            data={**form, "client_id": CLIENT.client_id, "client_secret": secret},
            timeout=10,
        )
    return requests.post(f"{idp}/idp/token/", data=form, auth=(CLIENT.client_id, secret), timeout=10)


def test_the_discovery_document_is_valid_provider_metadata_for_its_own_origin(idp) -> None:
    document = requests.get(f"{idp}/idp/.well-known/openid-configuration", timeout=10).json()
    OpenIDProviderMetadata(document).validate(metadata_classes=[rpinitiated.OpenIDProviderMetadata])
    assert document["issuer"] == f"{idp}/idp"
    assert all(
        document[name].startswith(f"{idp}/idp/")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint")
    )
    assert document["id_token_signing_alg_values_supported"] == ["RS256"] and document[
        "code_challenge_methods_supported"
    ] == ["S256"]


def test_the_key_set_holds_only_the_public_signing_key(idp) -> None:
    (key,) = requests.get(f"{idp}/idp/jwks/", timeout=10).json()["keys"]
    assert key["kty"] == "RSA" and key["use"] == "sig" and key["kid"] and {"n", "e"} <= key.keys()
    assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()


def test_its_pages_say_it_is_for_development_only(idp, browser) -> None:
    assert "Development only" in browser.get(f"{idp}/idp/", timeout=10).text
    url, _ = authorization(idp)
    page = browser.get(url, timeout=10)
    assert "Development only" in page.text and "Never use it for anything real" in page.text


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_a_code_flow_with_pkce_yields_a_signed_id_token(idp, browser, method) -> None:
    url, sent = authorization(idp)
    answer = sign_in(idp, browser, url, "grace")
    assert answer.status_code == 302 and answer.headers["Location"].startswith(sent["redirect_uri"] + "?")
    back = query(answer)
    assert back["state"] == sent["state"]
    response = redeem(idp, back["code"], sent["code_verifier"], method)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"].lower() == "bearer" and tokens["access_token"]
    keys = KeySet.import_key_set(requests.get(f"{idp}/idp/jwks/", timeout=10).json())
    token = jwt.decode(tokens["id_token"], keys, algorithms=["RS256"])
    assert token.header["kid"] == next(iter(keys)).kid
    claims = token.claims
    assert (
        claims["iss"] == f"{idp}/idp"
        and claims["aud"] == [CLIENT.client_id]
        and claims["nonce"] == sent["nonce"]
    )
    assert (
        claims["sub"] == DEMO_USERS["grace"].sub
        and claims["email"] == "grace@example.org"
        and claims["at_hash"]
    )
    assert claims["exp"] > claims["iat"] and claims["auth_time"] <= claims["iat"]


def test_each_origin_the_provider_is_reached_on_issues_tokens_as_itself(idp) -> None:
    other = idp.replace("127.0.0.1", "localhost")
    assert other != idp
    keys = KeySet.import_key_set(requests.get(f"{idp}/idp/jwks/", timeout=10).json())
    for origin in (idp, other, idp):
        url, sent = authorization(origin)
        with requests.Session() as browser:
            code = query(sign_in(origin, browser, url))["code"]
        assert (
            redeem(other if origin == idp else idp, code, sent["code_verifier"]).json()["error"]
            == "invalid_grant"
        )
        id_token = redeem(origin, code, sent["code_verifier"]).json()["id_token"]
        assert jwt.decode(id_token, keys, algorithms=["RS256"]).claims["iss"] == f"{origin}/idp"


def test_a_code_is_redeemed_once_and_only_with_its_verifier_and_secret(idp, browser) -> None:
    url, sent = authorization(idp)
    code = query(sign_in(idp, browser, url))["code"]
    assert redeem(idp, code, sent["code_verifier"], secret="wrong").json()["error"] == "invalid_client"
    assert redeem(idp, code, None).json()["error"] == "invalid_request"
    assert redeem(idp, code, generate_token(64)).json()["error"] == "invalid_grant"
    assert redeem(idp, code, sent["code_verifier"]).status_code == 200
    assert redeem(idp, code, sent["code_verifier"]).json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "changes",
    [
        {"code_challenge": None, "code_challenge_method": None},
        {"code_challenge_method": "plain"},
        {"nonce": None},
        {"scope": "openid admin"},
    ],
    ids=["no PKCE", "plain PKCE", "no nonce", "unknown scope"],
)
def test_a_faulty_request_from_the_registered_client_goes_back_to_it_as_an_error(
    idp, browser, changes
) -> None:
    url, sent = authorization(idp, **changes)
    answer = browser.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"].startswith(sent["redirect_uri"] + "?")
    assert (
        query(answer)["error"] in ("invalid_request", "invalid_scope")
        and query(answer)["state"] == sent["state"]
    )


@pytest.mark.parametrize(
    "changes",
    [{"redirect_uri": "http://evil.com/auth/callback/"}, {"client_id": "unknown"}],
    ids=["foreign redirect", "unknown client"],
)
def test_a_request_that_cannot_be_answered_safely_gets_a_page_not_a_redirect(idp, browser, changes) -> None:
    url, _ = authorization(idp, **changes)
    page = browser.get(url, allow_redirects=False, timeout=10)
    assert (
        page.status_code == 400
        and "Location" not in page.headers
        and "The provider refused this request" in page.text
    )


def test_a_wrong_password_shows_the_form_again(idp, browser) -> None:
    url, _ = authorization(idp)
    page = sign_in(idp, browser, url, password="guess")
    assert page.status_code == 200 and "Unknown user or wrong password" in page.text


def test_denying_sends_access_denied_back(idp, browser) -> None:
    url, sent = authorization(idp)
    page = browser.get(url, timeout=10)
    answer = browser.post(
        url, data={"csrfmiddlewaretoken": csrf(page), "deny": ""}, allow_redirects=False, timeout=10
    )
    assert query(answer)["error"] == "access_denied" and query(answer)["state"] == sent["state"]


def test_the_provider_remembers_a_sign_in_until_the_end_session_confirmation(idp, browser) -> None:
    url, _ = authorization(idp)
    sign_in(idp, browser, url)
    url, _sent = authorization(idp)
    assert "code" in query(browser.get(url, allow_redirects=False, timeout=10))
    url, _ = authorization(idp, prompt="login")
    assert browser.get(url, allow_redirects=False, timeout=10).status_code == 200
    back = idp + CLIENT.post_logout_redirect_paths[0]
    end = f"{idp}/idp/end-session/?" + urlencode(
        {"client_id": CLIENT.client_id, "post_logout_redirect_uri": back, "state": "s1"}
    )
    confirm = browser.get(end, timeout=10)
    assert "Sign out of the development provider?" in confirm.text and "ada" in confirm.text
    done = browser.post(end, data={"csrfmiddlewaretoken": csrf(confirm)}, allow_redirects=False, timeout=10)
    assert done.status_code == 302 and done.headers["Location"] == back + "?state=s1"
    url, _ = authorization(idp)
    assert browser.get(url, allow_redirects=False, timeout=10).status_code == 200


def test_sign_out_never_redirects_to_an_unregistered_address(idp, browser) -> None:
    end = f"{idp}/idp/end-session/?" + urlencode(
        {"client_id": CLIENT.client_id, "post_logout_redirect_uri": "http://evil.com/"}
    )
    confirm = browser.get(end, timeout=10)
    done = browser.post(end, data={"csrfmiddlewaretoken": csrf(confirm)}, allow_redirects=False, timeout=10)
    assert done.status_code == 200 and "You are signed out of the development provider" in done.text
