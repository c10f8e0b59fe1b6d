"""Vendored front-end builds are the published files, byte for byte (upgrades go through package.json)."""

from __future__ import annotations

import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "src" / "vcgraph" / "static" / "ui" / "vendor"
PUBLISHED_SHA256 = {
    # npm cytoscape@3.35.0, dist/cytoscape.min.js
    "cytoscape.min.js": "71fa9ebec21a7ca2c40cff6aacc30d1f6464e363662ad4b2c197e1adc770cd94",
}


def test_each_vendored_build_is_the_published_file_unmodified() -> None:
    found = {name: hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() for name in PUBLISHED_SHA256}
    assert found == PUBLISHED_SHA256


def test_the_vendor_readme_records_the_same_checksums() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert all(digest in readme for digest in PUBLISHED_SHA256.values())
