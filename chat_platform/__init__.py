"""The resident-facing service: chat API, channels (REST, LINE, widget), sessions and storage."""
