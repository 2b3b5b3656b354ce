"""Code health (docs/conventions.md §10): ruff over the tree, mypy over the whole pipeline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def test_ruff_is_clean():
    done = _run("ruff", "check", "--no-cache", "pipeline", "tests", "scripts", "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean_on_the_pipeline(tmp_path):
    # Configured by [tool.mypy] in pyproject.toml (pydantic plugin, untyped bodies checked).
    done = _run("mypy", "--cache-dir", str(tmp_path), "pipeline")
    assert done.returncode == 0, done.stdout + done.stderr
