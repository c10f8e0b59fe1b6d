"""Printing the HTML report to PDF with headless Chromium (Debian package ``chromium``), offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from vcgraph.report.build import ReportError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 120
# The report is one self-contained file: these switches keep Chromium from calling home or updating while it prints.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
)


def find_chromium() -> str | None:
    """``VCGRAPH_CHROMIUM`` when set, else the first Chromium or Chrome on the PATH."""
    configured = os.environ.get("VCGRAPH_CHROMIUM")
    if configured:
        return configured if shutil.which(configured) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print ``html`` to ``pdf``; raise :class:`ReportError` when Chromium is missing or fails."""
    binary = find_chromium()
    if binary is None:
        raise ReportError(
            "--pdf needs headless Chromium: install the Debian package 'chromium' (or set VCGRAPH_CHROMIUM to a "
            "Chromium/Chrome binary); the HTML report was written to " + str(html)
        )
    # A throw-away profile, so a user's own Chromium profile is neither read nor locked.
    with tempfile.TemporaryDirectory(prefix="vcgraph-chromium-") as profile:
        command = [
            binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        ]
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ReportError(f"Chromium did not print the PDF within {TIMEOUT_SECONDS} s") from exc
    if finished.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        detail = (finished.stderr or finished.stdout).strip().splitlines()[-3:]
        raise ReportError(f"Chromium could not print {pdf} (exit {finished.returncode}): {' '.join(detail)}")
    return pdf
