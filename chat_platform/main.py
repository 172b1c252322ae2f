"""Entry point for uvicorn workers: ``uvicorn --factory chat_platform.main:create_from_env``."""

from __future__ import annotations

from fastapi import FastAPI

from .app import create_app
from .settings import Settings


def create_from_env() -> FastAPI:
    return create_app(Settings.from_env())
