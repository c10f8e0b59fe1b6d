"""Maintainers' tooling for the vcgraph ontology and vocabularies: checks, canonical Turtle, release diffs.

Pure functions, no command line: the ``vcgraph ontology`` commands call these.
"""

from vcgraph.ontology._rdf import OntologyFileError
from vcgraph.ontology.checks import check_ontology, fold_label
from vcgraph.ontology.diff import DeprecatedTerm, OntologyDiff, Term, diff_ontologies
from vcgraph.ontology.normalise import normalise
from vcgraph.ontology.report import CheckReport, Finding, Severity

__all__ = [
    "CheckReport",
    "DeprecatedTerm",
    "Finding",
    "OntologyDiff",
    "OntologyFileError",
    "Severity",
    "Term",
    "check_ontology",
    "diff_ontologies",
    "fold_label",
    "normalise",
]
