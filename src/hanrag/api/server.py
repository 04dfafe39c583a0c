"""Running the app with uvicorn: the loopback-unless-keyed rule, and the demo document."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import tempfile
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from hanrag.config import Settings
from hanrag.errors import InputError

DEMO_NAME = "근로기준법.pdf"


def check_exposure(host: str, api_key: str | None, allow_without_key: bool) -> None:
    """Refuse to listen beyond this machine without an API key, unless explicitly allowed."""
    if api_key or allow_without_key or is_loopback(host):
        return
    raise InputError(
        f"refusing to listen on {host} without an API key: anyone on the network could read and change the index; "
        "set HANRAG_API_KEY, or pass --no-key-on-network if a proxy in front handles authentication"
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
        except (OSError, ValueError):
            return False


def index_demo(settings: Settings, report: Callable[[str], None]) -> None:
    """Index the bundled statute as an upload named 근로기준법.pdf (skipped when already indexed)."""
    from hanrag.index import Index
    from hanrag.jobs import JobQueue, Upload

    bundled = Path(str(files("hanrag") / "data" / "labor_standards_act.pdf"))
    with Index.open(settings=settings) as index:
        jobs = JobQueue(index, index.settings.index / "server")
        try:
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / "demo.pdf"
                shutil.copy(bundled, copy)
                job_id = jobs.submit_uploads([Upload(DEMO_NAME, copy)])
                shown = ""
                while not jobs.wait(job_id, 1.0):
                    job = jobs.get(job_id)
                    line = f"indexing {DEMO_NAME}: {job['stage']} {job['progress']:.0%}"
                    if line != shown:
                        report(line)
                        shown = line
            job = jobs.get(job_id)
            if job["errors"]:
                raise InputError(f"could not index the demo document: {job['errors'][0]['error']}")
            jobs.forget(job_id)  # the demo document is not one of the user's uploads
        finally:
            jobs.close()


def serve(settings: Settings, host: str, port: int, allow_without_key: bool, announce: Callable[[str], None]) -> None:
    """Run the API and web app until interrupted."""
    import uvicorn

    from hanrag.api.app import create_app

    key = os.environ.get("HANRAG_API_KEY") or None
    check_exposure(host, key, allow_without_key)
    app = create_app(settings, api_key=key)
    shown_host = f"[{host}]" if ":" in host else host

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:  # the address is bound: the URL works now
                announce(f"hanrag is serving {settings.index} at http://{shown_host}:{port}  (API: /docs; Ctrl-C stops)")

    # Keep-alive well past uvicorn's 5 s: when a busy writer thread (loading Kiwi, building a segment)
    # keeps the event loop from running for a few seconds, a 5 s timer fires before the client's
    # next request on that connection is read, and the client gets "connection reset".
    AnnouncingServer(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                    timeout_keep_alive=65)).run()
