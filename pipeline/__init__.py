"""ninbai: 任意売却の交渉書類を作るパイプライン.

Stages, one module each: workbook (read) → validate (→ models) → compute (figures) →
documents (view models) → render (docx, pdf) → batch (outputs, manifest, review).
"""

__version__ = "0.1.0"
RULES_VERSION = "1"
