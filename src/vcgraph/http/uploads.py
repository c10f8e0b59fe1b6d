"""Survey upload (admin): ``POST /api/waves/{wave}`` ingests one export as that wave and answers its IngestReport.

The body is the file itself (``text/csv``, the XLSX media type or ``application/octet-stream``) or a
``multipart/form-data`` form with a ``file`` field (``curl -F file=@survey.xlsx``). Whatever the header or file
name say, the content decides how it is read (CSV text or an XLSX zip; anything else is 415). With
``?mapping=NAME`` the file is a survey tool's export, read through ``data/mappings/NAME.yaml``.

Safety: the admin token is checked before a byte of the body is read; the body is cut at
``VCGRAPH_MAX_UPLOAD_BYTES`` (413); XLSX archives that would inflate absurdly are refused before any XML is
parsed (openpyxl parses XML with defusedxml, so entities are refused too); the client's file name is never a
path (only its last component, filtered, appears in the report); the temporary copy lives in a private
temporary directory removed whatever happens.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import re
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from xml.etree import ElementTree

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from vcgraph.config import Settings
from vcgraph.http.auth import require_admin
from vcgraph.http.bodies import read_body
from vcgraph.http.deps import settings_of, store_of
from vcgraph.http.errors import ApiError
from vcgraph.http.sparql_protocol import media_type_and_charset
from vcgraph.mappings.model import MappingError, available_mappings, load_mapping
from vcgraph.mappings.reader import ExportReadError, check_zip
from vcgraph.mappings.service import ingest_export
from vcgraph.service.ingest import IngestError, IngestReport, check_wave_id, ingest_survey
from vcgraph.store.port import Store
from vcgraph.survey.reader import OLE2_MAGIC, ZIP_MAGIC

router = APIRouter(tags=["Survey upload"])

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_MEDIA_TYPES = ("text/csv", XLSX_MEDIA_TYPE, "application/octet-stream", "text/plain")
"""Media types a raw body may declare; the content is sniffed whatever they say."""

_MAPPING_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_SHOWN_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
_UPLOAD_FILE = "upload"  # the temporary copy's fixed name: the client's name never reaches the file system

_BINARY_MAGIC = (b"%PDF", b"\x1f\x8b", b"\x89PNG", b"\xff\xd8\xff", b"BZh", b"\xfd7zXZ\x00")

_DOC = (
    "Ingest a survey export as wave `wave` (admin token). Body: the CSV/XLSX file itself, or a multipart form "
    "with a `file` field. `mapping` names a survey-tool mapping of `data/mappings/`; `quarantine=true` ingests "
    "the valid rows and reports the others. 200 with the IngestReport when the wave was written, 422 with "
    "every row error when the file was rejected (the previous wave is kept)."
)
_FILE_SCHEMA = {"type": "string", "format": "binary"}
_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "detail": {}},
    "required": ["error", "detail"],
}
# Declared in the route's ``responses`` (not in openapi_extra, which FastAPI merges into its own 422 schema).
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the wave was written: the IngestReport"},
    **{
        status: {"description": description, "content": {"application/json": {"schema": _ERROR_SCHEMA}}}
        for status, description in (
            (400, "a bad wave id, mapping name or form"),
            (401, "no admin token"),
            (403, "a wrong token, or writes disabled"),
            (413, "the file is over VCGRAPH_MAX_UPLOAD_BYTES"),
            (415, "the file is neither CSV text nor an XLSX workbook"),
            (422, "the file was rejected: detail is the IngestReport with every row error, or the reason"),
        )
    },
}
_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            **{media_type: {"schema": _FILE_SCHEMA} for media_type in FILE_MEDIA_TYPES},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": _FILE_SCHEMA}, "required": ["file"]}
            },
        },
    },
}


def shown_name(filename: str | None) -> str:
    """What a report may say about the client's file name: its last path component (``/`` or ``\\``), with
    anything but letters, digits, ``._ -`` dropped; ``upload`` when nothing is left. Never used as a path."""
    if not filename:
        return _UPLOAD_FILE
    last = PureWindowsPath(PurePosixPath(filename).name).name
    cleaned = _SHOWN_NAME.sub("", last).strip(" .")[:128]
    return cleaned or _UPLOAD_FILE


def _file_from_multipart(content_type_header: str, body: bytes) -> tuple[bytes, str | None]:
    header = f"Content-Type: {content_type_header}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise ApiError(400, "bad_request", "the multipart body has no parts (check the boundary)")
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") != "file":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            raise ApiError(400, "bad_request", "form field 'file': no content")
        return payload, part.get_filename()
    raise ApiError(400, "bad_request", "form field 'file' is missing: send the survey as 'file'")


def _uploaded_file(content_type_header: str | None, body: bytes) -> tuple[bytes, str | None]:
    """The file's bytes and the client's file name (if a form gave one)."""
    media_type, _ = media_type_and_charset(content_type_header)
    if media_type == "multipart/form-data":
        return _file_from_multipart(content_type_header or "", body)
    if media_type is not None and media_type not in FILE_MEDIA_TYPES:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"Content-Type {media_type} is not a survey file; send {', '.join(FILE_MEDIA_TYPES)} or a "
            "multipart form with a 'file' field",
        )
    return body, None


def _check_content(data: bytes, name: str) -> None:
    """Refuse what is neither CSV text nor an XLSX workbook (415), and zip bombs (422), before any reader runs."""
    if not data.strip():
        raise ApiError(422, "unprocessable_entity", f"{name} is empty")
    if data.startswith(OLE2_MAGIC):
        raise ApiError(
            415, "unsupported_media_type", f"{name} is a legacy Excel .xls file; save it as .xlsx or CSV (UTF-8)"
        )
    if data.startswith(_BINARY_MAGIC):
        raise ApiError(415, "unsupported_media_type", f"{name} is neither CSV text nor an XLSX workbook")
    if data.startswith(ZIP_MAGIC):
        try:
            check_zip(data, name)
        except ExportReadError as exc:
            raise ApiError(422, "unprocessable_entity", str(exc)) from None
        _refuse_xml_declarations(data, name)


_DTD_MARKUP = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SCAN_CHUNK = 1024 * 1024


def _refuse_xml_declarations(data: bytes, name: str) -> None:
    """Refuse an XLSX whose XML parts declare a DTD or entities (422). Excel never writes one; a crafted file uses
    them to expand text without bound or to name files and URLs. Checked here, on the inflated bytes read in
    chunks (the archive passed :func:`check_zip`, so their size is bounded), so no XML parser ever sees them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                if not member.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                tail = b""
                with archive.open(member) as handle:
                    while chunk := handle.read(_SCAN_CHUNK):
                        match = _DTD_MARKUP.search(tail + chunk)
                        if match is not None:
                            raise ApiError(
                                422,
                                "unprocessable_entity",
                                f"{name}: {member.filename} declares <!{match.group(1).decode().upper()}; "
                                "workbooks with DTD or entity declarations are refused (Excel never writes them)",
                            )
                        tail = chunk[-16:]
    # RuntimeError covers zipfile's refusal of an unsupported compression method (and encrypted members).
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError) as exc:
        raise ApiError(
            422, "unprocessable_entity", f"{name} is a zip archive but not a readable workbook ({exc})"
        ) from None


def _mapping_name(value: str | None, settings: Settings) -> str | None:
    """A mapping name of ``data/mappings/`` (never a path: ``load_mapping`` would read any YAML file given)."""
    if value is None:
        return None
    known = available_mappings(settings.data_dir / "mappings")
    if not _MAPPING_NAME.match(value) or value not in known:
        raise ApiError(
            400, "bad_request", f"mapping: {value[:80]!r} is not a known mapping (known: {', '.join(known) or 'none'})"
        )
    return value


def _ingest(
    store: Store, settings: Settings, data: bytes, name: str, wave: str, mapping: str | None, quarantine: bool
) -> IngestReport:
    with tempfile.TemporaryDirectory(prefix="vcgraph-upload-") as folder:
        path = Path(folder) / _UPLOAD_FILE
        path.write_bytes(data)
        try:
            if mapping is None:
                report = ingest_survey(store, settings, path, wave, quarantine=quarantine)
            else:
                resolved = load_mapping(mapping, directory=settings.data_dir / "mappings")
                report = ingest_export(store, settings, path, resolved, wave, quarantine=quarantine)
        except (ExportReadError, MappingError) as exc:
            raise ApiError(422, "unprocessable_entity", str(exc).replace(str(path), name)) from None
        except ElementTree.ParseError as exc:
            # openpyxl's streaming sheet reader raises this from inside the survey reader on malformed XML
            # (survey/reader.py catches only the errors of opening the workbook).
            raise ApiError(422, "unprocessable_entity", f"{name} is not a readable XLSX workbook ({exc})") from None
    # Messages about the whole file name the temporary copy; the user knows it by their own name (and the
    # server's temporary paths are none of their business).
    report.path = name
    report.errors = [replace(e, reason=e.reason.replace(str(path), name)) for e in report.errors]
    report.warnings = [warning.replace(str(path), name) for warning in report.warnings]
    return report


@router.post(
    "/api/waves/{wave}",
    name="upload_survey",
    summary="Upload a survey wave (admin)",
    description=_DOC,
    openapi_extra=_OPENAPI,
    responses=_RESPONSES,
)
async def upload_survey(
    request: Request, wave: str, mapping: str | None = None, quarantine: bool = False
) -> JSONResponse:
    store, settings = store_of(request), settings_of(request)
    require_admin(request, settings)
    try:
        check_wave_id(wave)
    except IngestError as exc:
        raise ApiError(400, "bad_request", f"wave: {exc}") from None
    mapping_name = _mapping_name(mapping, settings)
    body = await read_body(request, settings.max_upload_bytes)
    data, filename = _uploaded_file(request.headers.get("content-type"), body)
    name = shown_name(filename)
    _check_content(data, name)
    report = await run_in_threadpool(_ingest, store, settings, data, name, wave, mapping_name, quarantine)
    if not report.written:
        return JSONResponse({"error": "survey_rejected", "detail": report.as_dict()}, status_code=422)
    return JSONResponse(report.as_dict())
