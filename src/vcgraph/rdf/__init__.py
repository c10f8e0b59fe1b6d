"""Survey records to RDF triples (docs/model.md)."""
