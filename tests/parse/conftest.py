"""The real parser, loaded once for the parser's tests (installed gazetteer packages only)."""

import pytest


@pytest.fixture(scope="session")
def parser():
    from geo.parse import load_parser
    return load_parser()


@pytest.fixture(scope="session")
def extract(parser):
    def run(text, lang="auto"):
        return parser.extract(text, lang=lang)["mentions"]
    return run
