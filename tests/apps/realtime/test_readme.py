"""The README's "Try it" in Chromium: two tabs on /live/ and a third proposing a talk; both update
without reload through one shared connection, a title full of HTML shows as text, and when the tab
holding the connection closes the other takes it over.  A slow test."""

from __future__ import annotations

import json

import pytest
import requests

from tests.apps.realtime.test_server import realtime
from tests.conftest import ROOT, slow, try_it
from tests.test_browser import CHROMIUM, FLAGS

STEPS = try_it(ROOT / "apps" / "realtime" / "README.md")
pytestmark = [slow, pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: apt-get install chromium")]


def test_try_it(tmp_path) -> None:
    (tabs_step, propose_step, close_step) = STEPS
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright: pip install playwright")
    title = 'A talk <img src=x onerror="document.title=1">'
    with realtime(tmp_path) as server, sync_api.sync_playwright() as playwright:
        site = server.url.replace("127.0.0.1", "localhost")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 375, "height": 740})
        problems: list[str] = []
        tabs = []
        for _ in range(2):
            tab = context.new_page()
            tab.on("console", lambda m: m.type == "error" and problems.append(m.text))
            tab.goto(f"{site}{tabs_step.paths[0]}")
            tabs.append(tab)
        assert all(tab.get_by_role("heading", name=tabs_step.quoted[0]).is_visible() for tab in tabs)
        tabs[0].get_by_text(tabs_step.quoted[1]).wait_for()
        tabs[1].get_by_text(tabs_step.quoted[2]).wait_for()

        form = context.new_page()
        form.goto(f"{site}{propose_step.paths[0]}")
        form.get_by_label("Title").fill(title)
        form.get_by_label("Your name").fill("Ada Lovelace")
        form.get_by_label("Email").fill("ada@example.org")
        form.get_by_label("Track").select_option("Core")
        form.get_by_label("Intermediate").check()
        form.get_by_label("Forms").check()
        form.get_by_label("Duration (minutes)").fill("25")
        form.get_by_label("Preferred day").fill("2009-09-09")
        form.get_by_label("Abstract").fill("Seen live in two tabs at once.")
        form.get_by_role("button", name="Send the proposal").click()
        form.get_by_text(propose_step.quoted[0]).wait_for()

        for tab in tabs:
            item = tab.locator("#proposals li strong").first
            item.wait_for()
            assert item.inner_text() == title  # as text: no image, no script
            assert tab.locator("#proposals img").count() == 0 and tab.title() != "1"
        stats = json.loads(requests.get(f"{server.url}/live/stats", timeout=10).text)
        assert stats["subscribers"] == 1, "the tabs share one connection"
        tabs[0].close()  # the holder goes: the other tab takes over the connection
        tabs[1].get_by_text(close_step.quoted[0]).wait_for()
        browser.close()
    assert problems == []
