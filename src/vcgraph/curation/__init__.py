"""Curation of the ingested data: probable duplicate organisations, and the merges a curator confirmed."""
