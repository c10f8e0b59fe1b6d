"""The export of the demo survey (both waves, ingested for real): nothing personal, nothing withheld, DCAT-AP."""

from __future__ import annotations

import csv
import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from vcgraph.config import Settings
from vcgraph.export import ExportReport, export_dataset
from vcgraph.service.ingest import ingest_survey
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
WAVES = {"2025-W1": DEMO / "survey-2025-W1.csv", "2026-W1": DEMO / "survey-2026-W1.csv"}
DCAT_CHECK = ROOT.parent / "shared" / "tools" / "check_dcat_ap.py"


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ExportReport]:
    directory = tmp_path_factory.mktemp("demo-export")
    settings = Settings(store=str(directory / "store"))
    store = OxigraphStore(directory / "store")
    for wave, path in WAVES.items():
        assert ingest_survey(store, settings, path, wave).written, path
    report = export_dataset(store, settings, directory / "out")
    store.close()
    return directory / "out", report


def survey_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in WAVES.values():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def exported_texts(out: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        texts[str(path.relative_to(out))] = (gzip.decompress(data) if path.suffix == ".gz" else data).decode()
    return texts


def test_no_contact_email_of_the_demo_survey_is_in_any_exported_file(demo_export: tuple[Path, ExportReport]) -> None:
    emails = {row["contact_email"].strip().lower() for row in survey_rows() if row["contact_email"].strip()}
    assert len(emails) > 20
    for name, text in exported_texts(demo_export[0]).items():
        lowered = text.lower()
        leaked = sorted(email for email in emails if email in lowered)
        assert not leaked, f"{name} holds {leaked}"


def test_no_members_or_anonymous_actor_of_the_demo_is_named_in_any_exported_file(
    demo_export: tuple[Path, ExportReport],
) -> None:
    withheld = [row for row in survey_rows() if row["visibility"].strip() in ("members", "anonymous")]
    assert withheld
    markers = {row[column].strip() for row in withheld for column in ("organisation", "organisation_id", "website")}
    markers.discard("")
    for name, text in exported_texts(demo_export[0]).items():
        found = sorted(marker for marker in markers if marker in text)
        assert not found, f"{name} names {found}"
    assert demo_export[1].withheld_actors == len({row["organisation"] for row in withheld})


@pytest.mark.skipif(not DCAT_CHECK.exists(), reason="the shared DCAT-AP checker is not beside the checkout")
def test_the_demo_export_passes_the_official_dcat_ap_3_shapes(demo_export: tuple[Path, ExportReport]) -> None:
    result = subprocess.run(
        [sys.executable, str(DCAT_CHECK), str(demo_export[0])], capture_output=True, text=True, timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert result.stdout.strip().splitlines()[-1].endswith(" 0 failed")
