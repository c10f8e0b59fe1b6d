"""Running the application with uvicorn (what `vcgraph serve` calls)."""

from __future__ import annotations

import logging

import uvicorn

from vcgraph.config import Settings
from vcgraph.http.app import create_app
from vcgraph.store.port import open_store

TIMEOUT_KEEP_ALIVE = 5
"""Seconds an idle keep-alive connection is kept."""

LIMIT_CONCURRENCY = 64
"""Connections served at once; beyond, uvicorn answers 503 rather than queueing without bound."""

BACKLOG = 128


def serve(settings: Settings, host: str, port: int) -> None:
    """Open the store, serve it on ``host:port`` until interrupted, then close it.

    Raises :class:`vcgraph.store.port.StoreError` when the store cannot be opened (e.g. another process
    holds it).
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    store = open_store(settings.store)
    try:
        config = uvicorn.Config(
            create_app(settings, store),
            host=host,
            port=port,
            timeout_keep_alive=TIMEOUT_KEEP_ALIVE,
            limit_concurrency=LIMIT_CONCURRENCY,
            backlog=BACKLOG,
            proxy_headers=False,
            server_header=False,
            log_level="info",
        )
        uvicorn.Server(config).run()
    finally:
        store.close()
