"""HTTP entry points: the SPARQL protocol, the REST questions, linked data. Thin shells over the services."""
