"""Fixtures shared by the rendering tests: the shipped configuration and one renderer per module."""

from __future__ import annotations

import pytest

from pipeline.render import Renderer


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    from pipeline.config import load_config

    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("cwd"))  # a local ninbai.toml must not leak in
        return load_config(None)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()
