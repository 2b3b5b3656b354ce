"""The server's guards: which files it serves, its response headers, the login lockout.

Files: only a file the batch's records name (a case's outputs and packets in manifest.json, the
files of an approval), and only when its real path — links resolved — lies inside the batch
folder under OUT_DIR. ``..``, ``.``, empty or absolute parts, a link that points out and a file
nobody recorded are all "not found" (404): the answer never tells which.

Lockout: failed logins are counted in memory per user name and per client address; after
``[serve] login_attempts`` failures within ``lockout_minutes`` the name (or the PC) is refused for
that long, right password or not. In memory is enough: waitress runs one process, and a restart
(which forgets the counts) needs the server's own account. Flask-Limiter would count requests, not
failures, and bring a storage layer (limits) for one counter.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from flask import Response

#: The page and its own files only: no inline script or style, no framing by anyone, no plugin
#: but the PDFs it serves itself, forms posted back to itself.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "object-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'")
#: A served PDF is shown in the case page's frame: framed by the app itself, nothing else. (A
#: ``sandbox`` directive would stop Chromium's PDF viewer from showing it at all.)
CSP_FILE = "default-src 'self'; frame-ancestors 'self'"


def add_security_headers(response: Response, framed_file: bool = False) -> Response:
    """CSP, no framing (a served file: by the app only), nosniff, no referrer, no caching of
    private pages."""
    response.headers["Content-Security-Policy"] = CSP_FILE if framed_file else CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN" if framed_file else "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return response


def relative_parts(path: str) -> tuple[str, ...] | None:
    """The parts of a relative path from a URL, or None for anything but a plain relative path
    (absolute, ``..``, ``.``, empty parts, backslashes, NUL)."""
    if not path or path.startswith("/") or "\\" in path or "\0" in path:
        return None
    parts = tuple(path.split("/"))
    if any(part in ("", ".", "..") for part in parts):
        return None
    return parts


def file_inside(root: Path, path: str, allowed: set[str]) -> Path | None:
    """The file ``path`` (relative to ``root``, the batch folder) when the records name it and
    its real path lies inside ``root``; None otherwise (the caller answers 404)."""
    parts = relative_parts(path)
    if parts is None or str(PurePosixPath(*parts)) not in allowed:
        return None
    try:
        real_root = root.resolve(strict=True)
        real = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a loop of links
        return None
    if not real.is_relative_to(real_root) or not real.is_file():
        return None
    return real


class LoginGuard:
    """Failed logins per user name and per client address, and the lockout after too many."""

    def __init__(self, attempts: int, lockout_seconds: float,
                 clock: Callable[[], float] | None = None) -> None:
        self.attempts = attempts
        self.window = lockout_seconds
        self._clock = clock or time.monotonic
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _keys(self, name: str, address: str) -> tuple[str, str]:
        return f"user:{name}", f"addr:{address}"

    def locked(self, name: str, address: str) -> bool:
        """Is the name or the address locked out now?"""
        now = self._clock()
        with self._lock:
            return any(self._recent(key, now) >= self.attempts for key in self._keys(name, address))

    def failed(self, name: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key in self._keys(name, address):
                self._failures[key].append(now)
                self._recent(key, now)

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            for key in self._keys(name, address):
                self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> int:
        """Failures of ``key`` within the window (older ones forgotten)."""
        failures = self._failures.get(key)
        if failures is None:
            return 0
        while failures and now - failures[0] > self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return 0
        return len(failures)
