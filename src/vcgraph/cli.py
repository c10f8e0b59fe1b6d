"""The ``vcgraph`` command: a thin shell over the service layer, as the HTTP routes are.

Every command takes ``--store PATH`` (or ``VCGRAPH_STORE``). User mistakes end with a message and exit code 2
(bad usage, bad input) or 1 (rejected data); nothing here prints a traceback for them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from vcgraph import __version__
from vcgraph.config import Settings, load_settings
from vcgraph.store import Store, StoreError, open_store

app = typer.Typer(
    name="vcgraph",
    help="Knowledge graph of the European healthcare biomanufacturing value chain: ingest surveys, validate, "
    "query, serve (SPARQL 1.1 + REST) and publish.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
ontology_app = typer.Typer(help="Tools for the ontology's maintainers.", no_args_is_help=True)
app.add_typer(ontology_app, name="ontology")

# What is printed names the user's files, columns and answers (a LimeSurvey "Q5[other]", a path): never read as rich
# markup (which dropped "[other]"), and never hard-wrapped mid-message at the console's width (a message must
# survive a grep); the two prefixes are styled as Text.
out = Console(markup=False, soft_wrap=True)
err = Console(stderr=True, markup=False, soft_wrap=True)

StoreOption = Annotated[
    str | None,
    typer.Option("--store", help="Store location: a directory (default var/store, or $VCGRAPH_STORE)."),
]


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False)
    raise typer.Exit(code)


def settings_for(store: str | None) -> Settings:
    try:
        return load_settings(store)
    except ValueError as exc:
        fail(str(exc))


@contextmanager
def opened_store(settings: Settings, *, read_only: bool = False) -> Iterator[Store]:
    try:
        store = open_store(settings.store, read_only=read_only)
    except StoreError as exc:
        hint = " (is `vcgraph serve` using it? stop it or pass another --store)" if "lock" in str(exc).lower() else ""
        fail(f"{exc}{hint}")
    try:
        yield store
    finally:
        store.close()


def version_callback(value: bool) -> None:
    if value:
        out.print(f"vcgraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """vcgraph command line."""


@app.command()
def init(store: StoreOption = None) -> None:
    """Create the store if needed and load the reference data: ontology, vocabularies, NUTS 2021 regions.

    Run it again after upgrading vcgraph: the questions rely on this version's reference graphs.
    """
    from vcgraph.service.ingest import ensure_reference_data

    settings = settings_for(store)
    with opened_store(settings) as st:
        try:
            ensure_reference_data(st, settings)
        except ValueError as exc:  # a broken ontology/, shapes/ or NUTS file of this checkout
            fail(str(exc))
    out.print(f"reference data loaded into {settings.store}")


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="Survey export: the canonical template, or a tool's with --mapping.")],
    wave: Annotated[str, typer.Option("--wave", help="Survey wave id, e.g. 2026-W1.")],
    mapping: Annotated[
        str | None,
        typer.Option(
            "--mapping",
            "-m",
            help="Survey tool mapping: a name in data/mappings/ (google-forms, microsoft-forms, kobotoolbox, "
            "limesurvey, eusurvey) or a YAML path. Without it, FILE is in the canonical template.",
        ),
    ] = None,
    quarantine: Annotated[
        bool, typer.Option("--quarantine", help="Write the valid rows and report the others, instead of rejecting.")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Ingest one survey export as wave WAVE: map to RDF, validate with SHACL, replace the wave atomically.

    With --mapping, FILE is read as that survey tool exports it (Google Forms, Microsoft Forms, KoboToolbox,
    LimeSurvey, EUSurvey); errors still name the row and column of FILE.

    By default a file with any invalid row is rejected whole and nothing is written (exit code 1).
    """
    from vcgraph.mappings.service import ingest_export
    from vcgraph.service.ingest import ingest_survey

    settings = settings_for(store)
    if not file.is_file():
        fail(f"{file}: no such file")
    with opened_store(settings) as st, _progress() as progress:
        task = progress.add_task("ingesting", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            if mapping is None:
                report = ingest_survey(st, settings, file, wave, quarantine=quarantine, progress=advance)
            else:
                report = ingest_export(st, settings, file, mapping, wave, quarantine=quarantine, progress=advance)
        except ValueError as exc:  # bad wave id, mapping or export; or a broken ontology/, shapes/ or NUTS file
            progress.stop()
            fail(str(exc))
    for warning in report.warnings:
        err.print(Text.assemble(("warning:", "yellow"), " ", warning), highlight=False)
    for problem in report.errors:
        err.print(str(problem), highlight=False, markup=False)
    out.print(report.summary(), highlight=False)
    if not report.written:
        raise typer.Exit(1)


@contextmanager
def _progress() -> Iterator[Progress]:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with progress:
        yield progress


def _register_curate() -> None:
    from vcgraph.mappings.cli import curate_command

    app.command(
        "curate",
        help="List the answers of a survey-tool export that match no vocabulary value (a curation sheet to fill), "
        "or, with --apply SHEET, record the analyst's choices as mapping synonyms for the next ingest.",
    )(curate_command)


_register_curate()


def _register_report() -> None:
    from vcgraph.report.cli import report_command

    app.command(
        "report",
        help="Write the roadmap report: a self-contained HTML file (and a PDF with --pdf) with the coverage "
        "heatmap, gaps, convergence, matches, consortia and changes since the previous wave.",
    )(report_command)


_register_report()


@app.command()
def duplicates(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Report to write (CSV) for a curator to confirm.")
    ] = Path("duplicates.csv"),
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.5, max=1.0, help="Name similarity from which a pair is listed.")
    ] = 0.85,
    include_anonymous: Annotated[
        bool,
        typer.Option("--include-anonymous", help="Also pair anonymous actors (the report then holds their names)."),
    ] = False,
    apply: Annotated[
        Path | None, typer.Option("--apply", help="A confirmed report: record its merges and apply them.")
    ] = None,
    curator: Annotated[str | None, typer.Option("--curator", help="Who confirmed the merges (recorded).")] = None,
    store: StoreOption = None,
) -> None:
    """List probable duplicate organisations across waves and tools, or record the merges a curator confirmed.

    Confirmed merges go to data/curation/merges.csv and are applied to the stored waves and every later ingest,
    so one organisation keeps one IRI.
    """
    from vcgraph.curation.duplicates import apply_report, find_duplicates, write_report

    settings = settings_for(store)
    if apply is not None:
        if not apply.is_file():
            fail(f"{apply}: no such file")
        with opened_store(settings) as st:
            try:
                outcomes = apply_report(st, settings, apply, curator=curator)
            except ValueError as exc:
                fail(str(exc), code=1)
        for outcome in outcomes:
            out.print(outcome.text(), highlight=False, markup=False)
        return
    with opened_store(settings, read_only=True) as st:
        candidates = find_duplicates(st, settings, threshold=threshold, include_anonymous=include_anonymous)
    write_report(candidates, output)
    out.print(f"{len(candidates)} probable duplicate pair(s) written to {output}; confirm them, then --apply it")


@app.command()
def validate(
    file: Annotated[
        Path | None, typer.Argument(help="A survey export to check without writing; omit to check the store.")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="text (readable report) or turtle (the SHACL report graph).")
    ] = "text",
    store: StoreOption = None,
) -> None:
    """Validate a survey file (template rules + SHACL) or every wave in the store. Exit code 1 when invalid."""
    from vcgraph.service.validate import validate_file, validate_store

    if format not in ("text", "turtle"):
        fail(f"--format must be text or turtle, not {format!r}")
    settings = settings_for(store)
    try:
        if file is not None:
            if not file.is_file():
                fail(f"{file}: no such file")
            report = validate_file(settings, file)
        else:
            with opened_store(settings, read_only=True) as st:
                report = validate_store(st, settings)
    except ValueError as exc:  # a broken ontology/, shapes/ or NUTS file of this checkout
        fail(str(exc))
    if format == "turtle":
        sys.stdout.write(report.to_turtle())
    else:
        out.print(report.text(), highlight=False, markup=False)
    if not report.conforms:
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    store: StoreOption = None,
) -> None:
    """Serve the SPARQL endpoint (/sparql, YASGUI in a browser), the REST API (/api, docs at /docs) and linked data."""
    from vcgraph.http.server import serve as run_server

    settings = settings_for(store)
    out.print(f"vcgraph {__version__} serving {settings.store} on http://{host}:{port}/sparql (API docs: /docs)")
    try:
        run_server(settings, host, port)
    except StoreError as exc:
        fail(str(exc))


def _parse_params(params: list[str]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            fail(f"--param {item!r}: expected name=value")
        parsed[name.strip()] = value
    return parsed


@app.command()
def query(
    question: Annotated[
        str,
        typer.Argument(help="A named question from queries/ (see --list), a path to a .rq file, or inline SPARQL."),
    ] = "",
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Parameter as name=value (repeatable).")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    limit: Annotated[int | None, typer.Option("--limit", min=0, help="At most this many items.")] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many items.")] = 0,
    lang: Annotated[str, typer.Option("--lang", help="Language of labels: en or fr.")] = "en",
    list_questions_: Annotated[bool, typer.Option("--list", help="List the named questions and exit.")] = False,
    store: StoreOption = None,
) -> None:
    """Answer a question with the same .rq file the REST routes run (or any SPARQL query)."""
    from vcgraph.questions import (
        ParameterProblem,
        QueryRefused,
        QuestionAnswer,
        QuestionNotFound,
        SparqlTable,
        list_questions,
        run_question,
        run_sparql,
    )

    settings = settings_for(store)
    if format not in ("table", "csv", "json"):
        fail(f"--format must be table, csv or json, not {format!r}")
    if list_questions_:
        table = Table("name", "question", "parameters")
        for info in list_questions(settings):
            table.add_row(info.name, info.question, ", ".join(p.name for p in info.parameters))
        out.print(table)
        return
    if not question:
        fail("give a question name, a .rq file or a query (see --list)")
    params = _parse_params(param or [])
    answer: QuestionAnswer | SparqlTable
    with opened_store(settings, read_only=True) as st:
        try:
            if question.endswith(".rq") or "{" in question:
                text = Path(question).read_text(encoding="utf-8") if question.endswith(".rq") else question
                answer = run_sparql(st, settings, text, params, limit=limit, offset=offset)
            else:
                answer = run_question(st, settings, question, params, limit=limit, offset=offset, lang=lang)
        except (ParameterProblem, QuestionNotFound, QueryRefused) as exc:
            fail(str(exc))
        except SyntaxError as exc:
            fail(f"bad SPARQL: {exc}")
        except OSError as exc:
            fail(f"{question}: {exc}")
    if format == "json":
        sys.stdout.write(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) + "\n")
    elif format == "csv":
        sys.stdout.write(answer.to_csv())
    else:
        out.print(answer.to_rich_table())


@app.command()
def stats(
    format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    store: StoreOption = None,
) -> None:
    """Triples per graph, actors, statements and waves in the store."""
    from vcgraph.service.stats import store_stats

    settings = settings_for(store)
    with opened_store(settings, read_only=True) as st:
        figures = store_stats(st, settings)
    if format == "json":
        sys.stdout.write(json.dumps(figures.to_json(), indent=2) + "\n")
        return
    graphs = Table("graph", "triples", title="Graphs")
    for graph, count in figures.triples_per_graph.items():
        graphs.add_row(graph, str(count))
    out.print(graphs)
    waves = Table("wave", "responses", "actors", "statements", title="Waves")
    for wave in figures.waves:
        waves.add_row(wave.wave, str(wave.responses), str(wave.actors), str(wave.statements))
    out.print(waves)
    out.print(f"actors: {figures.actors}   statements: {figures.statements}   triples: {figures.triples}")


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="Output directory (created).")],
    store: StoreOption = None,
) -> None:
    """Publish the public graph for open-data portals: dumps, CSV tables, DCAT-AP catalogue, VoID."""
    from vcgraph.export import ExportError, export_dataset

    settings = settings_for(store)
    with opened_store(settings, read_only=True) as st:
        try:
            report = export_dataset(st, settings, directory)
        except ExportError as exc:
            fail(str(exc))
    out.print(report.summary(), highlight=False)


@app.command()
def backup(
    directory: Annotated[Path, typer.Argument(help="New directory to write the backup into.")],
    store: StoreOption = None,
) -> None:
    """Save a consistent copy of the store (safe while `vcgraph serve` runs) with a checksum per graph."""
    from vcgraph.service.backup import BackupError
    from vcgraph.service.backup import backup as make_backup

    settings = settings_for(store)
    try:
        checksums = make_backup(Path(settings.store), directory)
    except BackupError as exc:
        fail(str(exc))
    out.print(f"backed up {len(checksums)} graphs, {sum(c.triples for c in checksums.values())} triples to {directory}")


@app.command()
def restore(
    directory: Annotated[Path, typer.Argument(help="A directory written by `vcgraph backup`.")],
    store: StoreOption = None,
) -> None:
    """Replace the store by a backup, after checking it against its checksums (stop the service first)."""
    from vcgraph.service.backup import BackupError
    from vcgraph.service.backup import restore as restore_backup

    settings = settings_for(store)
    try:
        checksums = restore_backup(directory, Path(settings.store))
    except BackupError as exc:
        fail(str(exc))
    triples = sum(c.triples for c in checksums.values())
    out.print(f"restored {len(checksums)} graphs, {triples} triples into {settings.store}")


@ontology_app.command("check")
def ontology_check() -> None:
    """Run the project's ontology checks (ROBOT-style report, HermiT consistency, vocabulary rules)."""
    from vcgraph.ontology import check_ontology

    settings = settings_for(None)
    report = check_ontology(settings.ontology_dir, settings.shapes_dir)
    out.print(report.text(), highlight=False, markup=False)
    if not report.passed:
        raise typer.Exit(1)


@ontology_app.command("normalise")
def ontology_normalise(
    source: Annotated[Path, typer.Argument(help="Ontology file (Turtle or RDF/XML, e.g. saved by Protégé).")],
    target: Annotated[Path, typer.Argument(help="Output Turtle file; may be SOURCE itself to rewrite it.")],
) -> None:
    """Write the canonical, diff-friendly Turtle of an ontology file (sorted, stable prefixes).

    Comments of a Turtle source are not kept (RDF has none), which is why TARGET is never implied.
    """
    from vcgraph.ontology import normalise

    if not source.is_file():
        fail(f"{source}: no such file")
    try:
        normalise(source, target)
    except (SyntaxError, ValueError) as exc:
        fail(str(exc))
    out.print(f"wrote {target}")


@ontology_app.command("diff")
def ontology_diff(
    old: Annotated[Path, typer.Argument(help="Older ontology: a file, or a folder of *.ttl.")],
    new: Annotated[Path, typer.Argument(help="Newer ontology: a file, or a folder of *.ttl.")],
) -> None:
    """List the terms added, removed, changed and deprecated between two versions of the ontology."""
    from vcgraph.ontology import diff_ontologies

    for path in (old, new):
        if not path.exists():
            fail(f"{path}: no such file or folder")
    try:
        difference = diff_ontologies(old, new)
    except (SyntaxError, ValueError) as exc:
        fail(str(exc))
    out.print(str(difference), highlight=False, markup=False)


if __name__ == "__main__":  # pragma: no cover
    app()
