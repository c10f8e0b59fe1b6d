"""HermiT (through owlready2) on a local copy of the ontology: is it consistent, is every class satisfiable?"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Triple, serialize

from vcgraph.namespaces import OWL

_OWL_IMPORTS = NamedNode(OWL + "imports")
_OWL_NOTHING = OWL + "Nothing"


class ReasonerError(RuntimeError):
    """HermiT could not run (no usable java, or it rejected the input)."""


@dataclass(frozen=True)
class ReasonerResult:
    consistent: bool
    unsatisfiable: list[str]


def run_hermit(triples: Iterable[Triple], java: str) -> ReasonerResult:
    """Classify ``triples`` with HermiT; ``java`` is the java executable owlready2 starts.

    owlready2 follows owl:imports over the network, so the reasoner gets an N-Triples copy without them: the
    check must work offline, and the vcgraph ontology imports nothing anyway.
    """
    import owlready2  # imported here: loading owlready2 costs a second and only this check needs it

    owlready2.JAVA_EXE = java
    kept = [triple for triple in triples if triple.predicate != _OWL_IMPORTS]
    with tempfile.TemporaryDirectory(prefix="vcgraph-reasoner-") as folder:
        copy = Path(folder) / "ontology.nt"
        serialize(kept, output=str(copy), format=RdfFormat.N_TRIPLES)
        world = owlready2.World()
        try:
            try:
                world.get_ontology(copy.as_uri()).load()
                owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
            except owlready2.OwlReadyInconsistentOntologyError:
                return ReasonerResult(consistent=False, unsatisfiable=[])
            except (owlready2.OwlReadyJavaError, owlready2.OwlReadyOntologyParsingError, OSError) as error:
                raise ReasonerError(" ".join(str(error).split())[-400:]) from None
            unsatisfiable = sorted(
                cls.iri for cls in world.inconsistent_classes() if cls.iri != _OWL_NOTHING
            )
        finally:
            world.close()
    return ReasonerResult(consistent=True, unsatisfiable=unsatisfiable)
