"""Request dependencies: the worker's services and the client's address."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..services import Services


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_services(request: Request) -> Services:  # async: a sync dependency costs a thread hop
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
