"""Benchmark: a 10,000-row survey-tool export through its mapping and the template ingest.

    python bench/ingest_tools.py [--rows 10000] [--tool google-forms|kobotoolbox|limesurvey]

Writes a synthetic export of the sample questionnaire (``data/samples/questionnaire.py``): the ten sample answers
repeated as distinct organisations (one response per organisation and wave), in the chosen tool's format, into a
temporary directory; then times reading + mapping (``map_export``) and the whole ``ingest_export`` (mapping,
template checks, RDF, SHACL, atomic write) into a fresh on-disk store. Peak memory is the process's maximum
resident set size (``ru_maxrss``), which includes the interpreter and everything loaded. Target (issue 4):
under 20 s and under 1 GB for 10,000 rows on the 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "data" / "samples"))

import make_samples  # noqa: E402
from questionnaire import ANSWERS, Answer  # noqa: E402

from vcgraph.config import Settings  # noqa: E402
from vcgraph.mappings.service import ingest_export, load_vocabularies, map_export  # noqa: E402
from vcgraph.store import open_store  # noqa: E402

WRITERS = {
    "google-forms": (make_samples.google_rows, ",", "\r\n"),
    "kobotoolbox": (make_samples.kobo_rows, ";", "\n"),
    "limesurvey": (make_samples.lime_rows, ",", "\n"),
}


def synthetic_answers(count: int) -> list[Answer]:
    """``count`` distinct organisations answering like the ten samples (names and ids made unique)."""
    answers = []
    for index in range(count):
        base = ANSWERS[index % len(ANSWERS)]
        answers.append(
            dataclasses.replace(
                base,
                organisation=f"{base.organisation} {index:05d}",
                organisation_id=f"BE{index:010d}" if base.organisation_id else "",
            )
        )
    return answers


def write_export(tool: str, rows: int, target: Path) -> Path:
    make_rows, delimiter, newline = WRITERS[tool]
    header, records = make_rows(synthetic_answers(rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    for record in records:
        writer.writerow([record.get(column, "") for column in header])
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--tool", choices=sorted(WRITERS), default="google-forms")
    parser.add_argument("--map-only", action="store_true", help="Time reading + mapping only (no template ingest).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vcgraph-bench-") as folder:
        export = write_export(args.tool, args.rows, Path(folder) / f"{args.tool}.csv")
        settings = Settings(store=str(Path(folder) / "store"))
        vocabularies = load_vocabularies(settings)
        started = time.perf_counter()
        mapped = map_export(export, args.tool, settings, vocabularies=vocabularies)
        mapping_seconds = time.perf_counter() - started
        assert not mapped.result.problems, mapped.result.problems[:3]
        if args.map_only:
            print(
                f"tool: {args.tool}; rows: {args.rows}; read + map: {mapping_seconds:.2f} s "
                f"({mapping_seconds / args.rows * 1000:.2f} s per 1,000 rows); peak RSS: {peak_mb():.0f} MB"
            )
            return 0
        store = open_store(settings.store)
        try:
            started = time.perf_counter()
            report = ingest_export(store, settings, export, args.tool, "bench")
            total_seconds = time.perf_counter() - started
        finally:
            store.close()
    if not report.written:
        print(report.text(), file=sys.stderr)
        return 1
    per_thousand = total_seconds / args.rows * 1000
    print(f"tool: {args.tool}; rows: {args.rows}; export: {export.name}")
    print(f"read + map: {mapping_seconds:.2f} s ({mapping_seconds / args.rows * 1000:.2f} s per 1,000 rows)")
    print(
        f"ingest_export (map + template + RDF + SHACL + write): {total_seconds:.2f} s "
        f"({per_thousand:.2f} s per 1,000 rows)"
    )
    print(f"triples written: {report.triples_written}; peak RSS: {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
