"""Admin API endpoints."""
