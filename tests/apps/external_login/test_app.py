"""The sign-in demo's factory: the provider from the environment, the built-in registration, one
worker thread, gunicorn.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from wsgiref.validate import validator

import requests
from webtest import TestApp

from apps.external_login import app as relying_party_app
from apps.oidc_provider.clients import DEVELOPMENT_CLIENT
from swapdemo import registry
from swapdemo.kernel.config import load
from swapdemo.servers import gunicorn
from swapdemo.stack import make_app
from tests.apps.external_login.conftest import sign_in
from tests.conftest import KEY, LiveServer, run_server
from wsgi_stack.mount import Mount


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


def test_the_provider_comes_from_the_environment_and_the_page_names_the_redirect_uri(
    config, tmp_path
) -> None:
    environ = {
        "SWAPDEMO_OIDC_ISSUER": "https://login.example.org/realms/demo",
        "SWAPDEMO_OIDC_CLIENT_ID": "swapdemo",
        "SWAPDEMO_OIDC_CLIENT_SECRET": "s",
        "SWAPDEMO_SECRET_KEY": KEY,
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
