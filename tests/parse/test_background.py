"""geo.parse.BackgroundParser: the server's parser, loading in a thread from start-up."""

import threading

import pytest

from geo.parse import BackgroundParser, ParserNotReady


class _Loaded:
    def extract(self, text, *, lang="auto"):
        return {"language": lang, "mentions": [{"text": text}]}


def test_extract_waits_for_the_load_and_then_answers():
    release = threading.Event()

    def loader():
        release.wait(5)
        return _Loaded()

    background = BackgroundParser(loader, wait=5)
    assert not background.ready
    release.set()
    assert background.extract("Wuhan", lang="en") == {"language": "en", "mentions": [{"text": "Wuhan"}]}
    assert background.ready


def test_a_load_still_running_past_the_wait_is_not_ready():
    release = threading.Event()
    background = BackgroundParser(lambda: release.wait(5) and _Loaded(), wait=0.05)
    with pytest.raises(ParserNotReady, match="still loading"):
        background.extract("Wuhan")
    release.set()


def test_a_failed_load_is_reported_to_every_caller():
    def loader():
        raise OSError("gazetteer unreadable")

    background = BackgroundParser(loader, wait=5)
    for _ in range(2):
        with pytest.raises(ParserNotReady, match="could not be loaded: OSError: gazetteer unreadable"):
            background.extract("Wuhan")
    assert not background.ready
