"""The YASGUI page a browser gets at /sparql: served from the package, no CDN, examples from ``queries/*.rq``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

EDITOR_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
"""The page may load and query only this server: a browser refuses any other origin, CDN or API."""


@dataclass(frozen=True)
class Example:
    title: str
    query: str


def example_title(path: Path, text: str) -> str:
    """The title of a query file: its ``# title:`` header line (the convention of ``queries/``), else its first
    comment line, else its file name."""
    header: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        comment = stripped.lstrip("#").strip()
        if comment:
            header.append(comment)
    for comment in header:
        key, separator, value = comment.partition(":")
        if separator and key.strip().lower() == "title" and value.strip():
            return value.strip()
    return header[0] if header else path.stem.replace("-", " ").replace("_", " ")


def load_examples(queries_dir: Path) -> list[Example]:
    """The example queries, sorted by file name; an absent folder gives none."""
    if not queries_dir.is_dir():
        return []
    examples = []
    for path in sorted(queries_dir.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        examples.append(Example(example_title(path, text), text))
    return examples


def editor_page(endpoint_path: str, static_path: str, examples: list[Example]) -> str:
    """The HTML page; ``endpoint_path`` and ``static_path`` are paths on this server (no host)."""
    config = json.dumps(
        {"endpoint": endpoint_path, "examples": [{"title": e.title, "query": e.query} for e in examples]}
    )
    # JSON inside <script> must not be able to close the element.
    config = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    static = escape(static_path.rstrip("/"), quote=True)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vcgraph SPARQL editor</title>
<link rel="stylesheet" href="{static}/yasgui/yasgui.min.css">
<style>
body {{ font-family: system-ui, sans-serif; margin: 0 1rem; }}
header {{ display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; }}
</style>
</head>
<body>
<header>
<h1>vcgraph SPARQL endpoint</h1>
<label>Example queries <select id="examples"><option value="">choose one...</option></select></label>
<small>their <code>$name</code> variables are the parameters of the REST questions: bind them or leave them free</small>
<a href="{escape(endpoint_path, quote=True)}?query=ASK%7B%7D">protocol</a>
<a href="/docs">REST API</a>
</header>
<div id="yasgui"></div>
<script id="vcgraph-editor-config" type="application/json">{config}</script>
<script src="{static}/yasgui/yasgui.min.js"></script>
<script src="{static}/yasgui/editor.js"></script>
</body>
</html>
"""
