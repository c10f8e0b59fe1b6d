"""Running the application with uvicorn (what `vcgraph serve` calls)."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from vcgraph.config import Settings
from vcgraph.http.app import create_app
from vcgraph.http.protocol import header_deadline_protocol
from vcgraph.namespaces import Minter
from vcgraph.service.ingest import stale_reference_graphs
from vcgraph.store.pool import MemoryCopy, PooledStore
from vcgraph.store.port import Store, StoreError, open_store

TIMEOUT_KEEP_ALIVE = 5
"""Seconds an idle keep-alive connection is kept."""

BACKLOG = 1024
"""Connections the kernel queues before they are accepted: above the connection limit, so a burst is not dropped."""

logger = logging.getLogger(__name__)


def open_served_store(settings: Settings) -> Store:
    """The store as the server uses it: an on-disk store behind a :class:`PooledStore` (every query in a
    worker process that is killed at ``settings.query_timeout``, answers cut at ``settings.max_rows``); a remote
    store as is (its own endpoint enforces its limits, the adapter its HTTP timeout).

    Each worker copies the public graphs into memory and answers from the copy once made
    (``settings.memory_copy_quads``).

    Raises :class:`StoreError` for ``:memory:`` (a store of this process alone, which workers cannot share, and
    empty besides) and when the store cannot be opened.
    """
    if settings.store.startswith(("http://", "https://")):
        return open_store(settings.store)
    if settings.store == ":memory:":
        raise StoreError("serve needs an on-disk store (a directory), not :memory:")
    # the graphs no public query reads stay out of the workers' memory copies
    private = Minter(settings.base_iri).private_prefixes()
    copy = MemoryCopy(leave_out=private, max_quads=settings.memory_copy_quads)
    return PooledStore(
        Path(settings.store),
        workers=settings.query_workers,
        query_timeout=settings.query_timeout,
        max_rows=settings.max_rows,
        memory_copy=copy if settings.memory_copy_quads > 0 else None,
    )


def warn_if_reference_data_is_stale(store: Store, settings: Settings) -> None:
    """Log which reference graphs differ from this checkout's, and the command that replaces them.

    A warning, not a refusal: the store stays readable (its waves, the SPARQL endpoint), and an operator may be
    serving it on purpose before running ``vcgraph init``; but questions may answer with too little until then.
    """
    try:
        stale = stale_reference_graphs(store, settings)
    except StoreError as exc:  # a remote store not up yet: serve anyway, as before; its queries will say so
        logger.warning("could not compare the store's reference graphs with this version's: %s", exc)
        return
    if stale:
        logger.warning(
            "the store's reference graphs %s differ from this version's ontology/ and NUTS list: questions may "
            "answer with too little (e.g. no region's actors) until `vcgraph init --store %s` replaces them",
            ", ".join(g.value for g in stale),
            settings.store,
        )


def serve(settings: Settings, host: str, port: int) -> None:
    """Open the store, serve it on ``host:port`` until interrupted, then close it (and its query workers).

    Raises :class:`vcgraph.store.port.StoreError` when the store cannot be opened (e.g. another process
    holds it).
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    store = open_served_store(settings)
    try:
        warn_if_reference_data_is_stale(store, settings)
        config = uvicorn.Config(
            create_app(settings, store),
            host=host,
            port=port,
            http=header_deadline_protocol(settings.header_timeout),
            # Named, not "auto": with uvloop installed, "auto" picks it, and under 4x overload on this 2-core
            # machine uvloop left some connections unanswered for seconds (wrk timeouts) where asyncio's loop
            # served every one within 200 ms (bench/load.py).
            loop="asyncio",
            timeout_keep_alive=TIMEOUT_KEEP_ALIVE,
            limit_concurrency=settings.max_connections,
            backlog=BACKLOG,
            proxy_headers=False,
            server_header=False,
            log_level="info",
        )
        uvicorn.Server(config).run()
    finally:
        store.close()
