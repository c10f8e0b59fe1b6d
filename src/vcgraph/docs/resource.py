"""The HTML page of one dereferenced resource: its statements with the graph each comes from, and its referrers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pyoxigraph import NamedNode

from vcgraph.docs.html import UI, Labels, Linker, Term, compact, link, page, render_term
from vcgraph.namespaces import RDF


@dataclass(frozen=True)
class Statement:
    """One triple about (or pointing to) the resource, with the named graph that states it (its provenance)."""

    graph: str
    subject: str
    predicate: str
    object: Term


def graph_cell(graph: str, base_iri: str, labels: Labels, linker: Linker) -> str:
    """A wave graph links to its wave (whose page says when and how it was collected); others show their name."""
    wave_graphs = base_iri + "graph/wave/"
    if graph.startswith(wave_graphs):
        return link(f"{base_iri}id/wave/{graph[len(wave_graphs):]}", labels, linker)
    return f"<code>{escape(graph)}</code>"


def render_resource(
    iri: str,
    outgoing: Sequence[Statement],
    incoming: Sequence[Statement],
    labels: Labels,
    linker: Linker,
    *,
    base_iri: str,
    alternates: Sequence[tuple[str, str]],
) -> str:
    ui = UI[labels.language]
    title = labels.get(iri) or compact(iri)
    types = sorted(
        {s.object.value for s in outgoing if s.predicate == RDF + "type" and isinstance(s.object, NamedNode)}
    )
    parts = [
        f"<h1>{escape(title)}</h1>",
        f"<p>{ui['iri']}: <code>{escape(iri)}</code></p>",
    ]
    if types:
        parts.append(f"<p>{ui['type']}: " + ", ".join(link(t, labels, linker) for t in types) + "</p>")
    formats = " ".join(f'<a href="{escape(href, quote=True)}">{escape(name)}</a>' for name, href in alternates)
    other = "fr" if labels.language == "en" else "en"
    switch = f'<a href="?lang={other}">{"Français" if other == "fr" else "English"}</a>'
    parts.append(f"<nav>{switch} {ui['formats']}: {formats}</nav>")

    rows = [
        f"<tr><td>{link(s.predicate, labels, linker)}</td><td>{render_term(s.object, labels, linker)}</td>"
        f"<td>{graph_cell(s.graph, base_iri, labels, linker)}</td></tr>"
        for s in outgoing
    ]
    parts.append(
        f"<section><h2>{ui['statements']}</h2><table><thead><tr><th>{ui['property']}</th><th>{ui['value']}</th>"
        f"<th>{ui['source']}</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )
    if incoming:
        rows = [
            f"<tr><td>{link(s.subject, labels, linker)}</td><td>{link(s.predicate, labels, linker)}</td>"
            f"<td>{graph_cell(s.graph, base_iri, labels, linker)}</td></tr>"
            for s in incoming
        ]
        parts.append(
            f"<section><h2>{ui['referenced_by']}</h2><table><thead><tr><th>{ui['subject']}</th>"
            f"<th>{ui['property']}</th><th>{ui['source']}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            "</section>"
        )
    return page(title, "\n".join(parts), labels.language)
