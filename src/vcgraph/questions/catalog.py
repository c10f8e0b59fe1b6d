"""The catalog of questions: one ``queries/<id>.rq`` file each, described by its header comment.

The header is the single description of a question that the REST routes, the CLI and the OpenAPI document all
read, so an analyst who opens the file in YASGUI sees the same parameters the API validates::

    # id: gaps-stages
    # route: /api/gaps/stages
    # title: Stages nobody offers in a region
    # question: Which value-chain stages does no actor with a site in the region offer?
    #   (a line starting with '#   ' continues the previous field)
    # param: region | nuts | required | NUTS 2021 code of level 0-3; its sub-regions are included
    # param: product_class | concept:product-class | optional | product class notation (P01..P12)
    # param: wave | wave | latest | survey wave identifier
    # example: region=FRK product_class=P08

Parameter types: ``nuts``, ``nuts-list:<variable>`` (a comma-separated list; the query runs once per code with
``$<variable>`` bound), ``concept:<scheme>``, ``wave``, ``int:<min>:<max>``, ``bool``, ``text``, ``actor`` (the key
of a named actor's IRI, ``{base}id/actor/<key>``), ``scheme`` (a browsable vocabulary: stages, technologies,
product-classes, actor-types, sectors, regions). Defaults:
``required``, ``optional`` (left unbound), ``latest`` or ``previous`` (waves: the last one, the one before) or a
literal value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

_FIELD = re.compile(r"^#\s*([a-z_]+):\s?(.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
PARAM_TYPES = ("nuts", "nuts-list", "concept", "wave", "int", "bool", "text", "actor", "scheme")


class CatalogError(ValueError):
    """A query file's header is malformed: a bug in ``queries/``, reported with the file and line."""


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a question, as its query header declares it."""

    name: str
    type: str  # one of PARAM_TYPES
    default: str  # 'required', 'optional', 'latest' or a literal value
    description: str
    scheme: str | None = None  # concept scheme for type 'concept'
    variable: str | None = None  # SPARQL variable bound per item for 'nuts-list'
    minimum: int | None = None
    maximum: int | None = None

    @property
    def required(self) -> bool:
        return self.default == "required"

    @property
    def type_label(self) -> str:
        if self.type == "concept":
            return f"concept:{self.scheme}"
        if self.type == "int":
            return f"int {self.minimum}..{self.maximum}"
        return self.type


@dataclass(frozen=True)
class QuestionInfo:
    """What a question is, which file answers it and how to call it."""

    id: str
    route: str
    title: str
    question: str
    params: tuple[ParamSpec, ...]
    example: dict[str, str]
    path: Path
    text: str = field(repr=False)
    # '# run: whole': the query is sent whole, never as its UNION branches (vcgraph.questions.service.execute_table)
    run_whole: bool = False

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def name(self) -> str:
        """The question's name on the CLI (``vcgraph query NAME``): its id."""
        return self.id

    @property
    def parameters(self) -> tuple[ParamSpec, ...]:
        return self.params


def parse_param(value: str, where: str) -> ParamSpec:
    parts = [p.strip() for p in value.split("|")]
    if len(parts) != 4:
        raise CatalogError(f"{where}: a param line is 'name | type | default | description', got {value!r}")
    name, type_text, default, description = parts
    if not _NAME.match(name):
        raise CatalogError(f"{where}: parameter name {name!r} is not lower_snake_case")
    kind, _, rest = type_text.partition(":")
    if kind not in PARAM_TYPES:
        raise CatalogError(f"{where}: parameter {name}: unknown type {type_text!r}")
    spec = ParamSpec(name=name, type=kind, default=default, description=description)
    if kind == "concept":
        if not rest:
            raise CatalogError(f"{where}: parameter {name}: 'concept' needs a scheme, e.g. concept:stage")
        spec = ParamSpec(name, kind, default, description, scheme=rest)
    elif kind == "nuts-list":
        if not _NAME.match(rest):
            raise CatalogError(f"{where}: parameter {name}: 'nuts-list' needs the variable, e.g. nuts-list:region")
        spec = ParamSpec(name, kind, default, description, variable=rest)
    elif kind == "int":
        bounds = rest.split(":")
        if len(bounds) != 2 or not all(re.fullmatch(r"-?\d+", b) for b in bounds):
            raise CatalogError(f"{where}: parameter {name}: 'int' needs bounds, e.g. int:1:9")
        spec = ParamSpec(name, kind, default, description, minimum=int(bounds[0]), maximum=int(bounds[1]))
    return spec


def parse_header(text: str, path: Path) -> QuestionInfo:
    """Read the leading comment block of a query file."""
    fields: dict[str, str] = {}
    params: list[ParamSpec] = []
    last: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        where = f"{path.name}:{number}"
        continuation = _CONTINUATION.match(line)
        if continuation and last is not None and last != "param":
            fields[last] += " " + continuation.group(1).strip()
            continue
        match = _FIELD.match(line)
        if match is None:
            last = None
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "param":
            params.append(parse_param(value, where))
        else:
            fields[key] = value
        last = key
    for required in ("id", "route", "title", "question"):
        if required not in fields:
            raise CatalogError(f"{path.name}: header lacks '# {required}:'")
    if fields["id"] != path.stem:
        raise CatalogError(f"{path.name}: header id {fields['id']!r} differs from the file name")
    example: dict[str, str] = {}
    for pair in fields.get("example", "").split():
        name, sep, value = pair.partition("=")
        if not sep:
            raise CatalogError(f"{path.name}: example {pair!r} is not name=value")
        example[name] = value
    return QuestionInfo(
        id=fields["id"],
        route=fields["route"],
        title=fields["title"],
        question=fields["question"],
        params=tuple(params),
        example=example,
        path=path,
        text=text,
        run_whole=fields.get("run") == "whole",
    )


@lru_cache(maxsize=256)
def _parse_cached(path: Path, mtime_ns: int, size: int) -> QuestionInfo:
    return parse_header(path.read_text(encoding="utf-8"), path)


def read_question_file(path: Path) -> QuestionInfo:
    """Parse one query file; cached until the file changes, so each request does not re-read the disk."""
    stat = path.stat()
    return _parse_cached(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _query_files(queries_dir: Path, mtime_ns: int) -> tuple[Path, ...]:
    # a directory's mtime changes when a file is added, removed or renamed: listing again is needed only then
    return tuple(sorted(queries_dir.glob("*.rq")))


def load_catalog(queries_dir: Path) -> dict[str, QuestionInfo]:
    """Every question file of ``queries_dir`` by id, in file-name order."""
    try:
        files = _query_files(queries_dir, queries_dir.stat().st_mtime_ns)
    except FileNotFoundError:
        return {}
    return {info.id: info for info in (read_question_file(p) for p in files)}
