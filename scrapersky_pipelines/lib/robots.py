"""robots.txt policy (RFC 9309): parsing, group selection, longest-match rules, Sitemap lines.

Matching follows the RFC (and Google's reference parser): product tokens compared
case-insensitively, groups for the same agent merged, ``*`` and ``$`` wildcards, the longest
matching rule wins with Allow winning ties, and paths compared after percent-encoding
normalisation. The matcher is linear per rule, so hostile patterns cannot cause backtracking.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

__all__ = ["MAX_ROBOTS_BYTES", "RobotsPolicy", "Rule", "product_token"]

# RFC 9309 section 2.5: parse at least the first 500 KiB.
MAX_ROBOTS_BYTES = 500 * 1024

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_HEX = "0123456789ABCDEF"
_PERCENT_RE = re.compile(r"%([0-9A-Fa-f]{2})")

# Lenient spellings, as Google's parser accepts them.
_USER_AGENT_KEYS = frozenset({"user-agent", "useragent", "user agent", "user_agent"})
_ALLOW_KEYS = frozenset({"allow"})
_DISALLOW_KEYS = frozenset({"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"})
_SITEMAP_KEYS = frozenset({"sitemap", "site-map", "site map", "site_map"})
_CRAWL_DELAY_KEYS = frozenset({"crawl-delay", "crawldelay", "crawl delay", "crawl_delay"})


def _normalize_path(path: str) -> str:
    """Percent-encode non-ASCII and controls, decode escapes of unreserved characters,
    upper-case the hex of the escapes that stay."""

    def unescape(match: re.Match[str]) -> str:
        value = int(match.group(1), 16)
        if value in _UNRESERVED:
            return chr(value)
        return "%" + match.group(1).upper()

    out: list[str] = []
    for char in path:
        code = ord(char)
        if code < 0x21 or code >= 0x7F:
            encoded = char.encode("utf-8", "surrogatepass")
            out.extend("%" + _HEX[b >> 4] + _HEX[b & 15] for b in encoded)
        else:
            out.append(char)
    return _PERCENT_RE.sub(unescape, "".join(out))


def product_token(user_agent: str) -> str:
    """The product token a robots.txt group names: ``Foo-Bot/1.2 (+url)`` -> ``foo-bot``."""
    token = user_agent.strip().split("/", 1)[0].split(None, 1)[0] if user_agent.strip() else ""
    match = re.match(r"[A-Za-z_-]+", token)
    return match.group(0).lower() if match else token.lower()


@dataclass(frozen=True, slots=True)
class Rule:
    """One Allow/Disallow line, pre-split on ``*`` for linear matching."""

    allow: bool
    pattern: str
    pieces: tuple[str, ...]
    anchored: bool

    @classmethod
    def build(cls, allow: bool, raw: str) -> Rule:
        pattern = _normalize_path(raw)
        if not pattern.startswith(("/", "*")):
            pattern = "/" + pattern
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        # Runs of '*' are one wildcard; keep the split cheap for hostile input.
        pieces = tuple(re.split(r"\*+", body))
        return cls(allow=allow, pattern=pattern, pieces=pieces, anchored=anchored)

    def matches(self, path: str) -> bool:
        pieces = self.pieces
        first = pieces[0]
        if not path.startswith(first):
            return False
        if len(pieces) == 1:
            return path == first if self.anchored else True
        position = len(first)
        # Leftmost placement of the middle pieces leaves the most room for the rest.
        for piece in pieces[1:-1]:
            index = path.find(piece, position)
            if index < 0:
                return False
            position = index + len(piece)
        last = pieces[-1]
        if self.anchored:
            return path.endswith(last) and len(path) - len(last) >= position
        return True if not last else path.find(last, position) >= 0


@dataclass(slots=True)
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    crawl_delays: list[float] = field(default_factory=list)


_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def _request_path(url_or_path: str) -> str:
    if url_or_path.startswith("//") or _SCHEME_RE.match(url_or_path):
        parts = urlsplit(url_or_path)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return path
    path = url_or_path.split("#", 1)[0]
    return path if path.startswith("/") else "/" + path


class RobotsPolicy:
    """The rules of one robots.txt; answer with `allowed`, `crawl_delay` and `sitemaps`."""

    def __init__(
        self,
        groups: Iterable[_Group] = (),
        sitemaps: Iterable[str] = (),
        *,
        default_allow: bool = True,
        reason: str = "parsed",
    ) -> None:
        self._groups = list(groups)
        self._sitemaps = list(sitemaps)
        self._default_allow = default_allow
        self.reason = reason
        self._cache: dict[str, tuple[list[Rule], float | None]] = {}

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def allow_all(cls, reason: str = "allow all") -> RobotsPolicy:
        return cls(reason=reason)

    @classmethod
    def disallow_all(cls, reason: str = "disallow all") -> RobotsPolicy:
        return cls(default_allow=False, reason=reason)

    @classmethod
    def parse(cls, text: str | bytes, robots_url: str | None = None) -> RobotsPolicy:
        """Parse a robots.txt body (first 500 KiB). Relative Sitemap URLs are resolved against
        ``robots_url`` and dropped when it is not given."""
        if isinstance(text, str):
            text = text.encode("utf-8", "surrogatepass")
        data = text[:MAX_ROBOTS_BYTES]
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        groups: list[_Group] = []
        sitemaps: list[str] = []
        seen_sitemaps: set[str] = set()
        current: _Group | None = None
        in_agent_lines = False
        for raw_line in data.decode("utf-8", "replace").splitlines():
            line = raw_line.split("#", 1)[0].strip()
            key, sep, value = line.partition(":")
            if not sep:
                continue
            key = " ".join(key.lower().split())
            value = value.strip()
            if key in _USER_AGENT_KEYS:
                if not in_agent_lines or current is None:
                    current = _Group()
                    groups.append(current)
                current.agents.append(value.lower() if value == "*" else product_token(value))
                in_agent_lines = True
            elif key in _SITEMAP_KEYS:
                # Sitemap is an "other record": it neither belongs to nor ends a group.
                url = _absolute_sitemap(value, robots_url)
                if url and url not in seen_sitemaps:
                    seen_sitemaps.add(url)
                    sitemaps.append(url)
            elif current is None:
                continue  # rules before any user-agent line apply to nobody
            elif key in _ALLOW_KEYS or key in _DISALLOW_KEYS:
                in_agent_lines = False
                if value:  # an empty rule matches nothing
                    current.rules.append(Rule.build(key in _ALLOW_KEYS, value))
            elif key in _CRAWL_DELAY_KEYS:
                in_agent_lines = False
                try:
                    delay = float(value)
                except ValueError:
                    continue
                if 0 <= delay < float("inf"):
                    current.crawl_delays.append(delay)
            # Unknown records are ignored and do not split a run of user-agent lines.
        return cls(groups, sitemaps, reason="parsed")

    @classmethod
    def from_response(
        cls, status: int | None, body: bytes | str | None, robots_url: str
    ) -> RobotsPolicy:
        """Policy from how fetching robots.txt went (RFC 9309 section 2.3.1).

        2xx: parse. 3xx left unresolved and 4xx ("unavailable"): allow all. 429, 5xx, no
        status (network error) or anything else ("unreachable"): disallow all. 429 counts as
        unreachable, as in Google's crawler, because it means "slow down", not "no rules here".
        """
        if status is not None and 200 <= status < 300:
            return cls.parse(body or b"", robots_url)
        if status is not None and 300 <= status < 400:
            # Redirects the client could not follow to a final answer: "unavailable".
            return cls.allow_all(reason=f"robots.txt status {status}: unavailable, allow all")
        if status is not None and 400 <= status < 500 and status != 429:
            return cls.allow_all(reason=f"robots.txt status {status}: unavailable, allow all")
        what = f"status {status}" if status is not None else "unreachable"
        return cls.disallow_all(reason=f"robots.txt {what}: assume complete disallow")

    # -- queries ------------------------------------------------------------------------------

    @property
    def sitemaps(self) -> list[str]:
        return list(self._sitemaps)

    def _select(self, user_agent: str) -> tuple[list[Rule], float | None]:
        token = product_token(user_agent) if user_agent != "*" else "*"
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        chosen = [g for g in self._groups if token in g.agents and token != "*"]
        if not chosen:
            chosen = [g for g in self._groups if "*" in g.agents]
        rules = [rule for g in chosen for rule in g.rules]
        delays = [d for g in chosen for d in g.crawl_delays]
        result = (rules, max(delays) if delays else None)
        self._cache[token] = result
        return result

    def allowed(self, url_or_path: str, user_agent: str) -> bool:
        """Whether ``user_agent`` may fetch this URL (or path with optional query)."""
        path = _normalize_path(_request_path(url_or_path))
        if path == "/robots.txt":
            return True
        rules, _ = self._select(user_agent)
        best: Rule | None = None
        for rule in rules:
            if rule.matches(path) and (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow)
            ):
                best = rule
        if best is None:
            return self._default_allow
        return best.allow

    def crawl_delay(self, user_agent: str) -> float | None:
        """The (non-standard) Crawl-delay of the group that applies, in seconds."""
        return self._select(user_agent)[1]

    def __repr__(self) -> str:
        counts = f"groups={len(self._groups)}, sitemaps={len(self._sitemaps)}"
        return f"RobotsPolicy({self.reason}, {counts})"


def _absolute_sitemap(value: str, robots_url: str | None) -> str | None:
    if not value:
        return None
    if re.match(r"^https?://", value, re.IGNORECASE):
        url = value
    elif robots_url:
        url = urljoin(robots_url, value)
    else:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # Scheme and host are case-insensitive; the path is not (usp#40 lowercased whole URLs).
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()
