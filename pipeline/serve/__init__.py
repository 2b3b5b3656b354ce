"""``ninbai serve``: the batches of an output folder in the browser — review, approve, revoke,
record 送付 — for an office that runs ninbai on one Linux machine (docs/serve.md).

``check_bind`` is the one rule for where it may listen: 127.0.0.1 (this computer only) always;
any other address only with users in ninbai.toml, each with a password hash. ``run`` serves
the Flask app (pipeline.serve.app) with waitress.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pipeline.serve.users import HASH_FORM


class ServeRefused(Exception):
    """The server must not start (message in Japanese; the CLI exits 2)."""


def is_loopback(host: str) -> bool:
    """Only this computer can reach the address (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, users: dict[str, str]) -> None:
    """Refuse another address than loopback without users, and any user without a usable hash."""
    bad = [name for name, stored in users.items() if not HASH_FORM.fullmatch(stored)]
    if bad:
        raise ServeRefused(f"ninbai.toml の [users] の {'、'.join(bad)} にパスワードのハッシュがありません"
                           "（パスワードをそのまま書くことはできません）。ninbai user add で登録し直してください。")
    if not is_loopback(host) and not users:
        raise ServeRefused(f"{host} で待ち受けると他のパソコンから開けるため、利用者の登録が必要です。"
                           "ninbai user add 名前 で利用者を登録してから起動してください"
                           "（このパソコンだけで使うなら --host を付けずに起動します）。")


def run(app: object, host: str, port: int, announce: Callable[[str], None],
        prepare: Callable[[], None] | None = None) -> None:
    """Serve ``app`` with waitress until Ctrl-C (waitress ends its loop on it and returns, so the
    command ends normally, exit 0); ``announce`` gets the address and the end, in Japanese.
    ``OSError`` when the address cannot be used (a port in use); that is found out first, before
    ``prepare`` (the warm worker's start, seconds) runs."""
    from waitress import create_server

    logging.getLogger("waitress").setLevel(logging.ERROR)  # its English start-up lines
    server = create_server(app, host=host, port=port, threads=8, ident="ninbai",
                           clear_untrusted_proxy_headers=True)
    if prepare is not None:
        prepare()
    shown = f"[{host}]" if ":" in host else host
    announce(f"ninbai serve: http://{shown}:{server.effective_port}/ で開いています"
             "（終了は Ctrl-C）")
    server.run()
    announce("ninbai serve を終了しました。")


@contextmanager
def served_in_thread(app: Any, threads: int = 4) -> Iterator[str]:
    """The app served by waitress on a free port of 127.0.0.1 in a thread, for the browser tests
    and the guide's pictures; yields its base URL and stops the server on leaving.

    waitress stops its loop when its socket is closed, but a ``select`` already waiting on that
    socket then fails with EBADF in the server's thread: that error, after we closed it, is the
    end of the loop and not a failure (anything else still raises).
    """
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    stopping = threading.Event()

    def loop() -> None:
        try:
            server.run()
        except OSError as exc:
            if not (stopping.is_set() and exc.errno == errno.EBADF):
                raise

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stopping.set()
        server.close()
        thread.join(timeout=10)
