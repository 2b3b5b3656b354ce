"""ninbai: 任意売却の交渉書類を作るパイプライン.

One package per stage, in the order a case goes through them:

- ``read/``      workbook bytes → located cells → validated, frozen ``Case`` (or located issues)
- ``compute/``   ``Case`` → ``Figures`` (配分案, 競売比較, 生活状況, 返済計画, warnings); pure
- ``documents/`` ``Case`` + ``Figures`` → one frozen view model per letter; pure
- ``render/``    view model → .docx and .pdf bytes (docxtpl, WeasyPrint, fonts)
- ``batch/``     the month-end run: plan, workers, atomic outputs, manifest, approvals, review

``read``, ``compute`` and ``documents`` never import ``render`` or ``batch`` (tests/test_layers.py).
``cli.py`` owns the terminal; ``config.py`` the office's settings over ``defaults.toml``.
"""

from importlib import resources
from pathlib import Path

__version__ = "0.1.0"
RULES_VERSION = "1"


def shipped_templates() -> Path:
    """The templates that come with ninbai (テンプレート), package data ``pipeline/templates``.

    In a checkout ``pipeline/templates`` is a link to the top-level ``templates/`` folder that
    staff edit in Word, so an editable install uses those files as they are; a wheel carries a
    copy (pyproject.toml, package-data). pip always installs unpacked, so this is a real folder.
    """
    return Path(str(resources.files(__name__).joinpath("templates")))
