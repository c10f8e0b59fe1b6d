"""vcgraph: a knowledge graph of the European healthcare biomanufacturing value chain."""

__version__ = "0.1.0"
