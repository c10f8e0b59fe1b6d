"""`vcgraph export DIR` as a user runs it: a real process over a real on-disk store."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from vcgraph.store.oxigraph import OxigraphStore

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "export" / "graph.trig"
VCGRAPH = Path(sys.executable).parent / "vcgraph"

pytestmark = pytest.mark.e2e


def test_vcgraph_export_writes_the_export_and_says_what_it_withheld(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.load(FIXTURE, RdfFormat.TRIG)
    store.flush()
    store.close()
    del store
    gc.collect()  # release the RocksDB lock before the command opens the store
    result = subprocess.run(
        [str(VCGRAPH), "export", str(tmp_path / "out"), "--store", str(tmp_path / "store")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "exported 17 files" in result.stdout
    assert "3 public, 2 withheld" in result.stdout
    assert (tmp_path / "out" / "catalog.ttl").is_file()
