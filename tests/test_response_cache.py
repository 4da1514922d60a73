"""app.ResponseCache: repeated GETs of prepared bodies are replayed byte for byte, headers and all;
everything else goes through Flask."""

from __future__ import annotations

import pytest

from app import ResponseCache


@pytest.fixture
def counted(app, monkeypatch):
    """The app, with a count of the requests that reached Flask."""
    cache = app.wsgi_app
    assert isinstance(cache, ResponseCache)
    calls = []
    inner = cache.wsgi_app

    def counting(environ, start_response):
        calls.append(environ.get("PATH_INFO"))
        return inner(environ, start_response)

    monkeypatch.setattr(cache, "wsgi_app", counting)
    return app, calls


@pytest.mark.parametrize("url", ["/collections/corridors/items", "/api/layers/corridors", "/",
                                 "/collections?f=html", "/collections/locations/items/city-hefei"])
def test_repeat_is_replayed(counted, url):
    app, calls = counted
    client = app.test_client()
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    again = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert len(calls) == 1
    assert again.data == first.data and again.status_code == 200
    assert sorted(again.headers.items()) == sorted(first.headers.items())
    plain = client.get(url)  # another Accept-Encoding: its own entry
    assert len(calls) == 2 and "Content-Encoding" not in plain.headers


def test_what_goes_through(counted):
    app, calls = counted
    client = app.test_client()
    first = client.get("/collections/corridors/items")
    assert client.get("/collections/corridors/items",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    client.head("/collections/corridors/items")
    for _ in range(2):  # filtered pages carry their own timeStamp; errors are not kept either
        client.get("/collections/corridors/items?province=Henan")
        client.get("/collections/nope/items")
    assert len(calls) == 7


def test_the_cache_is_bounded(app):
    cache = app.wsgi_app
    cache.size = 3
    client = app.test_client()
    for offset in range(10):
        client.get(f"/collections/locations/items?limit=1&offset={offset}")
    assert len(cache.entries) == 3
