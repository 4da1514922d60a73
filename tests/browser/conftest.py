"""Real-browser fixtures: the app on a free loopback port, Debian's Chromium driven by Playwright,
every request that leaves loopback aborted, console errors collected.

Chromium comes from Debian (``apt-get install chromium``, done by ``.ci/run``); Playwright's own
browser download is not used. A missing Chromium is an error, not a skip.
"""

from __future__ import annotations

import os

import pytest

from browser_support import CHROMIUM, CHROMIUM_ARGS, open_page, serve


@pytest.fixture(scope="session")
def live_server(any_app):
    """The app (fixture data, then built data when present) served on 127.0.0.1:<free port>."""
    with serve(any_app) as server:
        yield server


@pytest.fixture(scope="session")
def fixture_server(fixture_data_dir):
    """The app on the fixture data only, for tests that need known feature text."""
    from app import create_app

    with serve(create_app({"TESTING": True, "DATA_DIR": str(fixture_data_dir)})) as server:
        yield server


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory):
    """The app on a catalog whose every text is a script payload, built with the real build."""
    from app import create_app
    from hostile import build_hostile_data

    data = build_hostile_data(tmp_path_factory.mktemp("hostile"))
    with serve(create_app({"TESTING": True, "DATA_DIR": data})) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (.ci/run does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page_watch(browser, live_server):
    """A fresh page (desktop size) and its Watch; the test fails on any console error."""
    context, page, watch = open_page(browser, live_server, accept_downloads=True)
    try:
        yield page, watch
    finally:
        context.close()
    assert watch.errors == [], watch.errors


@pytest.fixture
def page(page_watch):
    return page_watch[0]
