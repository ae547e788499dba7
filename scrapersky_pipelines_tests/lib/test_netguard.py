"""Tests for the SSRF guard: resolve entries, address classification, literals, Resolver."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence

import pytest

from scrapersky_pipelines.lib.netguard import (
    AddressBlocked,
    ResolveEntry,
    Resolver,
    UnknownHost,
    is_public_address,
    parse_host_literal,
    parse_resolve,
)


# -- parse_resolve ----------------------------------------------------------------------------


def test_parse_resolve_forms() -> None:
    entries = parse_resolve(
        "site.test:80:127.0.0.1:8080, Other.Test.:443:[::1]:9443,*.demo.test:80:10.0.0.1,*:80:[::1]"
    )
    assert entries == (
        ResolveEntry("site.test", 80, "127.0.0.1", 8080),
        ResolveEntry("other.test", 443, "::1", 9443),
        ResolveEntry("*.demo.test", 80, "10.0.0.1", None),
        ResolveEntry("*", 80, "::1", None),
    )


def test_parse_resolve_iterable_and_bare_ipv6() -> None:
    entries = parse_resolve(["a.test:80:::1", "b.test:81:1.2.3.4:82,c.test:83:[2001:db8::1]"])
    assert [e.address for e in entries] == ["::1", "1.2.3.4", "2001:db8::1"]
    assert entries[1].connect_port == 82
    assert parse_resolve("") == ()


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("site.test", "expected host:port:address"),
        ("site.test:80", "expected host:port:address"),
        ("site.test:http:127.0.0.1", "not a port"),
        ("site.test:70000:127.0.0.1", "not a port"),
        ("site.test:80:localhost", "not an IP address"),
        ("site.test:80:127.0.0.1:x", "not a port"),
        ("site.test:80:[::1", "unclosed"),
        ("a*b.test:80:127.0.0.1", "host must be"),
        (":80:127.0.0.1", "host must be"),
    ],
)
def test_parse_resolve_errors_name_the_entry(spec: str, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_resolve(spec)
    assert fragment in str(info.value)
    assert spec.strip() in str(info.value)


# -- address classification -------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
        "192.168.0.1", "169.254.169.254", "169.254.0.1", "0.0.0.0", "0.1.2.3", "100.64.0.1",
        "100.127.255.255", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "192.0.0.8",
        "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
        "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1", "100::1", "2001:db8::1",
        "2002:7f00:0001::1",  # 6to4 of 127.0.0.1
        "2002:0a00:0001::1",  # 6to4 of 10.0.0.1
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo with client 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b:1::1",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.1", "100.128.0.1",
     "2606:4700:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8", "2002:0808:0808::1",
     "64:ff9b::808:808"],
)
def test_public_addresses(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.2", "10.1.0.2"),
        ("017700000001", "127.0.0.1"),
        ("169.254.43518", "169.254.169.254"),
        ("127.0.0.1.", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("[::ffff:7f00:1]", "::ffff:7f00:1"),
    ],
)
def test_parse_host_literal(host: str, expected: str) -> None:
    assert parse_host_literal(host) == ipaddress.ip_address(expected)


@pytest.mark.parametrize("host", ["example.com", "site.test", "1.2.3.999", "08.0.0.1", "1.2.3.4.5",
                                  "256.256.256.256x", "4294967296", "[not-ipv6]", "1..2"])
def test_parse_host_literal_rejects_names(host: str) -> None:
    assert parse_host_literal(host) is None


# -- Resolver ---------------------------------------------------------------------------------


class FakeDns:
    """A scripted lookup: each call returns the next answer (the last one repeats)."""

    def __init__(self, *answers: Sequence[str]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.calls.append((host, port))
        return self.answers[min(len(self.calls), len(self.answers)) - 1]


def test_resolver_rebinding_public_then_private() -> None:
    dns = FakeDns(["93.184.216.34"], ["127.0.0.1"])
    resolver = Resolver(lookup=dns)

    async def main() -> None:
        assert await resolver.resolve("rebind.test", 80) == [("93.184.216.34", 80)]
        with pytest.raises(AddressBlocked) as info:
            await resolver.resolve("rebind.test", 80)
        assert "rebind.test" in str(info.value) and "127.0.0.1" in str(info.value)

    asyncio.run(main())
    assert dns.calls == [("rebind.test", 80), ("rebind.test", 80)]


def test_resolver_mixed_answer_keeps_only_public() -> None:
    resolver = Resolver(lookup=FakeDns(["93.184.216.34", "10.0.0.5", "2606:4700::1", "::1"]))
    targets = asyncio.run(resolver.resolve("mixed.test", 443))
    assert targets == [("93.184.216.34", 443), ("2606:4700::1", 443)]


def test_resolver_all_private_is_blocked_and_allow_private_lifts_it() -> None:
    with pytest.raises(AddressBlocked):
        asyncio.run(Resolver(lookup=FakeDns(["192.168.1.10"])).resolve("lan.test", 80))
    open_resolver = Resolver(allow_private=True, lookup=FakeDns(["192.168.1.10"]))
    assert asyncio.run(open_resolver.resolve("lan.test", 80)) == [("192.168.1.10", 80)]


def test_resolver_entries_win_and_are_trusted() -> None:
    dns = FakeDns(["93.184.216.34"])
    resolver = Resolver(
        "site.test:80:127.0.0.1:8001,site.test:80:[::1]:8002,*.demo.test:80:127.0.0.2,*:80:127.0.0.3",
        lookup=dns,
    )

    async def main() -> None:
        assert await resolver.resolve("SITE.test.", 80) == [("127.0.0.1", 8001), ("::1", 8002)]
        assert await resolver.resolve("a.b.demo.test", 80) == [("127.0.0.2", 80)]
        assert await resolver.resolve("demo.test", 80) == [("127.0.0.3", 80)]
        assert await resolver.resolve("anything.test", 80) == [("127.0.0.3", 80)]
        # Port 443 matches no entry: DNS answers.
        assert await resolver.resolve("site.test", 443) == [("93.184.216.34", 443)]

    asyncio.run(main())
    assert dns.calls == [("site.test", 443)]


def test_resolver_entry_trust_does_not_extend_to_other_hosts() -> None:
    resolver = Resolver("site.test:80:127.0.0.1", lookup=FakeDns(["127.0.0.1"]))
    with pytest.raises(AddressBlocked):
        asyncio.run(resolver.resolve("evil.test", 80))
    with pytest.raises(AddressBlocked):
        asyncio.run(resolver.resolve("127.0.0.1", 80))
    assert not resolver.is_pinned("evil.test", 80, "127.0.0.1")
    assert resolver.is_pinned("site.test", 80, "127.0.0.1")


def test_resolve_only_never_looks_up() -> None:
    dns = FakeDns(["93.184.216.34"])
    resolver = Resolver("site.test:80:127.0.0.1", resolve_only=True, lookup=dns)
    with pytest.raises(UnknownHost) as info:
        asyncio.run(resolver.resolve("other.test", 80))
    assert "other.test" in str(info.value)
    # A public literal needs no lookup, so it is allowed even when resolve_only.
    assert asyncio.run(resolver.resolve("93.184.216.34", 80)) == [("93.184.216.34", 80)]
    assert dns.calls == []


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "[::1]", "::1", "2130706433", "0177.0.0.1", "0x7f000001", "0x7f.0.0.1",
             "127.1", "10.0.0.1", "169.254.169.254", "0.0.0.0", "::ffff:127.0.0.1", "[fe80::1]"],
)
def test_resolver_blocks_literals_without_lookup(host: str) -> None:
    dns = FakeDns(["93.184.216.34"])
    resolver = Resolver(lookup=dns)
    with pytest.raises(AddressBlocked):
        asyncio.run(resolver.resolve(host, 80))
    with pytest.raises(AddressBlocked):
        resolver.check_literal(host, 80)
    assert dns.calls == []


def test_check_literal_passes_names_and_public_literals() -> None:
    resolver = Resolver()
    assert resolver.check_literal("example.test", 80) is None
    assert resolver.check_literal("8.8.8.8", 80) == ipaddress.ip_address("8.8.8.8")
    assert Resolver(allow_private=True).check_literal("127.0.0.1", 80) == ipaddress.ip_address("127.0.0.1")


def test_resolver_skips_unparseable_answers() -> None:
    with pytest.raises(AddressBlocked):
        asyncio.run(Resolver(lookup=FakeDns(["not-an-ip"])).resolve("odd.test", 80))
    with pytest.raises(UnknownHost):
        asyncio.run(Resolver(lookup=FakeDns([])).resolve("empty.test", 80))
