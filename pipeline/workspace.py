"""An office's workspace (作業フォルダ): ``ninbai init DIR`` and the templates it may override.

Real cases live in a folder of their own, never in the tool's git tree: ``ninbai.toml`` (the
office's settings, the company block to fill in), ``inputs/`` for the case workbooks, ``outputs/``
for the batches, ``templates/`` whose files replace the shipped templates of the same name, and a
short Japanese README. The folder names are the ones the tool's own commands use by default
(``ninbai build inputs/`` writes to ``outputs/``), so the README's commands work there as they are.

A run finds the workspace through its settings file (``pipeline.config.find_config``): the
``templates/`` beside the ``ninbai.toml`` in use. ``merged_templates`` lays the shipped templates
and the office's over each other into one folder for the run, so the renderer, the sandbox's
folder confinement, the batch's templates digest and ``check-templates`` all see one folder.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import CONFIG_NAME, REQUIRED_COMPANY

INPUTS, OUTPUTS, TEMPLATES, README = "inputs", "outputs", "templates", "README.md"
#: Files an editor or a file manager leaves beside the templates: never templates themselves
#: (Word's lock file ~$sale_request.docx, macOS .DS_Store, Windows Thumbs.db).
_NOT_TEMPLATES = ("~$", ".")
_NOT_TEMPLATE_NAMES = frozenset({"thumbs.db", "desktop.ini"})


class WorkspaceExists(Exception):
    """The folder already holds an office's settings: ``init`` never overwrites them."""


@dataclass
class Created:
    """What ``init_workspace`` made, and what it found already there and left alone."""

    made: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def init_workspace(folder: Path) -> Created:
    """Make the workspace in ``folder`` (created if missing, may hold other files).

    Raises ``WorkspaceExists`` when ``folder/ninbai.toml`` exists; a README.md or a subfolder
    already there is kept as it is. The settings file is written exclusively (``x``), so two
    ``init`` at once cannot both write it.
    """
    if (folder / CONFIG_NAME).exists():
        raise WorkspaceExists(f"{folder / CONFIG_NAME} は既にあります。作業フォルダは作成済みです"
                              "（上書きはしません）")
    folder.mkdir(parents=True, exist_ok=True)
    created = Created()
    with (folder / CONFIG_NAME).open("x", encoding="utf-8") as out:
        out.write(settings_text())
    created.made.append(CONFIG_NAME)
    for name in (INPUTS, OUTPUTS, TEMPLATES):
        (created.kept if (folder / name).is_dir() else created.made).append(f"{name}/")
        (folder / name).mkdir(exist_ok=True)
    readme = folder / README
    if readme.exists():
        created.kept.append(README)
    else:
        readme.write_text(README_TEXT, encoding="utf-8")
        created.made.append(README)
    return created


def settings_text() -> str:
    """The new office's ninbai.toml: the company block to fill in, explained in Japanese."""
    keys = "\n".join(f'{key} = ""{" " * (12 - len(key))}# {label}（必須）{_EXAMPLES[key]}'
                     for key, label in REQUIRED_COMPANY.items())
    return SETTINGS_TEXT.format(keys=keys)


_EXAMPLES = {"name": "  例: 株式会社〇〇不動産", "address": "  例: 東京都〇〇区〇〇一丁目2番3号",
             "phone": "  例: 03-1234-5678", "license_no": "  例: 東京都知事(1)第123456号"}

SETTINGS_TEXT = """\
# この事務所の設定（ninbai.toml）
#
# [company] は、すべての書類に差出人として印字されます。「必須」の4項目を記入するまで、
# ninbai build は書類を作りません（どの項目が空かを表示して終了します）。
# 値は "" の間に書きます。この行のように # で始まる行は説明で、読み飛ばされます。

[company]
{keys}
representative = ""  # 代表者（任意）  例: 代表取締役 〇〇 〇〇

# ほかの設定（債権者のプロファイル、引越費用の上限、仲介手数料、印紙税など）は、
# 書かなければ標準の値が使われます。変える項目だけをここに書き足してください。
# 項目の一覧と標準の値: ninbai の docs/rules.md と pipeline/defaults.toml
"""

README_TEXT = """\
# 任意売却 書類作成の作業フォルダ

このフォルダで ninbai を使います。実際の案件はここに置きます（ninbai 本体のフォルダには
置かないでください）。

| フォルダ・ファイル | 内容 |
|---|---|
| `ninbai.toml` | この事務所の設定。最初に [company]（会社名・所在地・電話番号・免許番号）を記入します |
| `inputs/` | 案件ワークブック（1案件1ファイル、*.xlsx） |
| `outputs/` | 作成した書類。バッチ（基準日）ごとのフォルダに入ります |
| `templates/` | 書類のひな形を変えるときだけ使います（下記） |

## 使い方（このフォルダで実行します）

1. `ninbai.toml` の [company] を記入します。
2. 新しい案件: `ninbai new-case inputs/2026-0180.xlsx --case-id 2026-0180` で空のワークブックを
   作り、Excel で記入して保存します。
3. 確認: `ninbai validate inputs/` で、誤りをファイル・シート・セルつきで表示します。
4. 作成: `ninbai build inputs/` で、全案件の書類（Word・PDF）を `outputs/<基準日>/` に作ります。
   最初の行に、使った設定ファイルが表示されます。
5. 確認と承認: `outputs/<基準日>/index.html` をブラウザで開いて確認し、
   `ninbai approve outputs/<基準日> 2026-0180 --by 名前` で承認を記録します。

どのコマンドも `-h` で使い方を表示します。

## 設定ファイルの探し方

`--config` で指定したファイル、環境変数 NINBAI_CONFIG のファイル、作業中のフォルダ（とその上の
フォルダ）の ninbai.toml、入力のフォルダ（とその上のフォルダ）の ninbai.toml の順に探します。
このフォルダの中で実行すれば、このフォルダの ninbai.toml が使われます。

## ひな形（テンプレート）を変えるとき

ninbai に付属のひな形と同じ名前のファイル（例: `sale_request.docx`、`documents.css`）を
`templates/` に置くと、付属のものの代わりに使われます。置いていないものは付属のものが使われます。
変えたら `ninbai check-templates --samples inputs/2026-0180.xlsx` で試してください。
ひな形を変えると、次の build で全案件が作り直されます（承認済みの書類は上書きされず、新しい版が
作られます）。
"""


def workspace_templates(config_file: Path | None) -> Path | None:
    """The office's ``templates/`` beside the settings file in use, when there is one."""
    if config_file is None:
        return None
    folder = config_file.parent / TEMPLATES
    return folder if folder.is_dir() else None


def template_names(folder: Path) -> list[str]:
    """The office's template files by relative name (editor leftovers left out)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and not _leftover(p.relative_to(folder)))


def _leftover(relative: Path) -> bool:
    return any(part.startswith(_NOT_TEMPLATES) or part.lower() in _NOT_TEMPLATE_NAMES
               for part in relative.parts)


def merged_templates(own: Path, shipped: Path, into: Path) -> Path:
    """``shipped`` copied into ``into``, then the office's files of ``own`` over them.

    Copies, not links: the renderer confines every file it loads to its templates folder by
    resolved path, and a link would point out of it.
    """
    shutil.copytree(shipped, into, dirs_exist_ok=True,
                    ignore=lambda folder, names: [n for n in names if n == "__pycache__"])
    for name in template_names(own):
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(own / name, into / name)
    return into
