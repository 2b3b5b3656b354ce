"""One run at a time per batch folder: an exclusive ``flock`` on ``<batch>/.lock``.

``build`` and ``approve`` both change the batch folder (case folders, manifest, approvals), so they
take the same lock. The lock is advisory and held by the open file: the kernel releases it when
the process ends, even on SIGKILL, so a killed run never leaves a stale lock behind. A forked
worker process would share the open file (and so keep the lock alive after its parent was
killed), so forked children close it at once (``os.register_at_fork``).
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.batch.atomic import PRIVATE_FILE, os_error_text

LOCK_NAME = ".lock"
_held: set[int] = set()  # descriptors of the locks this process holds


def _close_in_child() -> None:
    """In a forked child: drop the parent's lock descriptors (the parent still holds the lock)."""
    for fd in list(_held):
        os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


class BatchLocked(Exception):
    """Another run holds the batch folder (message in Japanese, for the terminal)."""


class LockUnusable(BatchLocked):
    """The lock file cannot be used (a link, not a file, a read-only folder): the run stops."""


def _open_lock(batch_dir: Path) -> int:
    """Open (or create) ``.lock`` without following a link: a ``.lock`` that is a symlink would
    otherwise create or lock a file outside the batch folder."""
    path = batch_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, PRIVATE_FILE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockUnusable(f"{path} がシンボリックリンクになっています。ninbai が作るファイルです。"
                               "削除してから実行してください。") from None
        raise LockUnusable(f"{batch_dir} に書き込めません（{os_error_text(exc)}）。"
                           "書き込めるフォルダで実行してください。") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockUnusable(f"{path} がファイルではありません。削除してから実行してください。")
    return fd


@contextmanager
def batch_lock(batch_dir: Path, wait: bool = False) -> Iterator[None]:
    """Hold the batch folder's lock for the ``with`` block.

    Without ``wait`` a held lock raises ``BatchLocked`` at once (the CLI exits 2); with ``wait``
    it blocks until the other run ends.
    """
    fd = _open_lock(batch_dir)
    try:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(fd, flags)
        except BlockingIOError:
            raise BatchLocked(
                f"出力フォルダ {batch_dir} は別の処理（build または approve）が使用中です。"
                "終わってから実行してください（--wait で待つこともできます）。"
            ) from None
        _held.add(fd)
        yield
    finally:
        _held.discard(fd)
        os.close(fd)  # closing the descriptor releases the lock
