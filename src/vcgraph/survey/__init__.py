"""Reading survey exports and checking them against the canonical template."""
