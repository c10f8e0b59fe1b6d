"""Settings read from the environment, in one place, so every entry point agrees on them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

DefaultGraphMode = Literal["union", "standard"]

DEFAULT_BASE_IRI = "https://w3id.org/vcgraph/"
DEFAULT_STORE = "var/store"


def project_root() -> Path:
    """The checkout that holds ontology/, shapes/, queries/ and data/ (overridable by VCGRAPH_HOME)."""
    env = os.environ.get("VCGRAPH_HOME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    """What a deployment chooses. Read with :func:`load_settings`; pass explicitly everywhere else."""

    store: str = DEFAULT_STORE
    base_iri: str = DEFAULT_BASE_IRI
    default_graph: DefaultGraphMode = "union"
    admin_token: str | None = None
    home: Path = field(default_factory=project_root)

    @property
    def ontology_dir(self) -> Path:
        return self.home / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.home / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.home / "queries"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"


def load_settings(store: str | None = None) -> Settings:
    """Settings from VCGRAPH_* environment variables; an explicit ``store`` (``--store``) wins."""
    base = os.environ.get("VCGRAPH_BASE_IRI", DEFAULT_BASE_IRI)
    if not base.startswith(("http://", "https://")) or "#" in base:
        # Minted IRIs must dereference over HTTP (/id/...), which a fragment or another scheme cannot.
        raise ValueError(f"VCGRAPH_BASE_IRI must be an http(s) IRI without '#', not {base!r}")
    if not base.endswith("/"):
        base += "/"
    mode = os.environ.get("VCGRAPH_DEFAULT_GRAPH", "union")
    if mode not in ("union", "standard"):
        raise ValueError(f"VCGRAPH_DEFAULT_GRAPH must be 'union' or 'standard', not {mode!r}")
    return Settings(
        store=store or os.environ.get("VCGRAPH_STORE", DEFAULT_STORE),
        base_iri=base,
        default_graph=mode,  # type: ignore[arg-type]
        admin_token=os.environ.get("VCGRAPH_ADMIN_TOKEN") or None,
    )
