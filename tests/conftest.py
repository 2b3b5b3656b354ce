"""Shared pytest options. ``--update-golden`` rewrites the golden files instead of comparing."""

import pytest


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/* from the current output instead of comparing")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def pytest_configure(config):
    """Tests compute with the shipped defaults (pipeline/defaults.toml), plus a sender.

    The library never reads a settings file (``load_config(None)`` is the defaults), so golden
    files and exact-yen tests see the defaults alone. The command line looks for one
    (``pipeline.config.find_config``) and refuses to build without a company, so the tests'
    own office, tests/office.toml (a fictional company, no rules), is named by NINBAI_CONFIG for
    every test and every ninbai process a test starts: it comes before any ninbai.toml in the
    working folder, so inputs/ninbai.toml (the sample office) never leaks in. A test of the
    lookup removes the variable (``monkeypatch.delenv``).
    """
    import os
    from pathlib import Path

    from pipeline.config import CONFIG_ENV

    os.environ[CONFIG_ENV] = str(Path(__file__).resolve().parent / "office.toml")
