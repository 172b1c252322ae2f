"""Entry point for uvicorn workers: ``uvicorn --factory chat_platform.main:create_from_env``."""

from __future__ import annotations

from fastapi import FastAPI

from .app import create_app
from .settings import Settings


def create_from_env() -> FastAPI:
    settings = Settings.from_env()
    return create_app(settings, public=settings.public_enabled, admin=settings.admin_enabled)
