"""The cache settings read from VCGRAPH_CACHE_* (vcgraph.config.load_settings)."""

from __future__ import annotations

import pytest

from vcgraph.config import load_settings


def test_the_cache_is_on_by_default_and_remote_stores_are_not_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("VCGRAPH_CACHE_ENTRIES", "VCGRAPH_CACHE_BYTES", "VCGRAPH_CACHE_TTL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.cache_entries > 0 and settings.cache_bytes > 0
    assert settings.cache_ttl == 0.0


def test_cache_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCGRAPH_CACHE_ENTRIES", "0")
    monkeypatch.setenv("VCGRAPH_CACHE_BYTES", "4096")
    monkeypatch.setenv("VCGRAPH_CACHE_TTL", "2.5")
    settings = load_settings()
    assert (settings.cache_entries, settings.cache_bytes, settings.cache_ttl) == (0, 4096, 2.5)


@pytest.mark.parametrize(("name", "value"), [("VCGRAPH_CACHE_ENTRIES", "-1"), ("VCGRAPH_CACHE_BYTES", "lots")])
def test_a_bad_cache_setting_is_refused_by_name(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        load_settings()
