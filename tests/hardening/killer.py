"""Entry point for the crash tests: the real ``ninbai`` CLI, killed (SIGKILL) at a chosen point.

``NINBAI_KILL`` says where, counting from 1 within this process:
- ``write:N``   — halfway through writing the N-th file of a case folder;
- ``install:N`` — when the N-th finished case folder is about to be renamed into place;
- ``aside:N``   — right after the N-th old case folder was renamed aside (``--force`` over an
  earlier build), before the new one is renamed in: the case folder is then missing;
- ``atomic:NAME`` — halfway through writing the temporary file of NAME (manifest.json, …).

Without it the build runs normally. Run as ``python -m hardening.killer build …``.
"""

from __future__ import annotations

import os
import signal
import types

KILL = os.environ.get("NINBAI_KILL", "")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def half_then_die(path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, data[: len(data) // 2])
    os.fsync(fd)
    die()


def counting(wrapped, when: int, action):
    """Call ``wrapped`` normally, except the ``when``-th call, which runs ``action`` instead."""
    calls = 0

    def call(*args, **kwargs):
        nonlocal calls
        calls += 1
        return action(*args, **kwargs) if calls == when else wrapped(*args, **kwargs)
    return call


def install_kill_point() -> None:
    from pipeline.batch import atomic
    from pipeline.batch import plan as batch

    point, _, arg = KILL.partition(":")
    if point == "write":
        batch.write_new_file = counting(batch.write_new_file, int(arg), half_then_die)
    elif point == "install":
        batch.install_dir = counting(batch.install_dir, int(arg), lambda *a: die())
    elif point == "aside":
        def replace(src, dst, _seen=[0]):  # noqa: B006 - a counter private to this function
            os.replace(src, dst)
            if os.path.basename(dst).startswith(".old-"):
                _seen[0] += 1
                if _seen[0] == int(arg):
                    die()
        atomic.os = types.SimpleNamespace(**{**vars(os), "replace": replace})
    elif point == "atomic":
        original = atomic.write_new_file

        def write(path, data):
            if os.path.basename(path).startswith(f".tmp-{arg}-"):
                half_then_die(path, data)
            original(path, data)
        atomic.write_new_file = write


def main() -> None:
    from pipeline.cli import main as cli

    if KILL:
        install_kill_point()
    cli(prog_name="ninbai")


if __name__ == "__main__":
    main()
