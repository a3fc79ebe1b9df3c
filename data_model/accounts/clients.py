"""Who a connection's client is: its own address, or the last hop the configured proxy added to X-Forwarded-For."""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from data_model.texts.errors import UserError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# what Streamlit reports as "no address" (st.context.ip_address is None): a browser on this machine
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1"})
# a client behind a proxy the app does not trust: its real address is unknown, so it is never this machine
UNKNOWN_CLIENT = "unknown"
FORWARDING_HEADERS = frozenset({b"x-forwarded-for", b"x-real-ip", b"forwarded"})


class TrustedProxyError(UserError):
    """TRUSTED_PROXY names something that is not an address or a network."""


def parse_trusted_proxies(*, text: str) -> tuple[Network, ...]:
    """The addresses (or networks) of TRUSTED_PROXY, comma separated; "" trusts no proxy."""
    networks: list[Network] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise TrustedProxyError("TRUSTED_PROXY không hợp lệ: {item!r} không phải địa chỉ IP hay mạng (vd. "
                                    "127.0.0.1 hoặc 10.0.0.0/24)", item=item[:60]) from None
    return tuple(networks)


def _is_in(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _last_hop(forwarded_for: list[str]) -> str:
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    last = hops[-1] if hops else ""
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:  # nginx always writes an address: anything else did not come from it
        return UNKNOWN_CLIENT


def resolve_client_address(*, peer: str | None, headers: Iterable[tuple[bytes, bytes]],
                           trusted: tuple[Network, ...]) -> str | None:
    """The client's address: the peer's own, or from a trusted proxy only the last X-Forwarded-For hop it added.

    A loopback peer that is not the trusted proxy yet forwards for someone (a proxy header is present) is an
    unknown client: whoever is behind it may be anywhere, so it never counts as this machine.
    """
    forwarded_for: list[str] = []
    forwarding = False
    for name, value in headers:
        name = name.lower()
        if name in FORWARDING_HEADERS:
            forwarding = True
            if name == b"x-forwarded-for":
                forwarded_for.append(value.decode("latin-1"))
    if peer is not None and _is_in(peer, trusted):
        return _last_hop(forwarded_for) if forwarded_for else peer
    if forwarding and peer in LOCAL_ADDRESSES:
        return UNKNOWN_CLIENT
    return peer


def is_local_client(*, address: str | None) -> bool:
    """Whether a resolved client address is this machine itself (Streamlit's None, or 127.0.0.1 / ::1)."""
    return address is None or address == "" or address in LOCAL_ADDRESSES
