"""Sign-in through OpenID Connect: the whole flow over real HTTP against the built-in provider.

A ``requests.Session`` is the browser: it follows redirects and posts the
provider's login form, against the suite's stack served by waitress on
127.0.0.1.  Faults come from servers started here: a closed port, one that
never answers, one that answers garbage.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from wsgiref.validate import validator

import pytest
import requests
from django.contrib.auth import authenticate, get_user_model
from django.test import override_settings
from webtest import TestApp

from apps.external_login import app as relying_party_app
from apps.external_login.client import OIDCClient
from apps.oidc_provider.clients import DEMO_PASSWORD, DEMO_USERS, DEVELOPMENT_CLIENT
from swapdemo import registry
from swapdemo.kernel.config import from_environment, load
from swapdemo.servers import free_port
from swapdemo.stack import make_app
from tests.conftest import LiveServer, csrf, gunicorn, run_server
from wsgi_stack.mount import Mount

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return from_environment().replace(data_dir=tmp_path_factory.mktemp("auth"))


@pytest.fixture(scope="module")
def site(config) -> Iterator[str]:
    with LiveServer(make_app(config, names=("auth",))) as server:
        yield server.url


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


def test_a_server_with_one_worker_thread_completes_a_sign_in(config, browser) -> None:
    # Over the network the callback would wait on its own only thread for the token endpoint.
    with LiveServer(make_app(config, names=("auth",)), threads=1) as server:
        assert "Ada Lovelace" in sign_in(server.url, browser).text


def test_concurrent_sign_ins_under_gunicorn_with_two_sync_workers(tmp_path) -> None:
    command = gunicorn(["swapdemo.stack:make_app(names=('auth',))"])
    with run_server(command, "/auth/", tmp_path / "gunicorn.log") as url:

        def one_visitor(index: int) -> str:
            with requests.Session() as visitor:
                return sign_in(url, visitor, ("ada", "grace")[index % 2]).text

        with ThreadPoolExecutor(4) as pool:
            pages = list(pool.map(one_visitor, range(8)))
    failed = [page for page in pages if "Members only" not in page]
    assert not failed, failed[0][:3000] + (tmp_path / "gunicorn.log").read_text()


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
    else:
        with LiveServer(garbage) as server:
            yield server.url + {"failing": "/broken", "impostor": "/impostor"}.get(fault, "")


@pytest.mark.parametrize(
    ("fault", "status", "title", "reason"),
    [
        ("down", 502, "The sign-in provider is unavailable", "could not be reached"),
        ("slow", 504, "The sign-in provider did not answer in time", "did not answer within 0.5 seconds"),
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
        site = Mount({"/auth": relying_party_app.make_app(configured, timeout=(0.5, 0.5))})
        with LiveServer(site) as server:
            page = browser.get(f"{server.url}/auth/login/?next=/auth/members/", timeout=10)
    assert page.status_code == status and page.headers["Content-Type"].startswith("text/html")
    assert title in page.text and reason in page.text and "Traceback" not in page.text
    assert 'href="/auth/login/?next=%2Fauth%2Fmembers%2F">Try signing in again' in page.text


def test_the_provider_comes_from_the_environment_and_the_page_names_the_redirect_uri(
    config, tmp_path
) -> None:
    environ = {
        "SWAPDEMO_OIDC_ISSUER": "https://login.example.org/realms/demo",
        "SWAPDEMO_OIDC_CLIENT_ID": "swapdemo",
        "SWAPDEMO_OIDC_CLIENT_SECRET": "s",
        "SWAPDEMO_SECRET_KEY": "k",
        "SWAPDEMO_DATA_DIR": str(tmp_path),
    }
    configured = load(environ)
    page = TestApp(Mount({"/auth": relying_party_app.make_app(configured)})).get("/auth/")
    assert "https://login.example.org/realms/demo" in page.text and "development-only" not in page.text
    assert "http://localhost:80/auth/callback/" in page.text or "http://localhost/auth/callback/" in page.text
    builtin = TestApp(make_app(config, names=("auth",))).get("/auth/")
    assert "development-only" in builtin.text


def test_the_builtin_client_registration_matches_the_relying_party_urls(config) -> None:
    assert registry.get("auth").needs == ("idp",)
    client = TestApp(validator(make_app(config, names=("auth",))), lint=False)
    page = client.get("/auth/")
    assert f"http://localhost:80{DEVELOPMENT_CLIENT.redirect_paths[0]}" in page.text
    assert registry.get("auth").prefix + "/" in DEVELOPMENT_CLIENT.post_logout_redirect_paths
    client.get("/auth/members/", status=302)
    client.get("/idp/.well-known/openid-configuration", status=200)


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


def test_python_m_swapdemo_auth_describes_itself() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "swapdemo.auth", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={**os.environ},
    )
    assert "python -m swapdemo.auth" in result.stdout and "--port" in result.stdout


def test_a_code_the_builtin_provider_refuses_gives_a_readable_page_not_a_500(site, browser) -> None:
    # The token call goes to /idp/ in-process; the error page after it still reverses URLs and renders.
    page = browser.get(f"{site}/auth/login/", params={"next": "/auth/members/"}, timeout=10)
    fields = {"csrfmiddlewaretoken": csrf(page), "username": "ada", "password": DEMO_PASSWORD, "approve": ""}
    answer = browser.post(page.url, data=fields, allow_redirects=False, timeout=10)
    callback = requests.compat.urljoin(page.url, answer.headers["Location"])
    refused = browser.get(re.sub(r"code=[^&]+", "code=not-a-code-it-issued", callback), timeout=10)
    assert refused.status_code in (400, 403, 502), refused.text[:500]
    assert "Try signing in again" in refused.text and 'href="/auth/login/' in refused.text


def test_the_built_in_providers_clients_are_kept_per_issuer_but_not_for_every_host_a_visitor_sends(
    config,
) -> None:
    from django.test import RequestFactory

    from apps.external_login.registration import Settings

    make_app(config, names=("auth",))  # sets Django up
    party = relying_party_app.RelyingParty(None, Settings("client", None), requests.Session())
    first = party.client(RequestFactory().get("/auth/login/", HTTP_HOST="localhost:8000"))
    assert party.client(RequestFactory().get("/auth/", HTTP_HOST="localhost:8000")) is first
    assert first.issuer == "http://localhost:8000/idp"
    issuers = {
        party.client(RequestFactory().get("/auth/login/", HTTP_HOST=f"localhost:{port}")).issuer
        for port in range(9000, 9100)
    }
    assert len(issuers) == 100 and party._clients.cache_info().currsize == 16


def test_client_secrets_stay_out_of_reprs_and_so_out_of_debug_logs() -> None:
    from apps.external_login.registration import Settings

    assert "s3cret" not in repr(Settings("swapdemo", "s3cret"))
    assert DEVELOPMENT_CLIENT.client_secret not in repr(DEVELOPMENT_CLIENT.at("http://127.0.0.1:8000"))
