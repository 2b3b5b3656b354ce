"""Writing outputs so that no reader ever sees half of them: temp, fsync, rename.

The batch folder holds private data (names, debts, household budgets), so folders are created 0700
and files 0600 whatever the umask. Every file is first written beside its target under a dot-name
(``.tmp-…``), flushed to disk, then renamed over the target; a killed run leaves only dot-names,
which the next run deletes (``clean_leftovers``). Style guide point 9 (batch semantics).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
#: Prefixes of the work names a run leaves behind when it is killed; never a case id (ids start
#: with a letter or digit).
LEFTOVER_PREFIXES = (".tmp-", ".old-")
#: ``.old-<path with / as ~>-<8 hex>``: an old case folder moved aside; ``~`` is never in an id.
_ASIDE = re.compile(r"\.old-([A-Za-z0-9][A-Za-z0-9_-]*(?:~[A-Za-z0-9][A-Za-z0-9_-]*)?)-[0-9a-f]{8}")


def make_private_dir(path: Path) -> None:
    """Create ``path`` readable by the owner only, and so every missing parent ninbai creates.

    ``mkdir -p`` would give the parents (e.g. the ``--out`` folder) the umask's mode, which can
    be world-writable; folders that already exist are the user's and keep their mode, except
    ``path`` itself.
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    os.chmod(path, PRIVATE_DIR)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries, so a rename inside it survives a crash."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new_file(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, mode 0600, and flush it to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, PRIVATE_FILE)  # O_CREAT's mode is filtered by the umask; be explicit


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: readers see the old file or the new one."""
    temp = path.with_name(f".tmp-{path.name}-{secrets.token_hex(4)}")
    try:
        write_new_file(temp, data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def new_work_dir(parent: Path, label: str) -> Path:
    """A fresh private folder ``.tmp-<label>-<random>`` inside ``parent`` for one case's files."""
    path = parent / f".tmp-{label}-{secrets.token_hex(4)}"
    path.mkdir(mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)
    return path


def install_dir(work: Path, target: Path) -> None:
    """Move the finished folder ``work`` to ``target``, replacing an older ``target`` whole.

    POSIX renames a folder only over an empty one, so the old folder is first renamed aside
    (``.old-…``, in the work folder's parent, named after its place), the new one renamed in,
    and the old one deleted. A crash in between leaves ``target`` missing, never mixed; the next
    run puts the old folder back (``clean_leftovers``), so files staff kept there survive.
    """
    fsync_dir(work)
    aside = None
    if os.path.lexists(target):
        place = target.relative_to(work.parent).as_posix() \
            if target.is_relative_to(work.parent) else target.name
        aside = work.parent / f".old-{place.replace('/', '~')}-{secrets.token_hex(4)}"
        os.replace(target, aside)
    try:
        os.replace(work, target)
    except BaseException:
        if aside is not None:  # the old folder goes back: a failed write keeps what was there
            os.replace(aside, target)
        raise
    fsync_dir(target.parent)
    if aside is not None:
        _remove(aside)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


#: What staff read for the errors a write can meet (never the English text or a server path).
_OS_ERRORS = {
    errno.ENOSPC: "ディスクの空き容量が足りません",
    errno.EDQUOT: "ディスクの使用量の上限に達しています",
    errno.EROFS: "読み取り専用の場所です",
    errno.EACCES: "書き込む権限がありません",
    errno.EPERM: "書き込む権限がありません",
    errno.ELOOP: "シンボリックリンクになっています",
    errno.EIO: "ディスクの読み書きに失敗しました",
}


def os_error_text(exc: OSError) -> str:
    """A short Japanese reason for an ``OSError`` (disk full, read-only, no permission, …)."""
    return _OS_ERRORS.get(exc.errno or 0, f"ファイルを書き込めませんでした（エラー番号 {exc.errno}）")


def clean_leftovers(folder: Path) -> list[str]:
    """Clear the ``.tmp-*`` / ``.old-*`` entries a killed run left in ``folder``; return their names.

    Work folders are deleted. An old case folder moved aside goes back to its place when that is
    still empty (the run was killed before the new one was moved in); else it is deleted.
    """
    removed = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(LEFTOVER_PREFIXES):
            if not _put_back(folder, entry):
                _remove(entry)
            removed.append(entry.name)
    return removed


def _put_back(folder: Path, entry: Path) -> bool:
    """Move an old case folder that was moved aside back to its empty place; False if not one."""
    match = _ASIDE.fullmatch(entry.name)
    if match is None or entry.is_symlink() or not entry.is_dir():
        return False
    place = folder / match.group(1).replace("~", "/")
    if os.path.lexists(place) or place.parent.is_symlink() or not place.parent.is_dir():
        return False
    os.replace(entry, place)
    return True
