"""The sign-in pages over real HTTP: the whole flow against the built-in provider, and every callback
the views must refuse (state, code, next).

A ``requests.Session`` is the browser: it follows redirects and posts the provider's login form.
Faults come from servers started here: a closed port, one that never answers, one that answers
garbage.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.contrib.auth import authenticate, get_user_model

from apps.external_login import app as relying_party_app
from apps.external_login.client import OIDCClient
from apps.oidc_provider.clients import DEMO_PASSWORD, DEMO_USERS, DEVELOPMENT_CLIENT
from swapdemo.servers import free_port
from swapdemo.stack import make_app
from tests.apps.external_login.conftest import begin, claims, finish, rs256, sign_in, signed_in
from tests.conftest import LiveServer, Trickle, csrf
from wsgi_stack.mount import Mount


@pytest.fixture(scope="module")
def site(config) -> Iterator[str]:
    with LiveServer(make_app(config, names=("auth",))) as server:
        yield server.url


def sign_out(site: str, browser: requests.Session) -> requests.Response:
    page = browser.get(f"{site}/auth/members/", timeout=10)
    return browser.post(f"{site}/auth/logout/", data={"csrfmiddlewaretoken": csrf(page)}, timeout=10)


def test_sign_in_through_the_builtin_provider_lands_on_the_members_page(site, browser) -> None:
    members = sign_in(site, browser, "grace")
    assert members.status_code == 200 and members.url == f"{site}/auth/members/"
    assert "Grace Hopper" in members.text and "grace@example.org" in members.text
    assert DEMO_USERS["grace"].sub in members.text and f"{site}/idp" in members.text
    hops = [response.url for response in members.history]
    assert any("/idp/authorize/" in url for url in hops) and any(
        "/auth/callback/?code=" in url for url in hops
    )
    user = get_user_model().objects.get(
        external_identities__issuer=f"{site}/idp", external_identities__subject=DEMO_USERS["grace"].sub
    )
    assert (user.first_name, user.last_name, user.email) == ("Grace", "Hopper", "grace@example.org")
    assert not user.has_usable_password()
    assert authenticate(None, username=user.get_username(), password=DEMO_PASSWORD) is None


def test_tokens_never_appear_in_a_url_a_page_or_a_log_line(site, browser, monkeypatch, caplog) -> None:
    issued: list[dict] = []
    exchange = OIDCClient.exchange_code

    def spy(self, code, pending):
        issued.append(tokens := exchange(self, code, pending))
        return tokens

    monkeypatch.setattr(OIDCClient, "exchange_code", spy)
    for name in ("django.request", "django.security"):  # the settings keep these off the root logger
        monkeypatch.setattr(logging.getLogger(name), "propagate", True)
    caplog.set_level("DEBUG")
    members = sign_in(site, browser)
    pages = [members, browser.get(f"{site}/auth/", timeout=10), *members.history]
    (tokens,) = issued
    secrets = [tokens["id_token"], tokens["access_token"], *tokens["id_token"].split(".")]
    assert members.url.endswith("/auth/members/") and caplog.records
    for secret in secrets:
        assert not any(
            secret in page.url or secret in page.text or secret in page.headers.get("Location", "")
            for page in pages
        )
        assert secret not in caplog.text


def test_a_returning_visitor_is_signed_in_by_the_provider_session_without_the_form(site, browser) -> None:
    first = sign_in(site, browser)
    browser.cookies.clear(domain="127.0.0.1", path="/", name="sessionid")
    again = browser.get(f"{site}/auth/login/", params={"next": "/auth/members/"}, timeout=10)
    assert again.url == first.url == f"{site}/auth/members/" and "Ada Lovelace" in again.text
    identities = get_user_model().objects.filter(
        external_identities__subject=DEMO_USERS["ada"].sub, external_identities__issuer=f"{site}/idp"
    )
    assert identities.count() == 1


def test_the_members_page_sends_visitors_to_sign_in_first(site, browser) -> None:
    response = browser.get(f"{site}/auth/members/", allow_redirects=False, timeout=10)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login/?next=/auth/members/"


def test_denying_at_the_provider_is_shown_as_access_denied(site, browser) -> None:
    page = sign_in(site, browser, deny="")
    assert page.status_code == 403 and "/auth/callback/" in page.url and "error=access_denied" in page.url
    assert "Access was denied at the sign-in provider" in page.text and "access_denied" in page.text
    assert 'href="/auth/login/?next=%2Fauth%2Fmembers%2F"' in page.text
    assert browser.get(f"{site}/auth/members/", allow_redirects=False, timeout=10).status_code == 302


def test_sign_out_ends_the_session_here_and_at_the_provider(site, browser) -> None:
    sign_in(site, browser)
    confirm = sign_out(site, browser)
    assert "/idp/end-session/" in confirm.url and "Sign out of the development provider?" in confirm.text
    query = parse_qs(urlsplit(confirm.url).query)
    assert query == {
        "client_id": [DEVELOPMENT_CLIENT.client_id],
        "post_logout_redirect_uri": [f"{site}/auth/"],
    }
    home = browser.post(confirm.url, data={"csrfmiddlewaretoken": csrf(confirm)}, timeout=10)
    assert home.url == f"{site}/auth/" and "Sign in" in home.text
    assert browser.get(f"{site}/auth/members/", allow_redirects=False, timeout=10).status_code == 302
    assert "/idp/authorize/" in browser.get(f"{site}/auth/login/", timeout=10).url


@contextmanager
def stalling_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


def garbage(environ, start_response):
    if environ["PATH_INFO"].startswith("/impostor/"):
        other = "https://login.example.org"
        body = json.dumps(
            {
                "issuer": other,
                "authorization_endpoint": other + "/a",
                "token_endpoint": other + "/t",
                "jwks_uri": other + "/k",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body.encode()]
    status = "500 Internal Server Error" if "broken" in environ["PATH_INFO"] else "200 OK"
    start_response(status, [("Content-Type", "text/html")])
    return [b"<html><body>Welcome to nginx!</body></html>"]


@contextmanager
def faulty_provider(fault: str) -> Iterator[str]:
    if fault == "down":
        yield f"http://127.0.0.1:{free_port()}"
    elif fault == "slow":
        with stalling_server() as url:
            yield url
    elif fault == "trickling":
        with Trickle("body", pause=0.2) as server:
            yield server.url
    else:
        with LiveServer(garbage) as server:
            yield server.url + {"failing": "/broken", "impostor": "/impostor"}.get(fault, "")


@pytest.mark.parametrize(
    ("fault", "status", "title", "reason"),
    [
        ("down", 502, "The sign-in provider is unavailable", "could not be reached"),
        ("slow", 504, "The sign-in provider did not answer in time", "did not answer within 0.5 seconds"),
        (
            "trickling",
            504,
            "The sign-in provider did not answer in time",
            "did not answer in full within 1.5 s",
        ),
        ("garbage", 502, "The sign-in provider is unavailable", "not JSON"),
        ("failing", 502, "The sign-in provider is unavailable", "answered HTTP 500"),
        ("impostor", 502, "The sign-in provider is unavailable", "names another issuer"),
    ],
)
def test_a_provider_that_is_down_slow_or_broken_gets_a_readable_page_with_a_retry_link(
    config, browser, fault, status, title, reason
) -> None:
    with faulty_provider(fault) as issuer:
        configured = config.replace(
            oidc_issuer=issuer, oidc_client_id="swapdemo", oidc_client_secret="secret"
        )
        site = Mount({"/auth": relying_party_app.make_app(configured, timeout=(0.5, 0.5), total=1.5)})
        with LiveServer(site) as server:
            page = browser.get(f"{server.url}/auth/login/?next=/auth/members/", timeout=10)
    assert page.status_code == status and page.headers["Content-Type"].startswith("text/html")
    assert title in page.text and reason in page.text and "Traceback" not in page.text
    assert 'href="/auth/login/?next=%2Fauth%2Fmembers%2F">Try signing in again' in page.text


def test_a_code_the_builtin_provider_refuses_gives_a_readable_page_not_a_500(site, browser) -> None:
    # The token call goes to /idp/ in-process; the error page after it still reverses URLs and renders.
    page = browser.get(f"{site}/auth/login/", params={"next": "/auth/members/"}, timeout=10)
    fields = {"csrfmiddlewaretoken": csrf(page), "username": "ada", "password": DEMO_PASSWORD, "approve": ""}
    answer = browser.post(page.url, data=fields, allow_redirects=False, timeout=10)
    callback = requests.compat.urljoin(page.url, answer.headers["Location"])
    refused = browser.get(re.sub(r"code=[^&]+", "code=not-a-code-it-issued", callback), timeout=10)
    assert refused.status_code in (400, 403, 502), refused.text[:500]
    assert "Try signing in again" in refused.text and 'href="/auth/login/' in refused.text


def test_a_callback_without_state_is_refused(rp_site, fake, rp_browser) -> None:
    begin(rp_site, rp_browser)
    response = finish(rp_site, rp_browser, code="c")
    assert response.status_code == 400 and "state this browser did not start" in response.text
    assert fake.token_requests == [] and not signed_in(rp_site, rp_browser)


def test_a_replayed_state_is_refused(rp_site, fake, rp_browser) -> None:
    params = begin(rp_site, rp_browser)
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    assert finish(rp_site, rp_browser, code="c", state=params["state"]).status_code == 302
    out = rp_browser.post(
        rp_site + "/auth/logout/",
        data={"csrfmiddlewaretoken": rp_browser.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    assert out.headers["Location"] == rp_site + "/auth/", "a provider without end_session_endpoint: back home"
    assert not signed_in(rp_site, rp_browser)
    response = finish(rp_site, rp_browser, code="c", state=params["state"])
    assert response.status_code == 400 and "already used" in response.text
    assert len(fake.token_requests) == 1 and not signed_in(rp_site, rp_browser)


def test_a_callback_replayed_while_still_signed_in_is_refused(rp_site, fake, rp_browser) -> None:
    params = begin(rp_site, rp_browser)
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    callback = rp_site + "/auth/callback/?" + urlencode({"code": "c", "state": params["state"]})
    assert rp_browser.get(callback, allow_redirects=False, timeout=10).status_code == 302
    assert signed_in(rp_site, rp_browser)
    replayed = rp_browser.get(callback, allow_redirects=False, timeout=10)
    assert replayed.status_code == 400, "the state of a finished sign-in was taken a second time"
    assert "<h1>This sign-in cannot be completed</h1>" in replayed.text
    assert "a state this browser did not start, or that was already used" in replayed.text
    assert len(fake.token_requests) == 1, "the replayed code reached the provider"
    assert signed_in(rp_site, rp_browser), "the refusal leaves the session signed in"


def test_a_state_started_in_another_browser_is_refused(rp_site, fake, rp_browser) -> None:
    params = begin(rp_site, rp_browser)
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    with requests.Session() as attacker:
        begin(rp_site, attacker)
        response = finish(rp_site, attacker, code="c", state=params["state"])
        assert response.status_code == 400 and not signed_in(rp_site, attacker)
    assert fake.token_requests == []
    assert finish(rp_site, rp_browser, code="c", state=params["state"]).status_code == 302


def test_a_callback_without_a_code_is_refused(rp_site, fake, rp_browser) -> None:
    params = begin(rp_site, rp_browser)
    response = finish(rp_site, rp_browser, state=params["state"])
    assert response.status_code == 400 and "without an authorization code" in response.text
    assert fake.token_requests == [] and not signed_in(rp_site, rp_browser)


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
def test_next_pointing_away_is_not_followed(rp_site, fake, rp_browser, next_url: str) -> None:
    params = begin(rp_site, rp_browser, next_url)
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    response = finish(rp_site, rp_browser, code="c", state=params["state"])
    assert response.status_code == 302 and response.headers["Location"] == "/auth/members/"


def test_next_on_this_site_is_followed(rp_site, fake, rp_browser) -> None:
    params = begin(rp_site, rp_browser, "/auth/?from=members")
    fake.id_token = rs256(fake, claims(fake, params["nonce"]))
    assert (
        finish(rp_site, rp_browser, code="c", state=params["state"]).headers["Location"]
        == "/auth/?from=members"
    )
