"""SPARQL text handling that needs no engine: lexing, safe parameter binding, the outbound-fetch guard."""
