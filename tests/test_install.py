"""ninbai installs as a package: a wheel, installed (not editable) into a fresh venv, builds.

The wheel is built from a copy of the sources (pyproject.toml, pipeline/, templates/) without
network or build isolation (setuptools is a dev dependency), installed into a new venv, and run
from a folder outside the repository: the package must find its templates, the review page and
defaults.toml as package data (``importlib.resources``), not through the checkout.

The fresh venv gets the libraries (WeasyPrint, docxtpl, …) by a ``.pth`` line naming the test
venv's site-packages: the packages there are importable, but that folder's own ``.pth`` files
(among them the editable install of this checkout) are not run, so ``pipeline`` can only come
from the wheel. ``pip install --no-index`` then checks the wheel's requirements against them
without fetching anything.

Marked ``install`` (≈1 minute): ``pytest -m "not install"`` leaves it out of a quick run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.install

REPO = Path(__file__).resolve().parents[1]
DAY = "2026-11-30"


def run(args: list, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NINBAI_TEMPLATES", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=600, check=False)
    if check:
        assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done


def copy_sources(to: Path) -> None:
    """What the wheel is built from, as a clone has it (the pipeline/templates link kept)."""
    to.mkdir()
    shutil.copy(REPO / "pyproject.toml", to)
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", "~$*")
    shutil.copytree(REPO / "pipeline", to / "pipeline", symlinks=True, ignore=junk)
    shutil.copytree(REPO / "templates", to / "templates", ignore=junk)


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh venv with ninbai installed from its wheel; returns the venv folder."""
    tmp = tmp_path_factory.mktemp("install")
    copy_sources(tmp / "src")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "-q", "-w", tmp / "dist", tmp / "src"],
        cwd=tmp)
    (wheel,) = (tmp / "dist").glob("ninbai-*.whl")
    target = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", target], cwd=tmp)  # this pip installs
    python = target / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    cwd=tmp).stdout.strip())
    (site / "ninbai_test_libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-index", "--no-compile",
         "--disable-pip-version-check", "-q", wheel], cwd=tmp)
    return target


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A working folder outside the repository, with a copy of the sample cases."""
    folder = tmp_path_factory.mktemp("office")
    shutil.copytree(REPO / "inputs", folder / "inputs",
                    ignore=shutil.ignore_patterns("~$*", ".*"))
    return folder


def test_the_package_and_its_data_come_from_the_venv(venv, outside):
    probe = ("import pipeline, pipeline.batch.review as r, pipeline.render as p; "
             "print(pipeline.__file__); print(p.default_templates_dir()); print(r.REVIEW_TEMPLATES)")
    found = run([venv / "bin" / "python", "-c", probe], cwd=outside).stdout.split("\n")[:3]
    package, templates, review = (Path(line).resolve() for line in found)
    assert package.is_relative_to(venv.resolve()), package
    assert templates.is_relative_to(venv.resolve()) and not templates.is_symlink()
    assert review == templates / "review" and (review / "index.html").is_file()
    shipped = sorted(p.relative_to(REPO / "templates") for p in (REPO / "templates").rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts)
    for name in shipped:  # every template, as committed
        assert (templates / name).read_bytes() == (REPO / "templates" / name).read_bytes(), name
    assert (package.parent / "defaults.toml").read_bytes() == \
        (REPO / "pipeline" / "defaults.toml").read_bytes()


def test_the_wheel_declares_every_subpackage(venv):
    """A subpackage of pipeline/ missing from the wheel would fail only on the case that needs it."""
    package = next(venv.glob("lib/python*/site-packages/pipeline"))
    for init in (REPO / "pipeline").rglob("__init__.py"):
        assert (package / init.relative_to(REPO / "pipeline")).is_file(), init
    metadata = next(venv.glob("lib/python*/site-packages/ninbai-*.dist-info/entry_points.txt"))
    assert "ninbai = pipeline.cli:main" in metadata.read_text()
    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"] == {
        "ninbai": "pipeline.cli:main"}


PACKET_PREFIX = "送付書類一式_"


def test_the_installed_command_builds_the_samples(venv, outside):
    done = run([venv / "bin" / "ninbai", "build", "inputs", "--out", "out", "--date", DAY,
                "--jobs", "2"], cwd=outside, check=False)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    batch = outside / "out" / DAY
    cases = sorted(p.stem for p in (outside / "inputs").glob("*.xlsx"))
    assert len(cases) >= 9
    for case in cases:
        word = sorted(p.stem for p in (batch / case).glob("*.docx"))
        # the packets (送付書類一式) are PDF only: the letters in them have their Word files
        pdfs = sorted(p.stem for p in (batch / case).glob("*.pdf"))
        letters = [s for s in pdfs if not s.startswith(PACKET_PREFIX)]
        assert letters and letters == word, case  # each letter in both formats
        assert len(pdfs) > len(letters), case  # and one packet per creditor at least
        assert all((batch / case / f"{s}.pdf").read_bytes().startswith(b"%PDF") for s in pdfs)
    assert (batch / "index.html").is_file()  # the review page, from the packaged template


def test_check_templates_asks_for_samples_outside_a_checkout(venv, outside):
    """Sample cases are not package data: installed, check-templates needs --samples."""
    ninbai = venv / "bin" / "ninbai"
    done = run([ninbai, "check-templates", "--date", DAY], cwd=outside, check=False)
    assert done.returncode == 2
    assert "--samples" in done.stderr + done.stdout and "Traceback" not in done.stderr
    done = run([ninbai, "check-templates", "--samples", "inputs/2026-0142.xlsx", "--date", DAY],
               cwd=outside, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "問題なし  sale_request.docx" in done.stdout
