"""FastAPI dependencies shared by every router: the store and the settings of the running app."""

from __future__ import annotations

from fastapi import Request

from vcgraph.config import Settings
from vcgraph.store.port import Store


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
