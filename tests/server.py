"""A real `hanrag serve` on 127.0.0.1 in a subprocess, for the API and browser tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServerHandle:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        """Ctrl-C, as a user would stop it; killed if it does not exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(index_dir: Path, env: dict[str, str] | None = None, args: list[str] | None = None,
                 timeout: float = 60.0) -> ServerHandle:
    """Start ``hanrag serve --index index_dir`` on a free port and wait until /health answers."""
    port = free_port()
    log = index_dir.parent / f"server-{port}.log"
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, **(env or {})}
    command = [sys.executable, "-m", "hanrag", "serve", "--index", str(index_dir), "--port", str(port), *(args or [])]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment)
    handle = ServerHandle(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"hanrag serve exited with {process.returncode}:\n{handle.output()}")
        try:
            if httpx.get(handle.url + "/health", timeout=1).status_code == 200:
                return handle
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    handle.stop()
    raise RuntimeError(f"hanrag serve did not answer within {timeout} s:\n{handle.output()}")
