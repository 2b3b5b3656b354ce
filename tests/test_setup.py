"""Set-up, CI and README agree: the two README commands, .ci/run, scripts/setup.sh, constraints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    """The lines of the README's first fenced code block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^```[^\n]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert block, "README.md has no code block"
    return block.group(1).splitlines()


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    before_block = text.split("```", 1)[0].strip().splitlines()
    assert len(before_block) <= 1 and before_block[0].startswith("# ")  # a title, then the block
    setup_and_build, setup_and_test = readme_commands()
    assert setup_and_build == "bash scripts/setup.sh && .venv/bin/ninbai build inputs/"
    assert setup_and_test == "bash scripts/setup.sh --dev && .venv/bin/pytest"


def test_ci_runs_the_readme_test_command():
    printed = subprocess.run(
        ["bash", ".ci/run", "--print"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert printed == readme_commands()[1] + "\n"


@pytest.mark.parametrize(("command", "status"), [("true", 0), ("false", 1), ("exit 5", 5)])
def test_ci_passes_on_the_exit_status_and_fails_on_no_tests(tmp_path, command, status):
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci/run", tmp_path / ".ci/run")
    (tmp_path / "README.md").write_text(f"# t\n\n```\necho build\n{command}\n```\n", "utf-8")
    done = subprocess.run(
        ["bash", ".ci/run"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == status


def test_setup_script_parses_and_refuses_unknown_options():
    subprocess.run(["bash", "-n", "scripts/setup.sh"], cwd=ROOT, check=True)
    bad = subprocess.run(
        ["bash", "scripts/setup.sh", "--nope"], cwd=ROOT, capture_output=True, check=False
    )
    assert bad.returncode == 2


def test_setup_when_already_set_up_installs_nothing(tmp_path):
    # apt-get and sudo stand-ins that record being called: a second set-up calls neither, and
    # skips pip and the font build.
    for tool in ("apt-get", "sudo"):
        fake = tmp_path / tool
        fake.write_text(f'#!/bin/sh\necho {tool} >> "{tmp_path}/called"\nexit 1\n')
        fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "CI": "true"}
    done = subprocess.run(
        ["bash", "scripts/setup.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "called").exists()
    assert "python packages: up to date" in done.stdout
    assert "up to date" in done.stdout.splitlines()[-2]  # the names font


def constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[_normal(name)] = version
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_dependency_is_pinned_and_installed_at_its_pin():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + [
        d for ds in project["optional-dependencies"].values() for d in ds
    ]
    pins = constraints()
    for requirement in wanted:
        name = _normal(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0])
        assert name in pins, f"{name} is not in constraints.txt"
        assert metadata.version(name) == pins[name], name


@pytest.mark.skipif(bool(os.environ.get("PYTHON")) or not Path("/usr/bin/python3").exists(),
                    reason="another interpreter was chosen, or this is not Debian")
def test_the_venv_runs_on_debians_python():
    """Debian builds its python3 with PGO and LTO: ≈20% less CPU a PDF (docs/performance.md)."""
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    assert base == os.path.realpath("/usr/bin/python3")
