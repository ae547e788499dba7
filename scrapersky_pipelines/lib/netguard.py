"""SSRF guard: which addresses a crawler may connect to, and how host names become addresses.

The HTTP client resolves every connection through `Resolver`, so the address that is checked
is the address that is connected to (no DNS-rebinding window between check and connect).
`parse_resolve` reads curl-style ``--resolve`` overrides, which is how tests and the demo reach
loopback servers without switching the guard off.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# An injectable DNS lookup: (host, port) -> address strings, in preference order.
Lookup = Callable[[str, int], Awaitable[Sequence[str]]]

__all__ = [
    "AddressBlocked",
    "IPAddress",
    "Lookup",
    "ResolveEntry",
    "Resolver",
    "UnknownHost",
    "is_public_address",
    "normalize_host",
    "parse_host_literal",
    "parse_resolve",
    "system_lookup",
]


@dataclass(frozen=True, slots=True)
class ResolveEntry:
    """One ``host:port:address[:connect_port]`` override; host may be ``*`` or ``*.suffix``."""

    host: str
    port: int
    address: str
    connect_port: int | None = None

    def matches(self, host: str, port: int) -> bool:
        if port != self.port:
            return False
        if self.host == "*":
            return True
        if self.host.startswith("*."):
            return host.endswith(self.host[1:])
        return host == self.host

    @property
    def specificity(self) -> int:
        """Exact names beat ``*.suffix`` (longer suffix first), which beats ``*``."""
        if self.host == "*":
            return 0
        if self.host.startswith("*."):
            return len(self.host)
        return 1 << 16


class AddressBlocked(Exception):
    """A host resolved (or is written as) an address the guard refuses."""

    def __init__(self, host: str, address: str, reason: str = "not a public address") -> None:
        self.host = host
        self.address = address
        super().__init__(f"refusing to connect to {host!r} at {address}: {reason}")


class UnknownHost(Exception):
    """A host name that could not be resolved (or is not listed when resolve_only)."""

    def __init__(self, host: str, reason: str) -> None:
        self.host = host
        super().__init__(f"cannot resolve {host!r}: {reason}")


def normalize_host(host: str) -> str:
    """Lower-case, without brackets or a trailing dot: the form entries are matched on."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".") if host != "." else host


_SHAPE = "expected host:port:address[:connect_port]"


def _parse_port(text: str, what: str, entry: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"bad resolve entry {entry!r}: {what} {text!r} is not a port (1-65535)")
    return int(text)


def _parse_entry(entry: str) -> ResolveEntry:
    raw = entry.strip()
    if raw.startswith("["):
        close = raw.find("]")
        if close < 0:
            raise ValueError(f"bad resolve entry {entry!r}: unclosed '[' in host")
        host, rest = raw[: close + 1], raw[close + 1 :]
        if not rest.startswith(":"):
            raise ValueError(f"bad resolve entry {entry!r}: expected ':' after host")
        rest = rest[1:]
    else:
        host, sep, rest = raw.partition(":")
        if not sep:
            raise ValueError(f"bad resolve entry {entry!r}: {_SHAPE}")
    port_text, sep, addr_part = rest.partition(":")
    if not sep or not addr_part:
        raise ValueError(f"bad resolve entry {entry!r}: {_SHAPE}")
    port = _parse_port(port_text, "port", entry)
    host = normalize_host(host)
    wildcard_ok = host == "*" or (host.startswith("*.") and "*" not in host[2:])
    if not host or ("*" in host and not wildcard_ok):
        raise ValueError(f"bad resolve entry {entry!r}: host must be a name, '*' or '*.suffix'")

    connect_port: int | None = None
    if addr_part.startswith("["):
        close = addr_part.find("]")
        if close < 0:
            raise ValueError(f"bad resolve entry {entry!r}: unclosed '[' in address")
        addr_text, tail = addr_part[1:close], addr_part[close + 1 :]
        if tail:
            if not tail.startswith(":"):
                raise ValueError(f"bad resolve entry {entry!r}: junk after address: {tail!r}")
            connect_port = _parse_port(tail[1:], "connect port", entry)
    else:
        addr_text = addr_part
        try:
            ipaddress.ip_address(addr_text)
        except ValueError:
            # Not a bare address, so the last ':' must introduce the connect port.
            addr_text, sep, port_tail = addr_part.rpartition(":")
            if sep:
                connect_port = _parse_port(port_tail, "connect port", entry)
            else:
                addr_text = addr_part
    try:
        address = ipaddress.ip_address(addr_text)
    except ValueError:
        raise ValueError(
            f"bad resolve entry {entry!r}: {addr_text!r} is not an IP address"
            " (IPv6 goes in [brackets])"
        ) from None
    return ResolveEntry(host=host, port=port, address=str(address), connect_port=connect_port)


def parse_resolve(spec: str | Iterable[str]) -> tuple[ResolveEntry, ...]:
    """Parse curl ``--resolve`` style overrides; several per string, comma-separated."""
    items = [spec] if isinstance(spec, str) else list(spec)
    entries: list[ResolveEntry] = []
    for item in items:
        for part in item.split(","):
            if part.strip():
                entries.append(_parse_entry(part))
    return tuple(entries)


def _parse_ipv4_number(part: str) -> int | None:
    """One dotted part as inet_aton/WHATWG read it: 0x hex, leading-zero octal, else decimal."""
    if part[:2] in ("0x", "0X"):
        digits = part[2:]
        if digits == "":
            return 0
        return int(digits, 16) if all(c in "0123456789abcdefABCDEF" for c in digits) else None
    if len(part) > 1 and part[0] == "0":
        return int(part, 8) if all(c in "01234567" for c in part) else None
    return int(part) if part.isdigit() and part.isascii() else None


def _parse_ipv4_literal(host: str) -> ipaddress.IPv4Address | None:
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= 4 or any(p == "" for p in parts):
        return None
    numbers = [_parse_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    # Short forms (127.1, 10.1.2) put the remaining bytes in the last number.
    if any(v > 255 for v in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    value = values[-1]
    for index, part_value in enumerate(values[:-1]):
        value += part_value << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def parse_host_literal(host: str) -> IPAddress | None:
    """The address a host written as an IP literal means, in any form a resolver accepts.

    Covers dotted quads, decimal (2130706433), octal (0177.0.0.1), hex (0x7f.0.0.1, 0x7f000001),
    short forms (127.1) and IPv6 with or without brackets. Returns None for names.
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text)
        except ValueError:
            return None
    return _parse_ipv4_literal(text)


_V4_BLOCKED = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network", includes the unspecified address
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, includes cloud metadata 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes broadcast
    )
)

_V6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_V6_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_V6_BLOCKED = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "2001::/23",  # IETF protocol assignments (Teredo is handled before this check)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
    )
)


def _is_public_v4(ip: ipaddress.IPv4Address) -> bool:
    return not any(ip in net for net in _V4_BLOCKED)


def is_public_address(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses; embedded IPv4 forms are unwrapped."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _is_public_v4(ip)
    if ip.ipv4_mapped is not None:
        return _is_public_v4(ip.ipv4_mapped)
    if ip in _V6_NAT64:
        return _is_public_v4(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        return _is_public_v4(ip.sixtofour)
    if ip.teredo is not None:
        server, client = ip.teredo
        return _is_public_v4(server) and _is_public_v4(client)
    # Everything outside 2000::/3 (::, ::1, IPv4-compatible ::/96, ULA fc00::/7, link-local,
    # site-local, multicast ff00::/8, discard 100::/64, local NAT64 64:ff9b:1::/48) is unassigned
    # or non-global.
    if ip not in _V6_GLOBAL_UNICAST:
        return False
    return not any(ip in net for net in _V6_BLOCKED)


async def system_lookup(host: str, port: int) -> list[str]:
    """Resolve with the event loop's getaddrinfo (non-blocking, thread-pool backed)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnknownHost(host, str(exc)) from None
    return [str(info[4][0]) for info in infos]


class Resolver:
    """Maps (host, port) to connectable (address, port) pairs, refusing non-public addresses.

    Order: resolve entries (their addresses are trusted: someone wrote them down on purpose),
    then IP literals, then DNS unless ``resolve_only``. ``allow_private`` disables the guard.
    """

    def __init__(
        self,
        entries: str | Iterable[str | ResolveEntry] = (),
        *,
        resolve_only: bool = False,
        allow_private: bool = False,
        lookup: Lookup | None = None,
    ) -> None:
        parsed: list[ResolveEntry] = []
        for item in [entries] if isinstance(entries, str) else entries:
            if isinstance(item, ResolveEntry):
                parsed.append(item)
            else:
                parsed.extend(parse_resolve(item))
        self.entries: tuple[ResolveEntry, ...] = tuple(sorted(parsed, key=lambda e: -e.specificity))
        self.resolve_only = resolve_only
        self.allow_private = allow_private
        self._lookup: Lookup = lookup or system_lookup

    def _from_entries(self, host: str, port: int) -> list[tuple[str, int]]:
        best: int | None = None
        found: list[tuple[str, int]] = []
        for entry in self.entries:  # sorted most specific first
            if best is not None and entry.specificity < best:
                break
            if entry.matches(host, port):
                best = entry.specificity
                target = (entry.address, entry.connect_port or port)
                if target not in found:
                    found.append(target)
        return found

    def check_literal(self, host: str, port: int) -> IPAddress | None:
        """Fail fast for a blocked IP-literal host; returns the literal (or None for names)."""
        name = normalize_host(host)
        literal = parse_host_literal(name)
        if literal is None or self.allow_private or self._from_entries(name, port):
            return literal
        if not is_public_address(literal):
            raise AddressBlocked(host, str(literal))
        return literal

    async def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        """Addresses to try, in order. Raises AddressBlocked or UnknownHost."""
        name = normalize_host(host)
        pinned = self._from_entries(name, port)
        if pinned:
            return pinned
        literal = parse_host_literal(name)
        if literal is not None:
            if not self.allow_private and not is_public_address(literal):
                raise AddressBlocked(host, str(literal))
            return [(str(literal), port)]
        if self.resolve_only:
            raise UnknownHost(host, "not in the resolve entries and resolve_only is set")
        addresses = await self._lookup(name, port)
        allowed: list[tuple[str, int]] = []
        refused: list[str] = []
        for text in addresses:
            try:
                ip = ipaddress.ip_address(text.split("%", 1)[0])
            except ValueError:
                refused.append(text)
                continue
            if self.allow_private or is_public_address(ip):
                if (str(ip), port) not in allowed:
                    allowed.append((str(ip), port))
            else:
                refused.append(str(ip))
        if allowed:
            return allowed
        if refused:
            raise AddressBlocked(host, ", ".join(refused))
        raise UnknownHost(host, "no addresses")

    def is_pinned(self, host: str, port: int, address: str) -> bool:
        """Whether a resolve entry explicitly names this address for this host."""
        return any(a == address for a, _ in self._from_entries(normalize_host(host), port))
