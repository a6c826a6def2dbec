"""Seen in a real browser: a visitor clicks from the landing page through every demo on a phone-sized screen.

Chromium (the system's, driven by Playwright) signs in, proposes a talk (first refused, then fixed),
pages through the API-backed list, opens the profiler, crashes a page on purpose and reads the
snapshot it left, by clicking links only.  Every page it
visits has no console error and no horizontal scroll at 375 px, and leaves a screenshot in
``$SWAPDEMO_SCREENSHOTS`` (a temporary folder by default).  A slow test: ``.ci/run`` runs it on
one Python, with ``SWAPDEMO_TEST_SLOW=1``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import KEY, run_server, slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

pytestmark = [
    slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: apt-get install chromium"),
]


@pytest.fixture
def browser_page(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright: pip install playwright")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 375, "height": 740})
        page = context.new_page()
        page.problems = []  # type: ignore[attr-defined]
        page.on("console", lambda m: m.type == "error" and page.problems.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda exc: page.problems.append(f"{page.url}: {exc}"))
        yield page
        browser.close()


def test_a_visitor_clicks_through_every_demo(browser_page, tmp_path: Path) -> None:
    shots = Path(os.environ.get("SWAPDEMO_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    page, visited = browser_page, []

    def look(name: str) -> None:
        page.wait_for_load_state()
        visited.append(page.url)
        page.screenshot(path=shots / f"{len(visited):02d}-{name}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at 375 px"
        assert page.locator("header.site-header a.site-name").inner_text() == "swapdemo", page.url

    env = {"SWAPDEMO_SECRET_KEY": KEY, "SWAPDEMO_DATA_DIR": str(tmp_path / "data")}
    command = ["-m", "swapdemo.stack", "--port", "{port}", "--profile", "--postmortem"]
    with run_server(command, "/", tmp_path / "server.log", env) as site:
        page.goto(site.replace("127.0.0.1", "localhost") + "/")
        look("landing")

        page.get_by_role("link", name="Sign-in through OpenID Connect").first.click()
        look("auth")
        page.get_by_role("link", name="Sign in", exact=True).click()
        look("provider")
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Sign in").click()
        look("members")
        assert page.get_by_role("heading", name="Members only").is_visible()

        page.get_by_role("link", name="Django forms in a Pyramid app").click()
        look("propose")
        page.get_by_label("Your name").fill("Ada Lovelace")
        page.get_by_label("Email").fill("ada@example.org")
        page.get_by_label("Track").select_option("Core")
        page.get_by_label("Intermediate").check()
        page.get_by_label("Forms").check()
        page.get_by_label("Duration (minutes)").fill("25")
        page.get_by_label("Preferred day").fill("2009-09-09")
        page.get_by_label("Abstract").fill("Django's forms, served by Pyramid, seen in a browser.")
        page.get_by_label("Title").fill("Forms in a real browser")
        fake = {"name": "slides.pdf", "mimeType": "application/pdf", "buffer": b"not a PDF at all"}
        page.get_by_label("Slides").set_input_files(fake)
        page.get_by_role("button", name="Send the proposal").click()
        look("refused")
        assert page.get_by_text("This file does not look like a PDF.").is_visible()
        assert page.get_by_label("Title").input_value() == "Forms in a real browser"  # kept
        page.get_by_role("button", name="Send the proposal").click()  # without the slides
        look("proposals")
        assert page.get_by_text("Forms in a real browser").first.is_visible()

        page.get_by_role("link", name="Talks from a REST API instead of the ORM").click()
        look("apidata")
        page.get_by_role("link", name="next").click()
        look("apidata-page-2")
        assert "page 2 of 6" in page.content()

        page.get_by_role("link", name="swapdemo", exact=True).click()
        look("landing-again")
        page.get_by_role("link", name="/__profile__").click()
        look("profiler")
        assert page.get_by_role("heading", name="Profiler").is_visible()

        page.get_by_role(
            "link", name="Post-mortem: the stack of a crashed request, kept and walked later"
        ).click()
        look("postmortem")
        page.get_by_role("link", name="The lightning talks").click()
        look("crash")
        assert page.get_by_role("heading", name="Something went wrong").is_visible()
        page.get_by_role("link", name="swapdemo", exact=True).click()
        page.get_by_role("link", name="/__postmortem__").click()
        look("crashes")
        page.locator("td a[href^='/__postmortem__/']").first.click()
        look("snapshot")
        assert page.get_by_role("heading", name="ZeroDivisionError").is_visible()

    crash = [p for p in page.problems if "/postmortem/talk/" in p and "status of 500" in p]
    assert [p for p in page.problems if p not in crash] == [] and len(crash) <= 1  # the 500 itself
    assert len(list(shots.glob("*.png"))) == len(visited) == 15
