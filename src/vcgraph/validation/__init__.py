"""SHACL validation of wave graphs."""
