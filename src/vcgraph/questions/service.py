"""The question use cases the REST routes and the CLI both call: list, run one question, run any SPARQL."""

from __future__ import annotations

import contextvars
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar, overload

from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, QueryTriples

from vcgraph.collector import collector_paused
from vcgraph.config import Settings
from vcgraph.questions.answer import QuestionAnswer, Row, SparqlTable, Term
from vcgraph.questions.binding import bind
from vcgraph.questions.catalog import CatalogError, QuestionInfo, load_catalog, parse_param, read_question_file
from vcgraph.questions.params import BoundParameters, QuestionParameterError, validate_parameters, waves
from vcgraph.service.cache import ANSWERS, cached, dataset_key, note_cache_status
from vcgraph.service.dataset import public_dataset
from vcgraph.service.sparql import MAX_NESTING
from vcgraph.sparql.text import (
    bind_parameters,
    forbidden_operations,
    line_column,
    parameter_names,
    tokens,
    too_deep_nesting,
    union_branches,
)
from vcgraph.store.notes import rows_allowed
from vcgraph.store.port import Dataset, QueryOutcome, Store

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000


class UnknownQuestion(LookupError):
    """No question of that name; carries the names that exist."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown question {name!r}; known: {', '.join(known)}")
        self.name = name
        self.known = known


class QueryRefused(QuestionParameterError):
    """A query the service will not run (an update, SERVICE, LOAD...), with the reason and position."""

    def __init__(self, message: str) -> None:
        super().__init__("query", message)


@dataclass
class ShapeContext:
    """What a shaper may use besides the rows: the parameters and the waves' identifiers."""

    store: Store
    dataset: Dataset
    params: BoundParameters
    wave_ids: dict[str, str]  # wave IRI -> identifier

    def wave_id(self, name: str = "wave") -> str | None:
        term = self.params.terms.get(name)
        return self.wave_ids.get(term.value) if isinstance(term, NamedNode) else None


Items = list[dict[str, Any]]


@dataclass(eq=False)
class ItemsOnRead(Sequence[dict[str, Any]]):
    """An answer's items counted and ordered when the answer is made, each built when it is read.

    For a shaper whose items are many and costly to build: matchmaking-mutual's 585,340 pairs at 50,000
    organisations took 6-10 s to build, matchmaking-needs' rankings most of its time, and a page shows 100 items.
    The cached answer keeps what ``build`` reads (``held``, which the cache sizes) and each page builds its own
    items. ``build(start, stop)`` gives items ``start`` to ``stop`` (0 <= start < stop <= length); reading the same
    position twice gives equal items."""

    length: int
    build: Callable[[int, int], list[dict[str, Any]]]
    held: object  # what ``build`` reads: walked by the answer cache to size the answer

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.length)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self.build(start, stop) if start < stop else []
        position = index + self.length if index < 0 else index
        if not 0 <= position < self.length:
            raise IndexError("item index out of range")
        return self.build(position, position + 1)[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for start in range(0, self.length, _BUILT_AT_ONCE):
            yield from self.build(start, min(start + _BUILT_AT_ONCE, self.length))


_BUILT_AT_ONCE = 1000  # items built per call when the whole answer is read

Shaped = tuple[Items | ItemsOnRead, dict[str, Any] | None]
Shaper = Callable[[list[Row], ShapeContext], Shaped]


@dataclass(frozen=True)
class Table:
    """A query's rows as tuples of terms in the order of ``variables`` (None where unbound): what a shaper of
    hundreds of thousands of rows reads, as a client of the raw query would. Making a dict of each row costs
    about as much as reading it from the engine (matchmaking-needs, when it read one row per need and candidate:
    30k rows of 29 columns at 1,000 organisations), and such a shaper looks at a handful of the columns of most
    rows.

    ``rows`` may be read once only: :func:`execute_table` streams them from the engine, so that a row the shaper
    does not keep is freed as soon as it is read. Held all at once, the 350k rows of 29 terms matchmaking-needs
    read at 10,000 organisations (before its rows were factorised) raised the peak memory of the question by
    440 MB; streamed, by 171 MB (the time is the same, within this machine's noise)."""

    variables: tuple[str, ...]
    rows: Iterable[tuple[Term | None, ...]]

    def column(self, name: str) -> int:
        """The position of ``?name`` in each row; ValueError names it when the query has no such column."""
        try:
            return self.variables.index(name)
        except ValueError:
            raise ValueError(f"the query has no column ?{name}") from None

    def row(self, values: tuple[Term | None, ...]) -> Row:
        """One row as the dict the shaping helpers take."""
        return dict(zip(self.variables, values, strict=True))

    @classmethod
    def from_rows(cls, variables: Iterable[str], rows: Iterable[Row]) -> Table:
        """The table of dict ``rows`` (a column a row lacks is unbound there); for rows written by hand."""
        names = tuple(variables)
        return cls(names, [tuple(row.get(name) for name in names) for row in rows])


TableShaper = Callable[[Table, ShapeContext], Shaped]


@dataclass(frozen=True)
class ShaperEntry:
    shape: Callable[..., Shaped]  # a Shaper, or a TableShaper when `tabular`
    example_item: dict[str, Any]
    tabular: bool = False


_SHAPERS: dict[str, ShaperEntry] = {}
ShaperT = TypeVar("ShaperT", Shaper, TableShaper)


def shaper(
    question_id: str, example_item: dict[str, Any], *, tabular: bool = False
) -> Callable[[ShaperT], ShaperT]:
    """Register how the rows of ``queries/<question_id>.rq`` become items (and an example item for the docs): as
    a list of dicts, or with ``tabular`` as one :class:`Table`."""

    def register(function: ShaperT) -> ShaperT:
        _SHAPERS[question_id] = ShaperEntry(function, example_item, tabular)
        return function

    return register


def _registry() -> dict[str, ShaperEntry]:
    # The shapers register themselves on import; imported here so the catalog is complete whoever calls first.
    from vcgraph.questions import shapers  # noqa: F401

    return _SHAPERS


def list_questions(settings: Settings) -> list[QuestionInfo]:
    """The questions this deployment answers: every ``queries/*.rq`` with a header and a shaper."""
    registry = _registry()
    return [info for info in load_catalog(settings.queries_dir).values() if info.id in registry]


def example_item(question_id: str) -> dict[str, Any]:
    return _registry()[question_id].example_item


def get_question(settings: Settings, name: str) -> QuestionInfo:
    if name in _registry():
        # the one file (one stat, the parse cached), not the whole catalog (a stat per file, 0.1 ms a request)
        try:
            return read_question_file(settings.queries_dir / f"{name}.rq")
        except FileNotFoundError:
            pass
    questions = {info.id: info for info in list_questions(settings)}
    if name not in questions:
        raise UnknownQuestion(name, sorted(questions))
    return questions[name]


def solutions_to_rows(outcome: QuerySolutions) -> tuple[list[str], list[Row]]:
    variables = [v.value for v in outcome.variables]
    # a solution iterates over its values in the order of the variables: zip beats a lookup by name per cell
    rows: list[Row] = [dict(zip(variables, solution, strict=True)) for solution in outcome]
    return variables, rows


def execute_rows(store: Store, dataset: Dataset, info: QuestionInfo, bound: BoundParameters) -> list[Row]:
    """Run the question's query once per binding; rows of a repeated run carry the repeated value (the rows of
    :func:`execute_table`, as dicts)."""
    table = execute_table(store, dataset, info, bound)
    return [table.row(values) for values in table.rows]


CONCURRENT_RUNS = 4
"""At most this many runs of a repeated question at once (one run per value of its list parameter)."""


def execute_table(store: Store, dataset: Dataset, info: QuestionInfo, bound: BoundParameters) -> Table:
    """Run the question's query once per binding, as one :class:`Table` (a repeated run's value in a last column
    of its own, unless the query projects it), its rows streamed: read them once. The first query runs now (its
    columns name the table's); a single run's rows are streamed from the engine.

    The runs of a repeated question (one per region of ``regions``, say) are independent: they are sent to the
    store at once and read whole, each in a thread of its own, so that a served store answers them in as many
    query workers and a remote store in as many requests (trends-coverage over two regions at 50,000
    organisations: the sum of the two runs before, the longer of them now). So are the branches of a query that
    is a UNION of independent branches and nothing else (:func:`~vcgraph.sparql.text.union_branches`): the
    engines evaluate one query's branches one after the other (gaps-needs served at 50,000 organisations: 1.09 s
    as one query, 0.76 s as its five branches on two query workers). A store that answers branches sent at once
    wrongly (``Store.concurrent_branches`` False) gets each run's branches one after the other (the runs still go
    together); a query whose header says ``# run: whole`` is always sent whole. Each query of a run may read the
    rows the request allows (:func:`vcgraph.store.notes.rows_allowed`)."""
    bindings = list(bound.bindings())
    if not bindings:
        return Table((), [])
    parts = (info.text,) if info.run_whole else _branches(info.text)
    runs: list[tuple[Mapping[str, Term], Iterable[tuple[Term | None, ...]]]]
    if len(bindings) == 1 and len(parts) == 1:
        solutions = _solutions(store.query(bind(parts[0], bindings[0]), dataset=dataset), info)
        names = tuple(v.value for v in solutions.variables)
        runs = [(bindings[0], (tuple(solution) for solution in solutions))]
    else:
        # What goes to the store at once: each query, or on a store that answers branches sent at once wrongly,
        # each binding's branches in turn.
        per_job = 1 if store.concurrent_branches else len(parts)
        texts = [bind(part, binding) for binding in bindings for part in parts]
        jobs = [texts[index : index + per_job] for index in range(0, len(texts), per_job)]
        with ThreadPoolExecutor(min(len(jobs), CONCURRENT_RUNS), thread_name_prefix="vcgraph-run") as pool:
            # each job in a copy of this context: the store reads the request's row allowance and notes its cuts
            futures = [pool.submit(contextvars.copy_context().run, _read_runs, store, dataset, info, j) for j in jobs]
            read = [future.result() for future in futures]
        names = read[0][0]
        per_binding = len(parts) // per_job
        runs = [
            (binding, itertools.chain.from_iterable(rows for _, rows in read[index : index + per_binding]))
            for binding, index in zip(bindings, range(0, len(read), per_binding), strict=True)
        ]
    repeated = bound.repeat_variable if bound.repeat_variable not in (None, *names) else None
    variables = (*names, repeated) if repeated is not None else names

    def rows() -> Iterator[tuple[Term | None, ...]]:
        for binding, run_rows in runs:
            if repeated is None:
                yield from run_rows
            else:
                value = (binding[repeated],)
                yield from (row + value for row in run_rows)

    return Table(variables, rows())


@lru_cache(maxsize=64)
def _branches(text: str) -> tuple[str, ...]:
    """The queries run for the question's query ``text``: its independent UNION branches, or itself."""
    return union_branches(text) or (text,)


def _read_runs(
    store: Store, dataset: Dataset, info: QuestionInfo, texts: list[str]
) -> tuple[tuple[str, ...], list[tuple[Term | None, ...]]]:
    """The columns and rows of ``texts`` run one after the other (:meth:`Store.query_in_turn`), read whole on this
    thread (pyoxigraph's results must stay on the thread that made them; their terms need not)."""
    names: tuple[str, ...] = ()
    rows: list[tuple[Term | None, ...]] = []
    for outcome in store.query_in_turn(texts, dataset=dataset):
        solutions = _solutions(outcome, info)
        names = tuple(v.value for v in solutions.variables)
        rows.extend(tuple(solution) for solution in solutions)
    return names, rows


def _solutions(outcome: QueryOutcome, info: QuestionInfo) -> QuerySolutions:
    if not isinstance(outcome, QuerySolutions):
        raise CatalogError(f"{info.path.name}: a question must be a SELECT query")
    return outcome


def _page(limit: int | None, offset: int) -> tuple[int | None, int]:
    if limit is not None and not 0 <= limit <= MAX_LIMIT:
        raise QuestionParameterError("limit", f"{limit} is out of range", [f"0 to {MAX_LIMIT}"])
    if offset < 0:
        raise QuestionParameterError("offset", f"{offset} is negative", ["0 or more"])
    return limit, offset


def run_question(
    store: Store,
    settings: Settings,
    name: str,
    params: Mapping[str, str],
    *,
    limit: int | None = DEFAULT_LIMIT,
    offset: int = 0,
    lang: str = "en",
) -> QuestionAnswer:
    """Answer question ``name`` with raw string ``params`` (validated here): the one entry point of CLI and REST.

    Raises :class:`UnknownQuestion` or :class:`QuestionParameterError` (which names the parameter and the
    allowed values) on bad input.

    The whole answer (every item, before paging) is reused until the store is written, keyed on the question,
    its validated parameters and the language; identical concurrent requests compute it once. How it was
    obtained is recorded for :func:`vcgraph.service.cache.noting_cache`. Its items are shared: do not mutate
    them.
    """
    limit, offset = _page(limit, offset)
    info = get_question(settings, name)
    dataset = public_dataset(store, settings)
    bound = validate_parameters(store, dataset, info, dict(params), lang, settings.base_iri)
    key = (ANSWERS, settings, info.id, info.text, dataset_key(dataset), *_bound_key(bound))
    full, status = cached(
        store, key, lambda: _whole_answer(store, dataset, info, bound, settings.question_max_rows), settings=settings
    )
    note_cache_status(status)
    page = full.items[offset:] if limit is None else full.items[offset : offset + limit]
    return QuestionAnswer(
        question=full.question,
        parameters=full.parameters,
        items=page,
        count=full.count,
        limit=limit,
        offset=offset,
        summary=full.summary,
    )


def question_rows(
    store: Store, settings: Settings, name: str, params: Mapping[str, str], *, lang: str = "en"
) -> list[Row]:
    """The raw rows of question ``name``'s query, its ``params`` validated and bound as :func:`run_question` does
    them: what its answer is shaped from. Never cached; for comparing an answer with its query."""
    info = get_question(settings, name)
    dataset = public_dataset(store, settings)
    bound = validate_parameters(store, dataset, info, dict(params), lang, settings.base_iri)
    with collector_paused(), rows_allowed(settings.question_max_rows):
        return execute_rows(store, dataset, info, bound)


def _bound_key(bound: BoundParameters) -> tuple[Any, ...]:
    """What of the validated parameters decides the answer, hashable. The echo is part of it: it is what the
    answer repeats back, and two spellings that bind the same terms could echo differently."""
    return (
        tuple(sorted(bound.terms.items())),
        bound.repeat_variable,
        tuple(bound.repeat_values),
        json.dumps(bound.echo, sort_keys=True, default=str),
        bound.lang,
    )


def _whole_answer(
    store: Store, dataset: Dataset, info: QuestionInfo, bound: BoundParameters, max_rows: int
) -> QuestionAnswer:
    """Every item of the answer (``limit`` None): what the cache keeps, and pages are cut from. The query may
    read up to ``max_rows`` rows (``Settings.question_max_rows``): they are shaped, not sent."""
    with collector_paused(), rows_allowed(max_rows):
        entry = _registry()[info.id]
        rows: Table | list[Row] = (
            execute_table(store, dataset, info, bound) if entry.tabular else execute_rows(store, dataset, info, bound)
        )
        known_waves = {w.iri.value: w.identifier for w in waves(store, dataset)} if _uses_waves(info) else {}
        context = ShapeContext(store, dataset, bound, known_waves)
        items, summary = entry.shape(rows, context)
        # Freed now, while the collector is still paused: every object allocated during the pause waits in its
        # youngest generation, and its first pass after the pause walks whatever of them is still alive (the rows
        # and their terms: 11 ms of matchmaking-needs' 250 ms at 1,000 organisations), to find no cycle.
        del rows, context
    return QuestionAnswer(
        question=info.id,
        parameters=bound.echo,
        items=items,
        count=len(items),
        limit=None,
        offset=0,
        summary=summary,
    )


def _uses_waves(info: QuestionInfo) -> bool:
    return any(p.type == "wave" for p in info.params)


# --- arbitrary SPARQL (vcgraph query --file / inline) ---------------------------------------------------------

_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_DECIMAL = re.compile(r"^[+-]?\d+\.\d+$")
_XSD = "http://www.w3.org/2001/XMLSchema#"


def infer_term(raw: str) -> NamedNode | Literal:
    """The term for a ``--param`` of a query without a header: IRI, integer, decimal, boolean or string."""
    text = raw.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
        return NamedNode(text)
    if re.match(r"^(https?|urn):", text):
        return NamedNode(text)
    if _INTEGER.match(text):
        return Literal(text, datatype=NamedNode(_XSD + "integer"))
    if _DECIMAL.match(text):
        return Literal(text, datatype=NamedNode(_XSD + "decimal"))
    if text in ("true", "false"):
        return Literal(text, datatype=NamedNode(_XSD + "boolean"))
    return Literal(raw)


def _header_info(text: str) -> QuestionInfo | None:
    """The parameters declared by a query text's header, if it has ``# param:`` lines."""
    from pathlib import Path

    params = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = re.match(r"^#\s*param:\s?(.*)$", line)
        if match:
            params.append(parse_param(match.group(1), f"query:{number}"))
    if not params:
        return None
    return QuestionInfo("query", "", "", "", tuple(params), {}, Path("query.rq"), text)


def run_sparql(
    store: Store,
    settings: Settings,
    text: str,
    params: Mapping[str, str],
    *,
    limit: int | None = None,
    offset: int = 0,
    lang: str = "en",
) -> SparqlTable:
    """Run any query (a ``.rq`` file's text or an inline query) on the public dataset, ``$name`` bound.

    A text whose header declares ``# param:`` lines has its parameters validated exactly as the questions do;
    otherwise each value is typed by its form (see :func:`infer_term`). Updates, SERVICE and LOAD are refused.
    ``limit``/``offset`` page the rows (as the questions page their items).
    """
    limit, offset = _page(limit, offset)
    significant = [t for t in tokens(text) if t.kind not in ("ws", "comment")]
    too_deep = too_deep_nesting(text, MAX_NESTING)
    if too_deep is not None:
        # pyoxigraph's recursive parser would overflow its stack (SIGSEGV) before raising anything.
        line, column = line_column(text, too_deep)
        raise QueryRefused(f"brackets nested more than {MAX_NESTING} deep at {line}:{column}")
    refused = forbidden_operations(text)
    if refused:
        raise QueryRefused(f"{refused[0].reason} (at character {refused[0].offset})")
    keywords = {t.keyword for t in significant if t.keyword}
    if keywords & {"INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"} and not keywords & {
        "SELECT",
        "ASK",
        "CONSTRUCT",
        "DESCRIBE",
    }:
        raise QueryRefused("updates are not run by 'query'; use the admin update operation")
    dataset = public_dataset(store, settings)
    info = _header_info(text)
    if info is not None:
        bound = validate_parameters(store, dataset, info, dict(params), lang, settings.base_iri)
        bindings = bound.bindings()
    else:
        declared = parameter_names(text)
        for name in params:
            if name not in declared:
                raise QuestionParameterError(name, "the query has no such $variable", sorted(declared))
        bindings = [{name: infer_term(value) for name, value in params.items()}]
    variables: list[str] = []
    rows: list[Row] = []
    for binding in bindings:
        outcome = store.query(bind_parameters(text, binding), dataset=dataset)
        if isinstance(outcome, QuerySolutions):
            variables, run_rows = solutions_to_rows(outcome)
            rows.extend(run_rows)
        elif isinstance(outcome, QueryBoolean):
            variables = ["boolean"]
            rows.append(
                {"boolean": Literal("true" if bool(outcome) else "false", datatype=NamedNode(_XSD + "boolean"))}
            )
        elif isinstance(outcome, QueryTriples):
            variables = ["subject", "predicate", "object"]
            rows.extend({"subject": t.subject, "predicate": t.predicate, "object": t.object} for t in outcome)
    return SparqlTable(variables, rows[offset:] if limit is None else rows[offset : offset + limit])
