"""Helpers for the browser suite: the loopback server, the page watch, waiting for the map."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from werkzeug.serving import make_server

CHROMIUM = os.environ.get("ATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in LOOPBACK


@dataclass
class LiveServer:
    url: str
    app: object
    index: dict


@contextmanager
def serve(app):
    """The app on 127.0.0.1:<free port> in a thread, for as long as the block runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="atlas-live-server", daemon=True)
    thread.start()
    index = app.test_client().get("/api/layers").get_json()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, index)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@contextmanager
def serve_html(html: str):
    """A second loopback server (another origin: another port) answering every path with ``html``,
    e.g. an article that embeds the map. Yields its base URL.

    A real server, not a routed response: Chromium's local-network checks refuse a frame of a
    loopback page inside a page that came from nowhere (a fulfilled route), whatever the headers say.
    """
    body = html.encode("utf-8")

    def article(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    server = make_server("127.0.0.1", 0, article, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="article-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@dataclass
class Watch:
    """What a page did: console errors, uncaught exceptions, requests we blocked."""

    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def console(self, message) -> None:
        if message.type != "error":
            return
        location = message.location or {}
        url = location.get("url") or ""
        # A resource we aborted ourselves (map tiles) logs "Failed to load resource"; nothing else may.
        if message.text.startswith("Failed to load resource") and url and not is_loopback(url):
            return
        self.errors.append(f"console error: {message.text} ({url})")


def open_page(browser, live_server, *, viewport=None, accept_downloads=False, **context_options):
    """A new context and page that aborts every request leaving loopback and records errors.
    ``context_options`` go to ``browser.new_context`` (e.g. ``bypass_csp=True``)."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800},
                                  accept_downloads=accept_downloads, **context_options)
    page = context.new_page()
    watch = Watch()

    def route(r):
        if is_loopback(r.request.url):
            r.continue_()
        else:
            watch.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", watch.console)
    page.on("pageerror", lambda exc: watch.errors.append(f"page error: {exc}"))
    page.set_default_timeout(10_000)
    return context, page, watch


def goto_drawn(page, url: str, min_drawn: int = 1) -> None:
    """Open url and wait until every visible layer is fetched and on the map."""
    page.goto(url)
    wait_drawn(page, min_drawn)


# Give page.wait_for_function a function ("() => ..."), not a bare expression: Playwright polls a
# bare expression with eval, which the page's Content-Security-Policy (no 'unsafe-eval') refuses.
def wait_drawn(page, min_drawn: int = 1) -> None:
    page.wait_for_function(
        "n => window.atlas && atlas.status && atlas.status() && atlas.status().pending === 0"
        " && Number(document.documentElement.dataset.atlasDrawn || 0) >= n",
        arg=min_drawn,
    )
