"""The app a worker runs: the resident service, the admin, or both, on the core."""

from __future__ import annotations

from fastapi import FastAPI

from admin.projects import registry_hooks
from admin.router import admin_part
from chat_platform.app import resident_part
from chat_platform.resident_services import ResidentServices
from core.services import Services
from core.settings import Settings
from core.web.app import AppPart, build_app


def start_services(settings: Settings, public: bool = True) -> Services:
    """Start a worker's services: with the resident service's chat and batcher when it serves
    residents, and the admin's registry in every case (it records each bot as a project)."""
    kind = ResidentServices if public else Services
    return kind.start(settings, registry_hooks())


def create_app(
    settings: Settings | None = None,
    services: Services | None = None,
    watch: bool = True,
    public: bool = True,
    admin: bool | None = None,
    allow_simulation: bool = False,
) -> FastAPI:
    """Build the app. Given ``services`` (tests), it is used as is; otherwise started from ``settings``.

    ``public`` serves the resident API and widget; ``admin`` the admin API and dashboard (default:
    the ``admin_enabled`` setting). Production runs them as two services, ``make run`` as one.
    """
    settings = settings or (services.settings if services else Settings.from_env())
    parts: list[AppPart] = []
    if public:
        parts.append(resident_part(allow_simulation))
    if settings.admin_enabled if admin is None else admin:
        parts.append(admin_part())
    return build_app(
        settings,
        parts,
        start=lambda: start_services(settings, public),
        services=services,
        watch=watch,
        title="Madoguchi resident API",
        description="Chat with Osaka Prefecture's bots: the widget API, Rasa-compatible channels and parse.",
    )


def create_from_env() -> FastAPI:
    """Entry point for uvicorn workers: ``uvicorn --factory madoguchi.app:create_from_env``."""
    settings = Settings.from_env()
    return create_app(settings, public=settings.public_enabled, admin=settings.admin_enabled)
