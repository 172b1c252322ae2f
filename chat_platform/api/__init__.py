"""HTTP routes of the resident service."""
