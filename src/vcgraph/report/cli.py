"""``vcgraph report OUT.html [--pdf]``: the command, ready to be registered on the main typer app.

``app.command("report", help=...)(report_command)`` in :mod:`vcgraph.cli`. Mistakes (unknown wave or region, a
store another process holds, no Chromium for ``--pdf``) end with a message and exit code 2, no traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from vcgraph.config import load_settings
from vcgraph.report.build import LANGUAGES, ReportError, build_report
from vcgraph.store import StoreError, open_store

# markup off and no hard wrap: see vcgraph.cli (messages name user columns such as "Q5[other]")
_out = Console(markup=False, soft_wrap=True)
_err = Console(stderr=True, markup=False, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    _err.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False)
    raise typer.Exit(2)


def _codes(text: str | None) -> list[str] | None:
    return [code.strip() for code in text.split(",") if code.strip()] if text else None


def report_command(
    out: Annotated[Path, typer.Argument(help="The HTML file to write (self-contained).")],
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print OUT with suffix .pdf (needs headless Chromium).")
    ] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language of the report: en or fr.")] = "en",
    wave: Annotated[str | None, typer.Option("--wave", help="Survey wave to report on; default the latest.")] = None,
    regions: Annotated[
        str | None,
        typer.Option("--regions", help="Comma-separated NUTS codes; default the level-1 regions where actors are."),
    ] = None,
    product_classes: Annotated[
        str | None,
        typer.Option("--product-classes", help="Priority product classes (P05,P08); default those needs name most."),
    ] = None,
    store: Annotated[str | None, typer.Option("--store", help="Store directory (default VCGRAPH_STORE).")] = None,
) -> None:
    """Write the roadmap report of the graph: coverage, gaps, convergence, matches, consortia, changes."""
    if lang not in LANGUAGES:
        _fail(f"--lang: unsupported language {lang!r}; allowed: {', '.join(LANGUAGES)}")
    try:
        settings = load_settings(store)
    except ValueError as exc:
        _fail(str(exc))
    try:
        opened = open_store(settings.store, read_only=True)
    except StoreError as exc:
        hint = " (is `vcgraph serve` using it? stop it or pass another --store)" if "lock" in str(exc).lower() else ""
        _fail(f"{exc}{hint}")
    try:
        info = build_report(
            opened,
            settings,
            out,
            pdf=pdf,
            lang=lang,
            wave=wave,
            regions=_codes(regions),
            priority_classes=_codes(product_classes),
        )
    except ReportError as exc:
        _fail(str(exc))
    finally:
        opened.close()
    written = f"{info.html}" + (f" and {info.pdf}" if info.pdf else "")
    _out.print(
        f"report of wave {info.wave} ({', '.join(info.regions)}) written to {written}",
        highlight=False,
    )
