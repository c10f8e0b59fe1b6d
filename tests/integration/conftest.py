"""Fixtures for tests against real stores: an Oxigraph server (PyPI ``oxigraph``) on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

OXIGRAPH_BIN = Path(sys.executable).parent / "oxigraph"
STARTUP_SECONDS = 20.0


@dataclass(frozen=True)
class OxigraphServer:
    """A running ``oxigraph serve`` and its SPARQL endpoints."""

    base_url: str
    location: Path
    process: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return self.base_url + "/query"

    @property
    def update_url(self) -> str:
        return self.base_url + "/update"

    @property
    def gsp_url(self) -> str:
        return self.base_url + "/store"

    def clear(self) -> None:
        """Empty the whole dataset, so each test starts from nothing without paying for a new server."""
        response = httpx.post(self.update_url, data={"update": "DROP ALL"}, timeout=30.0)
        response.raise_for_status()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_ready(base_url: str, process: subprocess.Popen[bytes], deadline: float) -> bool:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            response = httpx.post(base_url + "/query", data={"query": "ASK {}"}, timeout=2.0)
            if response.status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def start_oxigraph_server(location: Path, *, extra_args: tuple[str, ...] = ()) -> OxigraphServer:
    """Start ``oxigraph serve`` on a free loopback port and wait until it answers a query.

    The port is chosen by binding port 0 and releasing it, so another process may take it in between: a server
    that exits at once is retried on a new port.
    """
    if not OXIGRAPH_BIN.exists():
        raise RuntimeError(f"{OXIGRAPH_BIN} is missing: install the dev extras (pip install -e '.[dev]')")
    last_error = ""
    for _attempt in range(3):
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        log = location.parent / f"{location.name}-{port}.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [str(OXIGRAPH_BIN), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *extra_args],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "RUST_LOG": "warn"},
            )
        if _wait_until_ready(base_url, process, time.monotonic() + STARTUP_SECONDS):
            return OxigraphServer(base_url, location, process)
        _stop(process)
        last_error = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"oxigraph serve did not start: {last_error}")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One Oxigraph server for the whole session (starting one per test would dominate the run time).

    Tests that write must call ``clear()`` first, or use a fixture that does (``remote_store``).
    """
    location = tmp_path_factory.mktemp("oxigraph-server") / "data"
    server = start_oxigraph_server(location)
    try:
        yield server
    finally:
        _stop(server.process)


@pytest.fixture
def start_oxigraph(tmp_path: Path) -> Iterator[Callable[..., OxigraphServer]]:
    """Start extra Oxigraph servers with their own options (``start_oxigraph("--timeout-s", "1")``)."""
    started: list[OxigraphServer] = []

    def start(*extra_args: str) -> OxigraphServer:
        server = start_oxigraph_server(tmp_path / f"oxigraph-{len(started)}", extra_args=extra_args)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            _stop(server.process)
