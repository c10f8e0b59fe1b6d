"""Fixtures for tests against real stores: an Oxigraph server (PyPI ``oxigraph``) on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from vcgraph.store.remote import RemoteSettings

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


@dataclass(frozen=True)
class VirtuosoServer:
    """A Virtuoso started by ``scripts/virtuoso.sh`` and the ``VCGRAPH_*`` settings it printed for vcgraph."""

    settings: dict[str, str]
    data: Path

    def remote_settings(self, **overrides: Any) -> RemoteSettings:
        """What a RemoteStore needs to reach this Virtuoso, as `scripts/virtuoso.sh env` says (digest auth as dba,
        a named graph standing for the default graph, only vcgraph's graphs listed), with ``overrides``."""
        configured = RemoteSettings.from_environment(self.settings["VCGRAPH_STORE"], self.settings)
        return replace(configured, **overrides)


VIRTUOSO_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "virtuoso.sh"


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A Virtuoso on free loopback ports, when ``VCGRAPH_TEST_VIRTUOSO=1`` (``make test-virtuoso``).

    Skipped otherwise: it needs the Debian package and takes about 15 s to start.
    """
    if os.environ.get("VCGRAPH_TEST_VIRTUOSO") != "1":
        pytest.skip("Virtuoso runs only with VCGRAPH_TEST_VIRTUOSO=1 (make test-virtuoso)")
    if shutil.which("virtuoso-t") is None:
        pytest.fail("VCGRAPH_TEST_VIRTUOSO=1 but virtuoso-t is missing: scripts/virtuoso.sh install")
    data = tmp_path_factory.mktemp("virtuoso")
    env = {
        **os.environ,
        "VIRTUOSO_DATA": str(data),
        "VIRTUOSO_HTTP_PORT": str(free_port()),
        "VIRTUOSO_SQL_PORT": str(free_port()),
        "VIRTUOSO_BUFFERS": "20000",
    }
    log = data / "script.log"
    # stderr to a file, not a pipe: the script's children keep an inherited stderr open after it returns,
    # and a pipe would make run() wait for them.
    with log.open("w") as log_file:
        started = subprocess.run(
            [str(VIRTUOSO_SCRIPT), "start"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=log_file,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=120,
            check=False,
        )
    try:
        if started.returncode != 0:
            pytest.fail(f"virtuoso did not start: {log.read_text()}")
        settings = dict(
            line.removeprefix("export ").split("=", 1)
            for line in started.stdout.splitlines()
            if line.startswith("export ")
        )
        yield VirtuosoServer(settings, data)
    finally:
        with log.open("a") as log_file:
            subprocess.run(
                [str(VIRTUOSO_SCRIPT), "stop"],
                env=env,
                stdout=log_file,
                stderr=log_file,
                stdin=subprocess.DEVNULL,
                timeout=60,
                check=False,
            )
