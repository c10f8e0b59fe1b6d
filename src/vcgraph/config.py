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
    # Protection of a public endpoint (issue "stay up, lose nothing, let no one in"): every query from outside is
    # stopped at `query_timeout` seconds, answers are cut at `max_rows` rows (with an explicit marker), query texts
    # over `max_query_bytes` and uploads over `max_upload_bytes` are refused, at most `max_concurrent` requests run
    # at once (the rest get a fast 503), and `DROP ALL`/`CLEAR ALL` need `allow_destructive`.
    query_timeout: float = 30.0
    max_rows: int = 100_000
    # The rows a question's own query may read before its answer is cut (and marked): those rows are shaped into
    # the answer, not sent. At 1M triples matchmaking-needs read 489,312 (one per need, candidate and matching
    # statement) before its rows were factorised (12k now); cut at `max_rows`, it was never complete.
    # matchmaking-mutual read one row per pair, direction, need and offer before it too listed its regions' needs
    # and offers (75k rows at 50,000 organisations). Rows took ~1.5 KB each in the server while they were shaped
    # (740 MB for 489k), and as much in the query worker: 1M rows keeps one such answer near 1.5 GB a side.
    question_max_rows: int = 1_000_000
    max_query_bytes: int = 100_000
    max_upload_bytes: int = 50 * 1024 * 1024
    max_concurrent: int = 16
    query_workers: int = 2
    # Each query worker copies the public graphs into memory (when they hold at most this many quads together) and
    # answers from the copy: 4-6x faster than the on-disk store, 2-2.5x more over the union of the copy's graphs.
    # Costs each worker about the store's size in memory, and a rebuild in the background after each write. 0: off.
    memory_copy_quads: int = 5_000_000
    allow_destructive: bool = False
    # A client gets `body_timeout` seconds to send its whole request body (408 after): one that sends its headers
    # and then trickles or withholds the body would otherwise hold one of the `max_concurrent` slots.
    body_timeout: float = 60.0
    # ... and `header_timeout` seconds to send its request line and headers, from the moment it connects or starts
    # its next request (408 and closed after); uvicorn has no such deadline, and a connection trickling its headers
    # counts against the server's connection limit for ever.
    header_timeout: float = 10.0
    # Open connections beyond which uvicorn answers 503 to every request on every connection (its
    # `limit_concurrency` counts connections, idle keep-alive ones included, not requests): a backstop against
    # connection floods only, far above `max_concurrent`, which bounds the requests in flight and refuses only the
    # excess; idle and slow connections are closed by the keep-alive and header deadlines. At 64, 128 well-behaved
    # keep-alive clients got nothing but 503s (bench/load.py, overload run).
    max_connections: int = 512
    # Answers are reused until the store is written (vcgraph.service.cache): at most `cache_entries` of them and
    # about `cache_bytes` bytes (256 MiB: at 1M triples the rendered pages and whole answers of the main questions
    # take ~60 MiB, one whole matchmaking answer ~150 MiB); either at 0 turns the cache off. A store whose writes
    # we cannot see (remote) is cached only when `cache_ttl` > 0, and its answers may then be up to that many
    # seconds old.
    cache_entries: int = 1024
    cache_bytes: int = 256 * 1024 * 1024
    cache_ttl: float = 0.0

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


def _number(name: str, default: float, *, minimum: float, integer: bool = False) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a {'whole ' if integer else ''}number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def _flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{name} must be true or false, not {raw!r}")


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
        query_timeout=_number("VCGRAPH_QUERY_TIMEOUT", 30.0, minimum=0.1),
        max_rows=int(_number("VCGRAPH_MAX_ROWS", 100_000, minimum=1, integer=True)),
        question_max_rows=int(_number("VCGRAPH_QUESTION_MAX_ROWS", 1_000_000, minimum=1, integer=True)),
        max_query_bytes=int(_number("VCGRAPH_MAX_QUERY_BYTES", 100_000, minimum=64, integer=True)),
        max_upload_bytes=int(_number("VCGRAPH_MAX_UPLOAD_BYTES", 50 * 1024 * 1024, minimum=1024, integer=True)),
        max_concurrent=int(_number("VCGRAPH_MAX_CONCURRENT", 16, minimum=1, integer=True)),
        query_workers=int(_number("VCGRAPH_QUERY_WORKERS", 2, minimum=1, integer=True)),
        memory_copy_quads=int(_number("VCGRAPH_MEMORY_COPY_QUADS", 5_000_000, minimum=0, integer=True)),
        allow_destructive=_flag("VCGRAPH_ALLOW_DESTRUCTIVE"),
        body_timeout=_number("VCGRAPH_BODY_TIMEOUT", 60.0, minimum=0.1),
        header_timeout=_number("VCGRAPH_HEADER_TIMEOUT", 10.0, minimum=0.1),
        max_connections=int(_number("VCGRAPH_MAX_CONNECTIONS", 512, minimum=2, integer=True)),
        cache_entries=int(_number("VCGRAPH_CACHE_ENTRIES", 1024, minimum=0, integer=True)),
        cache_bytes=int(_number("VCGRAPH_CACHE_BYTES", 256 * 1024 * 1024, minimum=0, integer=True)),
        cache_ttl=_number("VCGRAPH_CACHE_TTL", 0.0, minimum=0.0),
    )
