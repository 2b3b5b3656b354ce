"""`ninbai serve` as staff start it: a subprocess on 127.0.0.1 that answers in Japanese, with the
security headers, and stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from serve.conftest import BATCH, INPUTS

NINBAI = Path(sys.executable).with_name("ninbai")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_ninbai_serve_listens_on_loopback_and_stops_on_ctrl_c(out_dir):
    port = free_port()
    env = {**os.environ, "NINBAI_CONFIG": str(INPUTS / "ninbai.toml")}
    process = subprocess.Popen([str(NINBAI), "serve", str(out_dir), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        page = wait_for(f"http://127.0.0.1:{port}/b/{BATCH}/", time.monotonic() + 60)
        assert "バッチ 2026-11-30" in page.decode("utf-8")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["Server"] == "ninbai"  # not the server's name and version
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/ で開いています" in stdout
    assert process.returncode == 0 and "ninbai serve を終了しました。" in stdout
    assert "Serving on" not in stdout + stderr and "Traceback" not in stderr
    assert "東都みらい銀行" not in stdout + stderr  # the log names no creditor, no file


def test_a_port_in_use_exits_2_in_japanese(out_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "NINBAI_CONFIG": str(INPUTS / "ninbai.toml")}
        result = subprocess.run([str(NINBAI), "serve", str(out_dir), "--port", str(port)],
                                check=False, capture_output=True, text=True, env=env,
                                timeout=60)
    assert result.returncode == 2
    assert "待ち受けられません" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr and "Errno" not in result.stderr
