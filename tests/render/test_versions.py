"""What the rebuild key learns about the renderers, without loading them.

The batch's main process decides "unchanged" from the libraries' versions (package metadata) and
the font files' sha256; neither may load WeasyPrint, pydyf or docxtpl.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from pipeline.render import fonts
from pipeline.render.versions import DOCUMENT_LIBRARIES, installed_version, library_versions

REPO = Path(__file__).resolve().parents[2]
RENDERERS = ("weasyprint", "docxtpl", "pydyf")


def test_importing_the_render_package_and_its_key_modules_loads_no_renderer():
    code = ("import sys, json\n"
            "import pipeline.render, pipeline.render.fonts, pipeline.render.versions\n"
            "from pipeline.render import RenderError, default_templates_dir\n"
            "pipeline.render.versions.library_versions()\n"
            "pipeline.render.fonts.font_digests()\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {RENDERERS})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out) == []


def test_the_renderer_is_still_served_by_the_package():
    code = ("import sys\nfrom pipeline.render import Renderer, RenderError, view_context\n"
            "from pipeline.render.renderer import Renderer as R\n"
            "assert Renderer is R and 'weasyprint' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_versions_are_the_installed_distributions():
    versions = library_versions()
    assert list(versions) == list(DOCUMENT_LIBRARIES) == ["weasyprint", "pydyf", "docxtpl",
                                                          "python-docx"]
    assert versions == {name: metadata.distribution(name).version for name in DOCUMENT_LIBRARIES}
    assert library_versions(["ninbai-no-such-dist"]) == {"ninbai-no-such-dist": ""}
    assert installed_version("WeasyPrint") == versions["weasyprint"]


def test_font_digests_are_the_sha256_of_the_chain_files():
    digests = fonts.font_digests()
    assert list(digests) == list(fonts.PDF_FONT_FAMILIES)
    for family, path in fonts.font_files().items():
        assert digests[family] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_changed_font_file_changes_its_digest(tmp_path, monkeypatch):
    font = tmp_path / "font.ttf"
    font.write_bytes(b"glyphs v1")
    monkeypatch.setattr(fonts, "font_files", lambda families: {"F": font})
    first = fonts.font_digests()
    assert fonts.font_digests() == first
    font.write_bytes(b"glyphs v2")  # a same-size replacement: the new mtime tells it apart
    os.utime(font, ns=(font.stat().st_atime_ns, font.stat().st_mtime_ns + 1_000_000))
    assert fonts.font_digests() == {"F": hashlib.sha256(b"glyphs v2").hexdigest()} != first
