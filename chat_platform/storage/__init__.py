"""Storage: the shared schema, connections and migrations."""
