"""The resident service's own queries on the shared schema: turns, conversations, rate counters."""
