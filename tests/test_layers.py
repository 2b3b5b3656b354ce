"""The stages' layering: the pure core never reaches for the renderers or the batch.

``pipeline.read``, ``pipeline.compute`` and ``pipeline.documents`` are the core: they take data
and give data. They must not import ``pipeline.render`` (WeasyPrint, docxtpl) or
``pipeline.batch`` (files, workers), not even inside a function, so that a test, a script or a
future server can build view models without loading a renderer. Checked twice: statically over
every import statement of the core's modules, and at run time in a fresh interpreter.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
CORE = ("read", "compute", "documents")
FORBIDDEN = ("pipeline.render", "pipeline.batch", "pipeline.cli")
RENDERERS = ("weasyprint", "docxtpl", "pydyf", "docx", "fontTools")


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` or ``from … import`` in the file names, wherever it stands."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _is_under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def core_modules() -> list[Path]:
    files = [p for stage in CORE for p in sorted((PIPELINE / stage).rglob("*.py"))]
    # the shared modules at the top (config, eras, text, frozen …) are core too; cli.py is not
    return files + sorted(p for p in PIPELINE.glob("*.py") if p.name != "cli.py")


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: str(p.relative_to(PIPELINE)))
def test_core_module_imports_no_renderer_and_no_batch(path):
    bad = sorted(n for n in imported_modules(path)
                 for f in FORBIDDEN + RENDERERS if _is_under(n, f))
    assert bad == [], f"{path.relative_to(PIPELINE)} imports {bad}"


def test_every_stage_is_a_package():
    for stage in (*CORE, "render", "batch"):
        assert (PIPELINE / stage / "__init__.py").is_file(), stage


def test_importing_the_core_loads_no_renderer():
    code = (
        "import json, sys\n"
        "import pipeline.read, pipeline.read.validate, pipeline.read.newcase\n"
        "import pipeline.compute, pipeline.documents, pipeline.config\n"
        "import pipeline.eras, pipeline.text, pipeline.frozen\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    loaded = json.loads(done.stdout)
    bad = [m for m in loaded for f in FORBIDDEN + RENDERERS if _is_under(m, f)]
    assert bad == []


def test_the_static_check_sees_an_import_inside_a_function(tmp_path):
    # The check must not be blind to lazy imports, the usual way a layer is broken quietly.
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from pipeline.render import Renderer\n    return Renderer\n")
    assert "pipeline.render" in imported_modules(sample)
