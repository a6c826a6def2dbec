"""One site: every HTML page reachable from ``/``, and every error page, has the same header.

The crawl starts at the landing page with the profiler and the post-mortem on, follows every link on
the site (signed in, so the members page counts too), and checks each HTML page for the suite's name
linking home, the nav of every demo with the current one marked, the one stylesheet, and the "swaps"
line on a demo's pages; the demo's three crashes are 500 pages in the same look, and so are the
snapshots they leave.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from webtest import TestApp

from swapdemo import registry
from swapdemo.stack import make_app

NAV = [entry.title for entry in registry.ENTRIES if entry.prefix and not entry.service]
ERRORS = [
    "/nope",
    "/jinja/nope/",
    "/auth/nope/",
    "/apidata/nope/",
    "/idp/nope/",
    "/forms/nope",
    "/postmortem/nope/",
]
CRASHES = {"/postmortem/talk/", "/postmortem/rate/?track=keynote&stars=5", "/postmortem/feed/"}  # on purpose


@pytest.fixture(scope="module")
def visitor(tmp_path_factory) -> TestApp:
    from swapdemo.kernel.config import from_environment

    config = from_environment().replace(
        data_dir=tmp_path_factory.mktemp("site"), profile=True, postmortem=True
    )
    visitor = TestApp(
        make_app(config), extra_environ={"HTTP_HOST": "127.0.0.1:8000", "REMOTE_ADDR": "127.0.0.1"}
    )
    login = visitor.get("/auth/login/?next=/auth/members/").follow()
    form = login.forms[0]
    form["username"], form["password"] = "ada", "demo"
    response = form.submit("approve")
    while response.status_int in (301, 302, 303):
        response = response.follow()
    return visitor


def check_layout(page, path: str) -> None:
    header = page.html.select_one("header.site-header")
    assert header is not None, f"{path} has no site header"
    assert (
        header.select_one("a.site-name")["href"] == "/"
        and header.select_one("a.site-name").text == "swapdemo"
    )
    assert [item.text for item in header.select("nav.site-nav li")] == NAV, path
    assert [link["href"] for link in page.html.select("link[rel=stylesheet]")] == ["/static/swapdemo.css"], (
        path
    )
    current = [link.text for link in header.select("[aria-current=page]")]
    prefix = "/" + path.strip("/").split("/")[0] if path.strip("/") else ""
    entry = next((e for e in registry.ENTRIES if e.prefix == prefix), None)
    if entry is not None:
        demo = registry.get({"idp": "auth", "api": "apidata"}.get(entry.name, entry.name))
        assert current == [demo.title], path
        assert entry.read_first in header.select_one(".site-about").text, path


def crawl(visitor: TestApp) -> dict[str, object]:
    seen: dict[str, object] = {}
    queue = ["/"]
    while queue and len(seen) < 400:
        path = queue.pop(0)
        if path in seen:
            continue
        response = visitor.get(path, expect_errors=True)
        while response.status_int in (301, 302, 303) and urlsplit(response.location).netloc in (
            "",
            "127.0.0.1:8000",
        ):
            response = response.follow(expect_errors=True)
        seen[path] = response
        if response.content_type != "text/html":
            continue
        for link in response.html.select("a[href]"):
            target = urljoin(f"http://127.0.0.1:8000{path}", link["href"])
            parts = urlsplit(target)
            if parts.netloc == "127.0.0.1:8000" and not parts.path.startswith(("/api/", "/static/")):
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                if "logout" not in local and "/slides" not in local and local not in seen:
                    queue.append(local)
    return seen


def test_every_page_reachable_from_the_landing_page_has_the_site_s_layout(visitor: TestApp) -> None:
    pages = crawl(visitor)
    html = {path: page for path, page in pages.items() if page.content_type == "text/html"}
    assert {
        "/",
        "/jinja/",
        "/jinja/dtl/",
        "/auth/",
        "/apidata/",
        "/forms/",
        "/forms/proposals/",
        "/__profile__",
        "/postmortem/",
        "/__postmortem__",
        *CRASHES,
    } <= set(html)
    assert any(path.startswith("/jinja/talks/") for path in html) and any("page=2" in path for path in html)
    assert "/auth/members/" in html and "Members only" in html["/auth/members/"].text
    assert len(html) > 250, "the crawl covered every talk page of both demos"
    for path, page in html.items():
        assert page.status_int == (500 if path in CRASHES else 200), path
        check_layout(page, urlsplit(page.request.url).path)
    crashes = visitor.get("/__postmortem__/")
    snapshots = crashes.html.select("td a[href^='/__postmortem__/']")
    assert len(snapshots) == len(CRASHES)
    for link in snapshots:
        check_layout(visitor.get(link["href"]), link["href"])


@pytest.mark.parametrize("path", ERRORS)
def test_every_error_page_has_the_site_s_layout(visitor: TestApp, path: str) -> None:
    page = visitor.get(path, status=404)
    check_layout(page, path)
    assert page.html.h1.text == "Page not found"


def test_the_provider_s_sign_in_page_has_the_site_s_layout(tmp_path) -> None:
    from swapdemo.kernel.config import from_environment

    fresh = TestApp(
        make_app(from_environment().replace(data_dir=tmp_path)), extra_environ={"HTTP_HOST": "127.0.0.1:8000"}
    )
    login = fresh.get("/auth/login/").follow()
    assert login.request.path == "/idp/authorize/" and "Sign in to continue" in login.text
    check_layout(login, "/idp/authorize/")


def test_the_json_api_keeps_json_errors(visitor: TestApp) -> None:
    assert visitor.get("/api/nope/", status=404).json["error"].startswith("nothing at")
