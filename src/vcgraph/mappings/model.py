"""Declarative survey-tool mappings: the YAML files of ``data/mappings/``, validated, as typed objects.

A mapping says, for one survey tool, which column(s) of its export hold which column of the canonical survey
template, how that tool encodes multi-choice answers, and which answer labels mean which vocabulary notation.
The curation loop adds synonyms in an overlay file next to the mapping (``<stem>.curation.yaml``), merged here,
so the mapping the analyst wrote stays untouched and the curated choices stay reviewable in one place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from vcgraph.config import project_root
from vcgraph.survey.template import OTHER_TEXT_COLUMNS, TEMPLATE_COLUMNS

OVERLAY_SUFFIX = ".curation.yaml"
DEFAULT_TICKED = ("y", "yes", "1", "true", "x", "oui")
DEFAULT_UNTICKED = ("", "0", "n", "no", "false", "non")

# A mapping may only produce columns of the canonical template, plus "<multi-choice column>_other" free text
# (the "Other: ..." answers, kept so nothing a respondent wrote is lost).
MULTI_VALUE_COLUMNS = ("sectors", "clusters", "product_classes", "skills_shortage", "training_offered")
KNOWN_TARGETS = frozenset(TEMPLATE_COLUMNS) | frozenset(OTHER_TEXT_COLUMNS)


class MappingError(ValueError):
    """A mapping file is missing, not YAML, or does not follow the mapping schema; the message names the spot."""


@dataclass(frozen=True)
class FieldSpec:
    """How one template column is read from the export (a matrix contributes one spec per row)."""

    target: str
    yaml_path: str
    curation_key: str
    columns: tuple[str, ...] = ()
    generate: str | None = None
    value: str | None = None
    template: str | None = None
    required: bool = True
    date_format: str | None = None
    scheme: str | None = None
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    empty: tuple[str, ...] = ()
    separator: str | None = None
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ticked: tuple[str, ...] = DEFAULT_TICKED
    unticked: tuple[str, ...] = DEFAULT_UNTICKED
    other: str | None = None
    other_columns: tuple[str, ...] = ()
    other_into: str | None = None

    @property
    def is_multi(self) -> bool:
        return self.separator is not None or bool(self.options)

    @property
    def is_coded(self) -> bool:
        """Answers must resolve to a template value (a declared choice or a vocabulary concept)."""
        return bool(self.choices) or self.scheme is not None


@dataclass(frozen=True)
class Mapping:
    """A validated mapping, with the curated synonyms of its overlay already merged into the choices."""

    name: str
    tool: str
    path: Path | None
    encoding: str
    delimiter: str
    group_separator: str | None
    fields: tuple[FieldSpec, ...]
    overlay_synonyms: int = 0

    @property
    def overlay_path(self) -> Path | None:
        if self.path is None:
            return None
        return self.path.with_name(self.path.name.removesuffix(".yaml").removesuffix(".yml") + OVERLAY_SUFFIX)

    @property
    def targets(self) -> list[str]:
        """The template columns this mapping writes, in the template's order, then the free-text columns."""
        produced = {spec.target for spec in self.fields}
        produced |= {spec.other_into for spec in self.fields if spec.other_into}
        return [c for c in (*TEMPLATE_COLUMNS, *OTHER_TEXT_COLUMNS) if c in produced]


def mappings_dir() -> Path:
    return project_root() / "data" / "mappings"


def available_mappings(directory: Path | None = None) -> list[str]:
    """Names accepted by :func:`load_mapping` (the stems of ``data/mappings/*.yaml``)."""
    folder = directory or mappings_dir()
    return sorted(p.name.removesuffix(".yaml") for p in folder.glob("*.yaml") if not p.name.endswith(OVERLAY_SUFFIX))


def mapping_schema() -> dict[str, Any]:
    text = resources.files("vcgraph").joinpath("schemas/mapping.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def resolve_mapping_path(name_or_path: str, directory: Path | None = None) -> Path:
    """A path as given when it names a file, else ``<directory>/<name>.yaml``."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        if not candidate.is_file():
            raise MappingError(f"mapping file {candidate} does not exist")
        return candidate
    folder = directory or mappings_dir()
    path = folder / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(available_mappings(folder)) or "none"
        raise MappingError(f"no mapping named {name_or_path!r} (known: {known}); or give the path of a YAML file")
    return path


def load_mapping(name_or_path: str, *, directory: Path | None = None) -> Mapping:
    """Load, validate (JSON Schema + semantic checks) and compile a mapping by name or path."""
    path = resolve_mapping_path(name_or_path, directory)
    document = _read_yaml(path)
    mapping = compile_mapping(document, name=path.name.removesuffix(".yaml").removesuffix(".yml"), path=path)
    overlay = mapping.overlay_path
    if overlay is not None and overlay.is_file():
        mapping = merge_overlay(mapping, _read_yaml(overlay), overlay)
    return mapping


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: cannot read the mapping ({exc})") from exc
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # C parser when built
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark is not None else ""
        raise MappingError(f"{path}:{where} not valid YAML: {getattr(exc, 'problem', exc)}") from exc


def _yaml_path(parts: Any) -> str:
    return ".".join(str(p) for p in parts) or "(top level)"


def validate_document(document: Any, source: str) -> None:
    """Every schema violation at once, each with the YAML path that holds it."""
    validator = jsonschema.Draft202012Validator(mapping_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        lines = [f"{_yaml_path(e.absolute_path)}: {_schema_message(e)}" for e in errors]
        raise MappingError(f"{source} is not a valid mapping:\n  " + "\n  ".join(lines))


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        return "give exactly one of column, generate, value or options"
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key(s)")
    return error.message


def _labels(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _choices(raw: Any) -> dict[str, tuple[str, ...]]:
    return {str(key): _labels(labels) for key, labels in (raw or {}).items()}


def compile_mapping(document: Any, *, name: str, path: Path | None = None) -> Mapping:
    source = str(path) if path else name
    validate_document(document, source)
    problems: list[str] = []
    default_dates = document.get("dates")
    global_empty = _labels(document.get("empty"))
    specs: list[FieldSpec] = []
    for target, raw in document["fields"].items():
        yaml_path = f"fields.{target}"
        if target not in KNOWN_TARGETS:
            problems.append(f"{yaml_path}: {target!r} is not a column of the survey template")
        other_into = raw.get("other_into")
        if raw.get("other") == "in-cell" or raw.get("other_column"):
            other_into = other_into or f"{target}_other"
            if other_into not in KNOWN_TARGETS:
                problems.append(f"{yaml_path}.other_into: {other_into!r} is not a column of the survey template")
        if raw.get("other") == "in-cell" and "separator" not in raw and not raw.get("choices"):
            problems.append(f"{yaml_path}.other: 'in-cell' needs choices or a separator to tell options from text")
        if (raw.get("separator") or raw.get("options")) and target not in MULTI_VALUE_COLUMNS:
            problems.append(f"{yaml_path}: {target!r} holds one value; separator/options are for multi-choice columns")
        date_format = raw.get("date_format") or (default_dates if raw.get("date") else None)
        if raw.get("date") and date_format is None:
            problems.append(f"{yaml_path}.date: no date format (set date_format here or dates at the top level)")
        specs.append(
            FieldSpec(
                target=target,
                yaml_path=yaml_path,
                curation_key=target,
                columns=_labels(raw.get("column")),
                generate=raw.get("generate"),
                value=raw.get("value"),
                template=raw.get("template"),
                required=raw.get("required", True),
                date_format=date_format,
                scheme=raw.get("scheme"),
                choices=_choices(raw.get("choices")),
                empty=global_empty + _labels(raw.get("empty")),
                separator=raw.get("separator"),
                options=_choices(raw.get("options")),
                ticked=_labels(raw["ticked"]) if "ticked" in raw else DEFAULT_TICKED,
                unticked=_labels(raw["unticked"]) if "unticked" in raw else DEFAULT_UNTICKED,
                other=raw.get("other"),
                other_columns=_labels(raw.get("other_column")),
                other_into=other_into,
            )
        )
    for matrix_name, raw in (document.get("matrices") or {}).items():
        for row, columns in raw["rows"].items():
            target = raw["target"].replace("{row}", str(row))
            yaml_path = f"matrices.{matrix_name}.rows.{row}"
            if target not in KNOWN_TARGETS:
                problems.append(f"{yaml_path}: {target!r} is not a column of the survey template")
            specs.append(
                FieldSpec(
                    target=target,
                    yaml_path=yaml_path,
                    curation_key=matrix_name,
                    columns=_labels(columns),
                    required=raw.get("required", True),
                    scheme=raw.get("scheme"),
                    choices=_choices(raw.get("choices")),
                    empty=global_empty + _labels(raw.get("empty")),
                )
            )
    seen: dict[str, str] = {}
    for spec in specs:
        if spec.target in seen:
            problems.append(f"{spec.yaml_path}: writes {spec.target!r}, already written by {seen[spec.target]}")
        seen.setdefault(spec.target, spec.yaml_path)
    if problems:
        raise MappingError(f"{source} is not a valid mapping:\n  " + "\n  ".join(problems))
    input_options = document.get("input") or {}
    return Mapping(
        name=name,
        tool=document["tool"],
        path=path,
        encoding=input_options.get("encoding", "auto"),
        delimiter=input_options.get("delimiter", "auto"),
        group_separator=input_options.get("group_separator"),
        fields=tuple(specs),
    )


def merge_overlay(mapping: Mapping, overlay: Any, overlay_path: Path) -> Mapping:
    """Add the curated synonyms of an overlay (``synonyms: [{target, answer, value, ...}]``) to the choices."""
    entries = (overlay or {}).get("synonyms") if isinstance(overlay, AbstractMapping) else None
    if not isinstance(entries, list):
        raise MappingError(f"{overlay_path}: expected a 'synonyms' list (written by `vcgraph curate --apply`)")
    keys = {spec.curation_key for spec in mapping.fields}
    added: dict[str, dict[str, list[str]]] = {}
    for position, entry in enumerate(entries):
        where = f"{overlay_path}: synonyms.{position}"
        if not isinstance(entry, AbstractMapping) or not all(
            isinstance(entry.get(k), str) and entry.get(k) for k in ("target", "answer", "value")
        ):
            raise MappingError(f"{where}: needs text 'target', 'answer' and 'value'")
        if entry["target"] not in keys:
            raise MappingError(f"{where}.target: {entry['target']!r} is no field or matrix of mapping {mapping.name}")
        added.setdefault(entry["target"], {}).setdefault(entry["value"], []).append(entry["answer"])
    fields = []
    for spec in mapping.fields:
        extra = added.get(spec.curation_key)
        if extra:
            choices = dict(spec.choices)
            for value, answers in extra.items():
                choices[value] = (*choices.get(value, ()), *answers)
            spec = replace(spec, choices=choices)
        fields.append(spec)
    return Mapping(
        name=mapping.name,
        tool=mapping.tool,
        path=mapping.path,
        encoding=mapping.encoding,
        delimiter=mapping.delimiter,
        group_separator=mapping.group_separator,
        fields=tuple(fields),
        overlay_synonyms=len(entries),
    )
