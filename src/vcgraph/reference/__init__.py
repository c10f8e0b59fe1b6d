"""Reference data: NUTS regions, ISO countries, the ontology and vocabulary files."""
