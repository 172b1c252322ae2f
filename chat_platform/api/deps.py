"""Request dependencies of the resident API: the worker's resident services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..resident_services import ResidentServices


def resident_services_of(request: Request) -> ResidentServices:
    services = request.app.state.services
    if not isinstance(services, ResidentServices):  # a worker built without the resident API
        raise TypeError("this app serves no residents: build it with public=True")
    return services


async def get_resident_services(request: Request) -> ResidentServices:  # async: no thread hop
    return resident_services_of(request)


ResidentServicesDep = Annotated[ResidentServices, Depends(get_resident_services)]
