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
    command prints on the documents; it must not leak into golden files and exact-yen tests, which
    call ``load_config(None)`` from the repo root. A test of the ./ninbai.toml lookup patches the
    name back.
    """
    import pipeline.config

    pipeline.config.USER_FILE = ".ninbai-tests-use-shipped-defaults.toml"
