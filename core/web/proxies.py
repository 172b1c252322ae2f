"""The client's address behind a load balancer: ``X-Forwarded-For``, believed only from trusted proxies.

Rate limits count per client address. Behind a remote load balancer every request comes from the
balancer, so all residents would share one limit; but a header anyone can send must not choose the
address either. With ``MADOGUCHI_TRUSTED_PROXIES`` (IPs or CIDRs), a request whose direct peer is
one of them is counted against the rightmost address in ``X-Forwarded-For`` that is not a trusted
proxy (each proxy appends the address it got the request from, so that one was written by a proxy
we trust; everything left of it may be made up). From any other peer, and by default, the header
is ignored. This pure ASGI middleware rewrites ``scope["client"]``, so every part of the
application sees the same address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``10.0.0.5`` or ``10.0.0.0/8`` each; raises ValueError naming the setting and the bad value."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(
                f"MADOGUCHI_TRUSTED_PROXIES: {value!r} is not an IP address or CIDR (e.g. 10.0.0.0/8, 192.0.2.7)"
            ) from exc
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, networks: tuple[Network, ...]
) -> bool:
    return address is not None and any(address.version == n.version and address in n for n in networks)


def client_of(peer: str, forwarded_for: Iterable[str], networks: tuple[Network, ...]) -> str:
    """The address a request is counted against: ``peer`` unless it is a trusted proxy; then the
    rightmost untrusted hop of ``X-Forwarded-For`` (every value of the header, in order)."""
    if not _trusted(_address(peer), networks):
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # not an address: written by whoever sent the request, not by our proxy; the proxy is
            # the last hop we can vouch for
            return peer
        if not _trusted(address, networks):
            return str(address)
        peer = str(address)  # a trusted proxy further out: go on to the hop it received from
    return peer  # every hop is a trusted proxy (a request from inside): the outermost one


class TrustedProxies:
    def __init__(self, app: ASGIApp, networks: tuple[Network, ...]) -> None:
        self.app = app
        self.networks = networks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client:
            forwarded = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"]
            address = client_of(client[0], forwarded, self.networks)
            if address != client[0]:
                scope = {**scope, "client": (address, 0)}
        await self.app(scope, receive, send)
