#!/usr/bin/env python3
"""Score vcgraph's SPARQL endpoint with the shared W3C SPARQL 1.1 conformance harness.

Starts ``vcgraph`` on a free loopback port (a fresh temporary store, ``VCGRAPH_DEFAULT_GRAPH=standard`` so the
default graph has the SPARQL 1.1 meaning the tests assume, a random admin token), runs
``<shared>/tools/sparql_conformance.py`` against /sparql, /sparql/update and /sparql/store, prints its output,
and stops the server. With ``--oxigraph`` it then scores Oxigraph server the same way, for a side-by-side figure.

    python bench/conformance.py --shared ../shared [--oxigraph] [--json report.json] [-- harness options]

Exit status: the harness's for vcgraph (0 when nothing failed), 2 when a server does not come up.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 60.0

SERVE_VCGRAPH = (
    "import sys\n"
    "from vcgraph.config import load_settings\n"
    "from vcgraph.http.server import serve\n"
    "serve(load_settings(sys.argv[1]), '127.0.0.1', int(sys.argv[2]))\n"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} after {STARTUP_SECONDS:.0f} s")


@contextlib.contextmanager
def running(command: Sequence[str], endpoint: str, env: dict[str, str], log: Path) -> Iterator[None]:
    """Run a server until the block ends; its output goes to ``log`` (shown if it fails to start)."""
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        try:
            try:
                wait_until_up(endpoint, process)
            except RuntimeError:
                sys.stderr.write(log.read_text(errors="replace")[-3000:])
                raise
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run_harness(harness: Path, suite: Path | None, base: str, paths: tuple[str, str, str],
                header: str | None, json_report: str | None, extra: Sequence[str]) -> tuple[int, str]:
    """Run the harness, echoing its output; returns its exit status and its last line (``N passed, M failed``)."""
    query, update, store = (base + path for path in paths)
    command = [sys.executable, str(harness), "--endpoint", query, "--update-endpoint", update, "--gsp-endpoint", store]
    if suite is not None:
        command += ["--suite", str(suite)]
    if header:
        command += ["--header", header]
    if json_report:
        command += ["--json", json_report]
    command += list(extra)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    last = ""
    assert process.stdout is not None
    for line in process.stdout:
        sys.stdout.write(line)
        if line.strip():
            last = line.strip()
    return process.wait(), last


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared folder (tools/, suite)")
    parser.add_argument("--json", help="write the harness's per-test report for vcgraph here")
    parser.add_argument("--oxigraph", action="store_true", help="also score Oxigraph server (oxigraph serve)")
    parser.add_argument("extra", nargs="*", help="options passed to the harness after --")
    args = parser.parse_args(argv)

    shared = Path(args.shared).resolve()
    harness = shared / "tools" / "sparql_conformance.py"
    if not harness.is_file():
        parser.error(f"no harness at {harness}")
    suite = shared / "conformance" / "sparql11"
    workdir = Path(tempfile.mkdtemp(prefix="vcgraph-conformance-"))
    try:
        port = free_port()
        token = secrets.token_urlsafe(24)
        # The harness resets the store with DROP SILENT ALL before each data set: destructive updates must be on.
        env = {
            **os.environ,
            "VCGRAPH_DEFAULT_GRAPH": "standard",
            "VCGRAPH_ADMIN_TOKEN": token,
            "VCGRAPH_ALLOW_DESTRUCTIVE": "true",
        }
        base = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-c", SERVE_VCGRAPH, str(workdir / "store"), str(port)]
        print(f"== vcgraph on {base}/sparql (standard default graph, fresh store)", flush=True)
        try:
            with running(command, base + "/sparql", env, workdir / "vcgraph.log"):
                status, vcgraph_score = run_harness(
                    harness, suite if suite.is_dir() else None, base, ("/sparql", "/sparql/update", "/sparql/store"),
                    f"Authorization: Bearer {token}", args.json, args.extra,
                )
        except RuntimeError as exc:
            print(f"vcgraph did not start: {exc}", file=sys.stderr)
            return 2
        summary = [f"vcgraph:  {vcgraph_score}"]
        if args.oxigraph:
            oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
            if oxigraph is None:
                print("oxigraph not installed (pip install oxigraph); skipping the comparison", file=sys.stderr)
            else:
                port = free_port()
                base = f"http://127.0.0.1:{port}"
                command = [oxigraph, "serve", "--location", str(workdir / "oxigraph"), "--bind", f"127.0.0.1:{port}"]
                print(f"\n== Oxigraph server on {base}/query", flush=True)
                try:
                    with running(command, base + "/query", dict(os.environ), workdir / "oxigraph.log"):
                        _, oxigraph_score = run_harness(
                            harness, suite if suite.is_dir() else None, base, ("/query", "/update", "/store"),
                            None, None, args.extra,
                        )
                    summary.append(f"oxigraph: {oxigraph_score}")
                except RuntimeError as exc:
                    print(f"oxigraph did not start: {exc}", file=sys.stderr)
        print("\n" + "\n".join(summary))
        return status
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
