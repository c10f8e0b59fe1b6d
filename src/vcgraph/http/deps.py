"""The store and the settings of the running app: as FastAPI dependencies (``get_*``) and as plain reads (``*_of``).

The dependencies are ``async`` although they wait for nothing: FastAPI runs a plain ``def`` dependency in its
thread pool, a hand-off to another thread and back on every request for what is an attribute read.
"""

from __future__ import annotations

from fastapi import Request

from vcgraph.config import Settings
from vcgraph.store.port import Store


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> Store:
    return store_of(request)


async def get_settings(request: Request) -> Settings:
    return settings_of(request)
