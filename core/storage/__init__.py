"""Storage: the shared schema (every table), connections and migrations."""
