"""Survey-tool ingest: exports of Google Forms, Microsoft Forms, KoboToolbox, LimeSurvey, EUSurvey (or any tool
described by a YAML mapping) -> rows of the canonical survey template -> the template ingest; plus the curation
loop for answers that match no vocabulary value."""

from vcgraph.mappings.apply import CanonicalRow, MappingResult, UnmatchedAnswer, apply_mapping
from vcgraph.mappings.curation import CurationError, CurationSheet, apply_curation, curate, write_sheet
from vcgraph.mappings.model import Mapping, MappingError, available_mappings, load_mapping
from vcgraph.mappings.reader import ExportReadError, ExportTable, read_export
from vcgraph.mappings.service import ingest_export, map_export

__all__ = [
    "CanonicalRow",
    "CurationError",
    "CurationSheet",
    "ExportReadError",
    "ExportTable",
    "Mapping",
    "MappingError",
    "MappingResult",
    "UnmatchedAnswer",
    "apply_curation",
    "apply_mapping",
    "available_mappings",
    "curate",
    "ingest_export",
    "load_mapping",
    "map_export",
    "read_export",
    "write_sheet",
]
