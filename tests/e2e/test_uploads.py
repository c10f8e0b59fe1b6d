"""Survey upload (POST /api/waves/{wave}) and Graph Store upload safety, over real HTTP on loopback."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openpyxl import Workbook

from vcgraph.config import project_root
from vcgraph.namespaces import Minter

if TYPE_CHECKING:  # conftest is a pytest plugin, not an importable module
    from conftest import LiveServer

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VALID_CSV = (FIXTURES / "survey" / "valid.csv").read_bytes()
WAVE = "2026-UP"
SAMPLES_LIMESURVEY = (project_root() / "data" / "samples" / "limesurvey.csv").read_bytes()
GOOGLE_FORMS = (project_root() / "data" / "samples" / "google-forms.csv").read_bytes()
GOOGLE_NUTS_COLUMN = "NUTS 3 region of your main site (code)"


@pytest.fixture
def uploads(start_server: Callable[..., LiveServer]) -> LiveServer:
    """A server over the project's ontology, shapes and mappings (the ingest needs them)."""
    return start_server(home=project_root())


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory the (in-process) server writes to, empty at the start."""
    folder = tmp_path / "server-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def wave_triples(live: LiveServer, wave: str = WAVE) -> int:
    return sum(1 for _ in live.store.quads(Minter(live.settings.base_iri).wave_graph(wave)))


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_valid_csv_is_ingested_and_answered_with_its_report(uploads: LiveServer) -> None:
    response = uploads.client.post(
        uploads.url(f"/api/waves/{WAVE}"), content=VALID_CSV, headers={**uploads.admin, "Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["written"], report["rows_ingested"], report["errors"]) == (True, 3, [])
    assert wave_triples(uploads) > 0


def test_a_multipart_form_upload_is_ingested_and_reported_under_the_clients_file_name(uploads: LiveServer) -> None:
    response = uploads.client.post(
        uploads.url(f"/api/waves/{WAVE}"), files={"file": ("wave1.csv", VALID_CSV, "text/csv")}, headers=uploads.admin
    )
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "wave1.csv"


def test_an_xlsx_workbook_sent_as_octet_stream_is_read_by_its_content(uploads: LiveServer) -> None:
    rows = [line.split(",") for line in VALID_CSV.decode().splitlines()[:2]]
    response = uploads.client.post(
        uploads.url(f"/api/waves/{WAVE}"),
        content=xlsx_bytes(rows),
        headers={**uploads.admin, "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["rows_ingested"] == 1


def test_a_rejected_file_is_422_with_every_row_error_and_keeps_the_previous_wave(uploads: LiveServer) -> None:
    url = uploads.url(f"/api/waves/{WAVE}")
    assert uploads.client.post(url, content=VALID_CSV, headers=uploads.admin).status_code == 200
    before = wave_triples(uploads)
    lines = VALID_CSV.decode().splitlines()
    broken = "\n".join([lines[0], lines[1].replace(",BE332,", ",XX999,"), lines[2].replace(",FR,", ",ZZ,")])
    response = uploads.client.post(url, content=broken.encode(), headers=uploads.admin)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["written"] is False
    assert detail["rows_rejected"] == [2, 3]
    assert wave_triples(uploads) == before


def test_with_quarantine_the_valid_rows_are_written_and_the_bad_ones_reported(uploads: LiveServer) -> None:
    lines = VALID_CSV.decode().splitlines()
    broken = "\n".join([lines[0], lines[1].replace(",BE332,", ",XX999,"), *lines[2:]])
    response = uploads.client.post(
        uploads.url(f"/api/waves/{WAVE}"), params={"quarantine": "true"}, content=broken.encode(), headers=uploads.admin
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows_ingested"], report["rows_rejected"], report["quarantine"]) == (2, [2], True)


def test_a_survey_tool_export_is_ingested_through_a_named_mapping(uploads: LiveServer) -> None:
    response = uploads.client.post(
        uploads.url(f"/api/waves/{WAVE}"),
        params={"mapping": "limesurvey"},
        files={"file": ("results.csv", SAMPLES_LIMESURVEY, "text/csv")},
        headers=uploads.admin,
    )
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "results.csv"
    assert wave_triples(uploads) > 0


def test_an_export_with_a_bad_row_is_422_naming_the_exports_row_and_column(uploads: LiveServer) -> None:
    rows = list(csv.reader(io.StringIO(GOOGLE_FORMS.decode("utf-8-sig"), newline="")))
    rows[4][rows[0].index(GOOGLE_NUTS_COLUMN)] = "BE999"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = uploads.client.post(
        uploads.url(f"/api/waves/{WAVE}"),
        params={"mapping": "google-forms"},
        content=out.getvalue().encode(),
        headers=uploads.admin,
    )
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]["errors"]
    assert {(error["row"], error["column"]) for error in errors} == {(5, GOOGLE_NUTS_COLUMN)}


@pytest.mark.parametrize("mapping", ["../../etc/passwd", "/etc/hostname.yaml", "no-such-tool", "canonical.yaml"])
def test_a_mapping_that_is_not_a_known_name_is_400_and_never_read_as_a_path(uploads: LiveServer, mapping: str) -> None:
    response = uploads.client.post(
        uploads.url(f"/api/waves/{WAVE}"), params={"mapping": mapping}, content=VALID_CSV, headers=uploads.admin
    )
    assert response.status_code == 400
    assert "not a known mapping" in response.json()["detail"]


def test_the_clients_file_name_is_never_a_path(uploads: LiveServer, private_tmp: Path) -> None:
    response = uploads.client.post(
        uploads.url(f"/api/waves/{WAVE}"),
        files={"file": ("../../etc/x", VALID_CSV, "text/csv")},
        headers=uploads.admin,
    )
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "x"
    assert not (private_tmp.parent / "etc").exists()
    assert list(private_tmp.iterdir()) == []


def test_temporary_files_are_removed_after_success_rejection_and_mapping(
    uploads: LiveServer, private_tmp: Path
) -> None:
    url = uploads.url(f"/api/waves/{WAVE}")
    assert uploads.client.post(url, content=VALID_CSV, headers=uploads.admin).status_code == 200
    assert uploads.client.post(url, content=b"organisation\nx\n", headers=uploads.admin).status_code == 422
    assert (
        uploads.client.post(
            url, params={"mapping": "limesurvey"}, content=SAMPLES_LIMESURVEY, headers=uploads.admin
        ).status_code
        == 200
    )
    assert list(private_tmp.iterdir()) == []


def test_the_xlsx_zip_bomb_is_422_before_its_xml_is_parsed(uploads: LiveServer) -> None:
    bomb = (FIXTURES / "mappings" / "zip-bomb.xlsx").read_bytes()
    response = uploads.client.post(uploads.url(f"/api/waves/{WAVE}"), content=bomb, headers=uploads.admin)
    assert response.status_code == 422
    assert "decompression bomb" in response.json()["detail"]


def xlsx_with_sheet_xml(edit: Callable[[bytes], bytes]) -> bytes:
    """A real workbook whose first sheet's XML went through ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["response_id"], ["R-1"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, edit(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


LAUGHS = b'<!DOCTYPE x [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def test_an_xlsx_with_an_entity_declaration_is_422_without_expanding_it(uploads: LiveServer) -> None:
    workbook = xlsx_with_sheet_xml(lambda xml: LAUGHS + xml.replace(b">R-1<", b">&b;<"))
    response = uploads.client.post(uploads.url(f"/api/waves/{WAVE}"), content=workbook, headers=uploads.admin)
    assert response.status_code == 422
    assert "declares <!DOCTYPE" in response.json()["detail"]
    assert "hahaha" not in response.text


def test_an_xlsx_whose_sheet_is_not_well_formed_xml_is_422_not_a_crash(uploads: LiveServer) -> None:
    workbook = xlsx_with_sheet_xml(lambda xml: xml.replace(b">R-1<", b">&undefined;<"))
    response = uploads.client.post(uploads.url(f"/api/waves/{WAVE}"), content=workbook, headers=uploads.admin)
    assert response.status_code == 422
    # The shared XLSX reader refuses the sheet; the ingest reports it as a whole-file error and writes nothing.
    report = response.json()["detail"]
    assert report["written"] is False
    assert "cannot be read safely" in response.text


def test_a_survey_over_the_upload_cap_is_413_before_it_is_read(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(home=project_root())
    object.__setattr__(live.settings, "max_upload_bytes", 4096)  # the running app holds this very object

    def body() -> Iterator[bytes]:
        yield VALID_CSV
        yield b"x" * 8192

    response = live.client.post(live.url(f"/api/waves/{WAVE}"), content=body(), headers=live.admin)  # chunked
    assert response.status_code == 413
    assert "4096 bytes" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"%PDF-1.7\n...", "text/csv", 415),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "application/octet-stream", 415),
        (VALID_CSV, "image/png", 415),
        (b"PK\x03\x04 not really a zip", "text/csv", 422),
        (b"   \n", "text/csv", 422),
    ],
    ids=["pdf-as-csv", "legacy-xls", "declared-image", "broken-zip", "empty"],
)
def test_what_is_not_a_survey_file_is_refused_with_the_reason(
    uploads: LiveServer, content: bytes, content_type: str, status: int
) -> None:
    response = uploads.client.post(
        uploads.url(f"/api/waves/{WAVE}"), content=content, headers={**uploads.admin, "Content-Type": content_type}
    )
    assert response.status_code == status, response.text
    assert wave_triples(uploads) == 0


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong"}, 403), ({"Authorization": "Basic YWRtaW46YWRtaW4="}, 401)],
    ids=["no-token", "wrong-token", "basic"],
)
def test_uploading_a_survey_needs_the_admin_token(uploads: LiveServer, headers: dict[str, str], status: int) -> None:
    response = uploads.client.post(uploads.url(f"/api/waves/{WAVE}"), content=VALID_CSV, headers=headers)
    assert response.status_code == status
    assert wave_triples(uploads) == 0


@pytest.mark.parametrize("wave", ["-bad", "a" * 65, "w 1", "w%2F..%2F..%2Fetc"])
def test_a_bad_wave_id_is_400_naming_the_wave(uploads: LiveServer, wave: str) -> None:
    response = uploads.client.post(uploads.url(f"/api/waves/{wave}"), content=VALID_CSV, headers=uploads.admin)
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert response.json()["detail"].startswith("wave: ")


def test_the_graph_store_upload_cap_is_the_settings_cap(start_server: Callable[..., LiveServer]) -> None:
    live = start_server()
    object.__setattr__(live.settings, "max_upload_bytes", 2048)
    body = b'<http://e.org/x> <http://e.org/p> "' + b"y" * 4096 + b'" .'
    response = live.client.put(
        live.url("/sparql/store"),
        params={"graph": "http://e.org/g"},
        content=body,
        headers={**live.admin, "Content-Type": "application/n-triples"},
    )
    assert response.status_code == 413
