"""The YASGUI page's example list: titles from query headers, and a config block that cannot break out."""

from __future__ import annotations

import json
import re
from pathlib import Path

from vcgraph.config import project_root
from vcgraph.http.editor import Example, editor_page, example_title, load_examples


def test_the_title_header_line_names_an_example() -> None:
    text = "# id: gaps-stages\n# title: Stages nobody offers\nSELECT * {}\n"
    assert example_title(Path("gaps-stages.rq"), text) == "Stages nobody offers"


def test_without_a_title_line_the_first_comment_names_it() -> None:
    assert example_title(Path("x.rq"), "\n#  Who offers what\n# more\nSELECT * {}") == "Who offers what"


def test_without_any_header_the_file_name_names_it() -> None:
    assert example_title(Path("who_offers-what.rq"), "SELECT * {}\n# late comment") == "who offers what"


def test_every_project_query_gets_its_header_title() -> None:
    examples = load_examples(project_root() / "queries")
    assert examples, "queries/ holds the project's example queries"
    assert all(example.title and not example.title.startswith("id:") for example in examples)


def test_a_missing_queries_folder_gives_no_examples(tmp_path: Path) -> None:
    assert load_examples(tmp_path / "absent") == []


def test_the_config_block_survives_script_closing_text() -> None:
    page = editor_page("/sparql", "/static", [Example("</script><script>alert(1)</script>", "SELECT * {} # </script>")])
    block = re.search(r'<script id="vcgraph-editor-config" type="application/json">(.*?)</script>', page, re.S)
    assert block is not None
    assert json.loads(block.group(1))["examples"][0]["title"] == "</script><script>alert(1)</script>"
    assert "alert(1)</script>" not in block.group(1)
