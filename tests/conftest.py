"""Shared pytest options. ``--update-golden`` rewrites the golden files instead of comparing."""

import pytest


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/* from the current output instead of comparing")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def pytest_configure(config):
    """Tests compute with the shipped defaults (pipeline/defaults.toml) only.

    The repo's ninbai.toml is the sample office (a fictional company) that the README's first
    command prints on the documents; it must not leak into golden files and exact-yen tests. The
    library never reads it (``load_config(None)`` is the defaults); the command line looks for
    ``./ninbai.toml`` (``pipeline.cli.LOCAL_CONFIG``), and tests invoke it from the repo root, so
    the name is pointed at a file that does not exist. A test of the lookup patches it back.
    """
    from pathlib import Path

    import pipeline.cli

    pipeline.cli.LOCAL_CONFIG = Path(".ninbai-tests-use-shipped-defaults.toml")
