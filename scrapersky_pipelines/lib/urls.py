"""Domain and URL normalisation: user-submitted domains, business websites (WF3) and crawled URLs.

Everything here is offline: the public suffix list is tldextract's bundled snapshot, IDNs are converted
with IDNA 2008 + UTS 46 (the `idna` package), and nothing is ever resolved.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import idna
import tldextract

__all__ = [
    "InvalidDomain",
    "WebsiteDomain",
    "domain_from_website",
    "normalize_domain",
    "normalize_url",
    "registrable_domain",
    "same_site",
]

MAX_INPUT_CHARS = 2000
MAX_HOST_CHARS = 253
MAX_LABEL_CHARS = 63

# Bundled snapshot only: suffix_list_urls=() stops every fetch, cache_dir=None stops disk writes.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_LDH_RE = re.compile(r"^[a-z0-9-]+$")
# WHATWG URL parsing reads a host whose last label is a number (decimal, 0x-hex or octal) as IPv4,
# so "3232235777", "0x7f.1" and "127.1" all reach an IP address in a browser or HTTP client.
_NUMERIC_LABEL_RE = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_AUTHORITY_END_RE = re.compile(r"[/?#\\]")
_WEB_SCHEMES = frozenset({"http", "https"})
_NON_WEB_SCHEMES = frozenset(
    {"mailto", "tel", "callto", "sms", "javascript", "data", "file", "ftp", "about", "skype", "geo"}
)


class InvalidDomain(ValueError):
    """A submitted string cannot be turned into a public domain name; the message says why."""


@dataclass(frozen=True, slots=True)
class WebsiteDomain:
    """Result of WF3 extraction: a registrable domain, or None with the reason there is none."""

    domain: str | None
    reason: str | None


def _has_control_chars(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def _host_of(text: str) -> str:
    """Peel scheme, userinfo, port, path, query and fragment off a URL-ish string; no host validation."""
    scheme: str | None = None
    rest = text
    # Repeated prefixes ("http://http://x.com", "//www.x.com") are common data-entry slips.
    while True:
        head = _AUTHORITY_END_RE.split(rest, maxsplit=1)[0]
        if _is_ip(head):
            raise InvalidDomain("IP addresses are not domains")
        m = _SCHEME_RE.match(rest)
        if m and rest[m.end() : m.end() + 2] in ("//", "\\\\"):
            found = m.group(1).lower()
            if found not in _WEB_SCHEMES:
                raise InvalidDomain(f"unsupported scheme {found}:")
            scheme = scheme or found
            rest = rest[m.end() + 2 :]
            continue
        if m and scheme is None:
            found = m.group(1).lower()
            port = _AUTHORITY_END_RE.split(rest[m.end() :], maxsplit=1)[0]
            # "mailto:x@y.com", "tel:+1…", "javascript:…" are not web addresses; "user:pw@host" and
            # "host:8080" are.
            if found in _NON_WEB_SCHEMES or not (port.isdigit() or port == "" or "@" in port):
                raise InvalidDomain(f"not a web address ({found}:)")
        if rest.startswith("//"):
            rest = rest[2:]
            continue
        break
    authority = _AUTHORITY_END_RE.split(rest, maxsplit=1)[0]
    hostport = authority.rpartition("@")[2]
    if hostport.startswith("["):
        raise InvalidDomain("IP addresses are not domains")
    host, sep, port = hostport.rpartition(":")
    if not sep:
        return hostport
    if ":" in host:
        raise InvalidDomain("IP addresses are not domains" if _is_ip(hostport) else "invalid characters")
    if port and not port.isdigit():
        raise InvalidDomain("invalid port")
    return host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _ascii_host(host: str) -> str:
    """Lower-case, map and punycode a host; reject anything that is not a syntactically valid DNS name."""
    if not host:
        raise InvalidDomain("empty host")
    if host.endswith("."):
        host = host[:-1]
    if not host.isascii():
        try:
            host = idna.uts46_remap(host, std3_rules=True, transitional=False)
        except idna.IDNAError as exc:
            raise InvalidDomain(f"invalid characters ({exc})") from None
        if host.endswith("."):
            host = host[:-1]
    host = host.lower()
    labels = host.split(".")
    if _is_ip(host) or (labels[-1] and _NUMERIC_LABEL_RE.match(labels[-1])):
        raise InvalidDomain("IP addresses are not domains")
    ascii_labels: list[str] = []
    for label in labels:
        if not label:
            raise InvalidDomain("empty label")
        if not label.isascii():
            try:
                label = idna.alabel(label).decode("ascii")
            except idna.IDNAError as exc:
                raise InvalidDomain(f"invalid internationalised label ({exc})") from None
        if len(label) > MAX_LABEL_CHARS:
            raise InvalidDomain(f"label longer than {MAX_LABEL_CHARS} characters")
        if not _LABEL_RE.match(label):
            if _LDH_RE.match(label):
                raise InvalidDomain("label starts or ends with a hyphen")
            raise InvalidDomain("invalid characters")
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError:
                raise InvalidDomain("invalid punycode label") from None
        ascii_labels.append(label)
    result = ".".join(ascii_labels)
    if len(result) > MAX_HOST_CHARS:
        raise InvalidDomain(f"host longer than {MAX_HOST_CHARS} characters")
    return result


@lru_cache(maxsize=65536)
def _psl_parts(host: str) -> tuple[str, str]:
    """(registrable label, public suffix) of an ASCII host, ICANN section only."""
    ext = _EXTRACT(host)
    return ext.domain, ext.suffix


def _check_public(host: str) -> None:
    if "." not in host:
        raise InvalidDomain("single-label names are not public domains")
    domain, suffix = _psl_parts(host)
    if not suffix:
        raise InvalidDomain("no public suffix")
    if not domain:
        raise InvalidDomain("is a public suffix, not a domain")


def _strip_www(host: str) -> str:
    # Only while a registrable domain remains: "www.com" is somebody's domain, not a prefix.
    while host.startswith("www.") and _psl_parts(host[4:])[0]:
        host = host[4:]
    return host


def normalize_domain(raw: str) -> str:
    """Turn a submitted domain or URL into a bare lower-case ASCII host, or raise InvalidDomain."""
    if not isinstance(raw, str):
        raise InvalidDomain("not a string")
    if len(raw) > MAX_INPUT_CHARS:
        raise InvalidDomain(f"longer than {MAX_INPUT_CHARS} characters")
    text = raw.strip()
    if not text:
        raise InvalidDomain("empty")
    if _has_control_chars(text):
        raise InvalidDomain("contains control characters")
    if any(ch.isspace() for ch in text):
        raise InvalidDomain("contains spaces")
    host = _ascii_host(_host_of(text))
    _check_public(host)
    return _strip_www(host)


def registrable_domain(host: str) -> str | None:
    """The eTLD+1 of a host (acme.co.uk for shop.acme.co.uk), or None for IPs, suffixes and junk."""
    try:
        ascii_host = _ascii_host(host.strip())
    except InvalidDomain:
        return None
    domain, suffix = _psl_parts(ascii_host)
    if not domain or not suffix:
        return None
    return f"{domain}.{suffix}"


# Hosts whose pages belong to a platform, not to the business: a website pointing there gives no domain.
# Matched against the host and each of its parent names, longest first, so sites.google.com wins over
# google.com in the reason text.
_PLATFORM_HOSTS = frozenset(
    {
        # social and link-in-bio
        "facebook.com", "fb.com", "fb.me", "instagram.com", "twitter.com", "x.com", "t.co",
        "linkedin.com", "lnkd.in", "youtube.com", "youtu.be", "tiktok.com", "pinterest.com",
        "snapchat.com", "threads.net", "tumblr.com", "medium.com", "reddit.com", "t.me", "wa.me",
        "whatsapp.com", "linktr.ee", "linkin.bio", "beacons.ai", "about.me", "bio.link", "taplink.cc",
        "campsite.bio", "msha.ke",
        # directories, reviews and maps
        "yelp.com", "tripadvisor.com", "foursquare.com", "nextdoor.com", "houzz.com", "angi.com",
        "angieslist.com", "homeadvisor.com", "thumbtack.com", "bbb.org", "yellowpages.com", "yell.com",
        "manta.com", "zomato.com", "g.page", "goo.gl", "maps.app.goo.gl", "maps.apple.com",
        "sites.google.com", "business.google.com", "google.com", "zocdoc.com", "healthgrades.com",
        "avvo.com", "realtor.com", "zillow.com",
        # site builders and free hosting
        "business.site", "wixsite.com", "wix.com", "godaddysites.com", "square.site", "squareup.com",
        "squarespace.com", "weebly.com", "weeblysite.com", "blogspot.com", "blogger.com",
        "wordpress.com", "webflow.io", "jimdosite.com", "jimdofree.com", "jimdo.com", "mystrikingly.com",
        "strikingly.com", "carrd.co", "site123.me", "webnode.com", "myshopify.com", "github.io",
        "netlify.app", "vercel.app", "herokuapp.com", "ueniweb.com", "wixstudio.com", "yolasite.com",
        "ecwid.com", "bigcartel.com", "etsy.com", "amazon.com", "ebay.com",
        # ordering, booking and scheduling
        "doordash.com", "ubereats.com", "grubhub.com", "seamless.com", "postmates.com", "opentable.com",
        "resy.com", "toasttab.com", "chownow.com", "menufy.com", "slicelife.com", "clover.com",
        "booksy.com", "vagaro.com", "styleseat.com", "schedulicity.com", "mindbodyonline.com",
        "setmore.com", "calendly.com", "acuityscheduling.com", "fresha.com", "glossgenius.com",
        "square.com", "order.online", "appointy.com", "simplybook.me",
    }
)
# Platform brands that live on many country suffixes (yelp.ca, blogspot.de, facebook.co.uk, google.fr).
_PLATFORM_BRANDS = frozenset({"facebook", "yelp", "blogspot", "google", "tripadvisor", "amazon", "ebay"})


def _platform_of(host: str) -> str | None:
    labels = host.split(".")
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in _PLATFORM_HOSTS:
            return candidate
    domain, suffix = _psl_parts(host)
    if domain in _PLATFORM_BRANDS:
        return f"{domain}.{suffix}"
    return None


def domain_from_website(website: str | None) -> WebsiteDomain:
    """WF3: the registrable domain of a business website, or None with a reason."""
    if website is None or not website.strip():
        return WebsiteDomain(None, "no website")
    text = website.strip()
    if len(text) > MAX_INPUT_CHARS or _has_control_chars(text):
        return WebsiteDomain(None, "not a web URL")
    try:
        host = _ascii_host(_host_of(text))
        _check_public(host)
    except InvalidDomain:
        return WebsiteDomain(None, "not a web URL")
    platform = _platform_of(host)
    if platform is not None:
        return WebsiteDomain(None, f"hosted platform page: {platform}")
    domain, suffix = _psl_parts(host)
    return WebsiteDomain(f"{domain}.{suffix}", None)


_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_HEX = frozenset("0123456789abcdefABCDEF")
# RFC 3986 pchar plus "/" (path) or plus "/?" (query); anything else is percent-encoded.
_PATH_SAFE = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
_QUERY_SAFE = _PATH_SAFE | frozenset("?")
_DEFAULT_PORTS = {"http": 80, "https": 443}


# A character outside the safe set, or an escape: a component with neither is already canonical,
# as almost every crawled path and query is.
_NEEDS_WORK = {
    safe: re.compile(f"[^{re.escape(''.join(sorted(safe)))}]|%") for safe in (_PATH_SAFE, _QUERY_SAFE)
}


def _normalize_escapes(component: str, safe: frozenset[str]) -> str:
    """Upper-case escapes, decode escaped unreserved characters, encode what must not appear raw."""
    quick = _NEEDS_WORK.get(safe)
    if quick is not None and quick.search(component) is None:
        return component
    out: list[str] = []
    i, n = 0, len(component)
    while i < n:
        ch = component[i]
        if ch == "%" and i + 2 < n and component[i + 1 : i + 2] in _HEX and component[i + 2 : i + 3] in _HEX:
            decoded = chr(int(component[i + 1 : i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + component[i + 1 : i + 3].upper())
            i += 3
            continue
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    if "/." not in path and not path.startswith("."):  # no "." or ".." segment anywhere
        return path
    output: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                output.append("")
        elif seg == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(seg)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def _url_host(parts: SplitResult) -> str | None:
    host = parts.hostname
    return _canonical_host(host) if host else None


# A crawl meets the same few hosts over and over; IDNA mapping and IP parsing are the costly part.
@lru_cache(maxsize=8192)
def _canonical_host(host: str) -> str | None:
    if host.endswith("."):
        host = host[:-1]
    if _is_ip(host):
        ip = ipaddress.ip_address(host.split("%", 1)[0])
        return f"[{ip.compressed}]" if ip.version == 6 else ip.compressed
    try:
        return _ascii_host(host)
    except InvalidDomain:
        return None


def normalize_url(url: str, base: str | None = None) -> str | None:
    """Absolute, canonical http(s) URL (credentials and fragment dropped), or None if not http(s)."""
    if not isinstance(url, str):
        return None
    # WHATWG parsers drop tabs and newlines anywhere and trim surrounding whitespace.
    text = url.strip().replace("\t", "").replace("\n", "").replace("\r", "")
    if not text or len(text) > 8 * MAX_INPUT_CHARS:
        return None
    if base:
        try:
            text = urljoin(base, text)
        except ValueError:
            return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _WEB_SCHEMES:
        return None
    host = _url_host(parts)
    if host is None:
        return None
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = _remove_dot_segments(_normalize_escapes(parts.path, _PATH_SAFE)) or "/"
    query = _normalize_escapes(parts.query, _QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def same_site(url: str, domain: str) -> bool:
    """True when the URL's host is the domain or one of its subdomains (www. on either side ignored)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = _url_host(parts) if parts.scheme.lower() in _WEB_SCHEMES else None
    if host is None:
        return False
    want = _site_host(domain.strip().lower().rstrip("."))
    return want is not None and (host == want or host.endswith("." + want))


@lru_cache(maxsize=8192)
def _site_host(want: str) -> str | None:
    """A domain as `same_site` compares hosts with it: canonical, ``www.`` dropped; None if invalid."""
    if not want:
        return None
    if not _is_ip(want):
        try:
            want = _ascii_host(want)
        except InvalidDomain:
            return None
        return want[4:] if want.startswith("www.") else want
    if ":" in want:
        return f"[{ipaddress.ip_address(want.strip('[]')).compressed}]"
    return want
