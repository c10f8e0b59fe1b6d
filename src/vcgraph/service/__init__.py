"""Service layer: the use cases (ingest, validate, questions, stats...) the CLI and the HTTP routes both call."""
