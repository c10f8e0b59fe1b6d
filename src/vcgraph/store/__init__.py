"""The store step: one :class:`Store` port, adapters behind it, and :func:`open_store` to pick one."""

from vcgraph.store.port import Dataset, QueryOutcome, Store, StoreError, open_store

__all__ = ["Dataset", "QueryOutcome", "Store", "StoreError", "open_store"]
