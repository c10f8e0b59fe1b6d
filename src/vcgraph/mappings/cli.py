"""``vcgraph curate``: the command of the curation loop, ready to be registered on the main typer app.

``app.command("curate")(curate_command)`` in :mod:`vcgraph.cli`. Two forms:

* ``vcgraph curate FILE --mapping NAME|PATH [--out SHEET]``: write the curation sheet (CSV, or XLSX when SHEET
  ends in ``.xlsx``; default ``<FILE stem>.curation.csv`` in the current directory);
* ``vcgraph curate --apply SHEET``: record the filled choices as synonyms in the mapping's overlay.

Mistakes (unknown mapping, unreadable file, invalid choice) end with a message and exit code 2, no traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from vcgraph.config import load_settings
from vcgraph.mappings.curation import apply_curation, curate, write_sheet

# markup off and no hard wrap: see vcgraph.cli (messages name user columns such as "Q5[other]")
_out = Console(markup=False, soft_wrap=True)
_err = Console(stderr=True, markup=False, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    _err.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False)
    raise typer.Exit(2)


def curate_command(
    file: Annotated[Path | None, typer.Argument(help="A survey-tool export to list the unmatched answers of.")] = None,
    mapping: Annotated[
        str | None, typer.Option("--mapping", "-m", help="Mapping name (data/mappings/NAME.yaml) or YAML path.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Sheet to write: .csv or .xlsx.")] = None,
    apply: Annotated[
        Path | None, typer.Option("--apply", help="A filled curation sheet to record as mapping synonyms.")
    ] = None,
) -> None:
    """List the answers that match no vocabulary value, or record an analyst's choices for them."""
    try:
        settings = load_settings()
        if apply is not None:
            if file is not None or mapping is not None:
                _fail("--apply SHEET takes no FILE or --mapping: the sheet names its mapping")
            if not apply.is_file():
                _fail(f"{apply}: no such file")
            outcome = apply_curation(apply, settings)
            _out.print(outcome.text(), highlight=False)
            return
        if file is None or mapping is None:
            _fail("give FILE and --mapping to write a curation sheet, or --apply SHEET")
        if not file.is_file():
            _fail(f"{file}: no such file")
        sheet = curate(file, mapping, settings)
        target = write_sheet(sheet, out or Path(f"{file.stem}.curation.csv"))
    except ValueError as exc:  # MappingError, ExportReadError, CurationError, VocabularyError: the user's to fix
        _fail(str(exc))
    total = sum(entry.count for entry in sheet.entries)
    _out.print(
        f"{len(sheet.entries)} distinct unmatched answer(s) ({total} in all) written to {target}; fill "
        f"chosen_value, then run `vcgraph curate --apply {target}`",
        highlight=False,
    )
