"""Social-profile links from one parsed page, normalised to one canonical URL per profile.

Read from link hrefs, iframe/plugin ``href=`` parameters, JSON-LD ``sameAs``, ``<meta name=twitter:site>`` /
``article:publisher`` and bare profile URLs in visible text. Only profile (account, page, channel, business
listing) URLs are kept: share/intent/sharer/plugins/dialog/login/hashtag/search links are dropped; content links
that name their account (``x.com/acme/status/1``, ``tiktok.com/@acme/video/1``, ``facebook.com/acme/posts/1``)
are reduced to the account; content links that do not (``instagram.com/p/...``, ``youtube.com/watch``) are
dropped. Canonical form: https, no ``www``/``m``/country subdomain, no query (except facebook's
``profile.php?id=``), no fragment, no trailing slash; handles lower-cased where the platform ignores case.
twitter.com becomes x.com and threads.net becomes threads.com. Keys: facebook, instagram, linkedin, x,
youtube, tiktok, pinterest, yelp, github, threads, tripadvisor, vimeo, xing, bluesky, snapchat.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs, unquote, urlsplit

from scrapersky_pipelines.lib.email_filters import registrable_domain
from scrapersky_pipelines.lib.html_text import Page, iter_json_ld_objects

__all__ = ["extract_socials", "normalize_social"]

_HOSTS = {
    "facebook.com": "facebook", "fb.com": "facebook", "instagram.com": "instagram", "instagr.am": "instagram",
    "linkedin.com": "linkedin", "twitter.com": "x", "x.com": "x", "youtube.com": "youtube", "tiktok.com": "tiktok",
    "github.com": "github", "threads.net": "threads", "threads.com": "threads", "vimeo.com": "vimeo",
    "xing.com": "xing", "bsky.app": "bluesky", "snapchat.com": "snapchat",
}
# Platforms with country sites keyed by registrable-domain label (pinterest.de, yelp.co.uk, tripadvisor.fr).
_HOST_LABELS = {"pinterest": "pinterest", "yelp": "yelp", "tripadvisor": "tripadvisor"}
_BLOCKED_WORDS = frozenset(
    "share sharer sharer.php share.php shareArticle sharearticle share-offsite intent dialog plugins login "
    "login.php hashtag signup oauth".split()
)

_FB_SKIP = frozenset(
    """
    sharer sharer.php share share.php dialog plugins login login.php tr hashtag help policies privacy legal
    terms ads business events watch photo.php photo story.php permalink.php home.php messages marketplace
    gaming search notes media 2008 l.php recover reg r.php v2.0 settings bookmarks friends fundraisers
    sem_campaigns campaign reel reels stories video.php ajax about
    """.split()
)
_IG_SKIP = frozenset(
    "p reel reels tv explore accounts stories direct developer about legal web share s ar challenge emails".split()
)
_X_SKIP = frozenset(
    "intent share home hashtag search i login signup tos privacy settings explore notifications messages compose "
    "widgets widgets.js oauth account download en about logout".split()
)
_YT_SKIP = frozenset(
    "watch embed results feed playlist shorts live redirect t about account premium kids gaming s yt iframe_api "
    "player_api subscribe_widget signin logout upload v attribution_link hashtag post howyoutubeworks creators "
    "ads trends channels".split()
)
_PIN_SKIP = frozenset(
    "pin search ideas discover _ categories explore business login today topics settings password resource".split()
)
_GH_SKIP = frozenset(
    "login join features pricing about site marketplace topics sponsors settings explore collections trending "
    "search enterprise security customer-stories readme contact apps notifications new codespaces team".split()
)
_VIMEO_SKIP = frozenset("groups ondemand video categories blog upload join log_in watch features channels".split())
_FB_NAME_RE = re.compile(r"^[\w.\-]{2,80}$")
_IG_NAME_RE = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_X_NAME_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_GH_NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_PIN_NAME_RE = re.compile(r"^[A-Za-z0-9_]{3,30}$")
_TA_PATH_RE = re.compile(
    r"^(?:Restaurant_Review|Hotel_Review|Attraction_Review|AttractionProductReview|VacationRentalReview)"
    r"-g\d+-d\d+[\w.-]*$"
)
_HINT_RE = re.compile(
    r"facebook|fb\.com|instagr|linkedin|twitter|x\.com|youtube|tiktok|pinterest|yelp|github|threads|tripadvisor|"
    r"vimeo|xing|bsky|snapchat",
    re.I,
)
# Bare profile URLs in text ("facebook.com/acme"): anchored on the network name (a literal, so the scan is
# fast), then widened back over the host ("https://www.", "de-de.") before normalising.
_TEXT_URL_RE = re.compile(
    r"\b(?:facebook|instagram|linkedin|twitter|x|youtube|tiktok|pinterest|yelp|github|threads|tripadvisor)"
    r"\.(?:com\.au|com\.br|co\.uk|com|net|de|fr|es|it|ca|nl)/[^\s<>\"'()\[\]{},]{1,300}",
    re.I,
)
_HOST_PREFIX_RE = re.compile(r"(?:https?://)?(?:[\w-]{1,20}\.){0,2}$", re.I)


def _platform(host: str) -> tuple[str, str] | None:
    registrable = registrable_domain(host)
    if registrable is None:
        return None
    platform = _HOSTS.get(registrable)
    if platform:
        return platform, registrable
    label = registrable.split(".", 1)[0]
    if label in _HOST_LABELS:
        return _HOST_LABELS[label], registrable
    return None


def _facebook(segments: list[str], query: str, _host: str) -> str | None:
    first = segments[0].lower()
    if first == "profile.php":
        ids = parse_qs(query).get("id")
        return f"https://facebook.com/profile.php?id={ids[0]}" if ids and ids[0].isdigit() else None
    if first in {"pages", "people"} and len(segments) >= 2:
        return "https://facebook.com/" + "/".join(segments[:3])
    if first == "groups" and len(segments) >= 2:
        return f"https://facebook.com/groups/{segments[1].lower()}"
    if first in _FB_SKIP or not _FB_NAME_RE.match(first) or first.endswith(".php"):
        return None
    return f"https://facebook.com/{first}"


def _instagram(segments: list[str], _query: str, _host: str) -> str | None:
    first = segments[0].lower()
    if first in _IG_SKIP or not _IG_NAME_RE.match(first):
        return None
    return f"https://instagram.com/{first}"


def _linkedin(segments: list[str], _query: str, _host: str) -> str | None:
    kind = segments[0].lower()
    if kind not in {"company", "in", "school", "showcase"} or len(segments) < 2:
        return None
    return f"https://linkedin.com/{kind}/{segments[1].lower()}"


def _x(segments: list[str], _query: str, _host: str) -> str | None:
    handle = segments[0].lstrip("@").lower()
    if handle in _X_SKIP or not _X_NAME_RE.match(handle):
        return None
    return f"https://x.com/{handle}"


def _youtube(segments: list[str], _query: str, _host: str) -> str | None:
    first = segments[0]
    lowered = first.lower()
    if lowered in {"channel", "c", "user"}:
        if len(segments) < 2:
            return None
        name = segments[1] if lowered == "channel" else segments[1].lower()
        return f"https://youtube.com/{lowered}/{name}"
    if first.startswith("@") and len(first) > 1:
        return f"https://youtube.com/{lowered}"
    if lowered in _YT_SKIP or not _FB_NAME_RE.match(first):
        return None
    return f"https://youtube.com/{lowered}"


def _tiktok(segments: list[str], _query: str, _host: str) -> str | None:
    first = segments[0]
    if not first.startswith("@") or len(first) < 2:
        return None
    return f"https://tiktok.com/{first.lower()}"


def _pinterest(segments: list[str], _query: str, _host: str) -> str | None:
    first = segments[0].lower()
    if first in _PIN_SKIP or not _PIN_NAME_RE.match(first):
        return None
    return f"https://pinterest.com/{first}"


def _yelp(segments: list[str], _query: str, host: str) -> str | None:
    if segments[0].lower() != "biz" or len(segments) < 2:
        return None
    return f"https://{host}/biz/{segments[1].lower()}"


def _github(segments: list[str], _query: str, _host: str) -> str | None:
    first = segments[0].lower()
    if first == "orgs" and len(segments) >= 2:
        first = segments[1].lower()
    if first in _GH_SKIP or not _GH_NAME_RE.match(first):
        return None
    return f"https://github.com/{first}"


def _threads(segments: list[str], _query: str, _host: str) -> str | None:
    first = segments[0]
    if not first.startswith("@") or len(first) < 2:
        return None
    return f"https://threads.com/{first.lower()}"


def _tripadvisor(segments: list[str], _query: str, host: str) -> str | None:
    if not _TA_PATH_RE.match(segments[0]):
        return None
    return f"https://{host}/{segments[0]}"


def _vimeo(segments: list[str], _query: str, _host: str) -> str | None:
    first = segments[0].lower()
    if first.isdigit() or first in _VIMEO_SKIP or not _FB_NAME_RE.match(first):
        return None
    return f"https://vimeo.com/{first}"


def _xing(segments: list[str], _query: str, _host: str) -> str | None:
    kind = segments[0].lower()
    if kind not in {"pages", "companies", "profile"} or len(segments) < 2:
        return None
    return f"https://xing.com/{kind}/{segments[1]}"


def _bluesky(segments: list[str], _query: str, _host: str) -> str | None:
    if segments[0].lower() != "profile" or len(segments) < 2:
        return None
    return f"https://bsky.app/profile/{segments[1].lower()}"


def _snapchat(segments: list[str], _query: str, _host: str) -> str | None:
    if segments[0].lower() != "add" or len(segments) < 2:
        return None
    return f"https://snapchat.com/add/{segments[1].lower()}"


_NORMALIZERS: dict[str, Callable[[list[str], str, str], str | None]] = {
    "facebook": _facebook, "instagram": _instagram, "linkedin": _linkedin, "x": _x, "youtube": _youtube,
    "tiktok": _tiktok, "pinterest": _pinterest, "yelp": _yelp, "github": _github, "threads": _threads,
    "tripadvisor": _tripadvisor, "vimeo": _vimeo, "xing": _xing, "bluesky": _bluesky, "snapchat": _snapchat,
}


def normalize_social(url: str) -> tuple[str, str] | None:
    """(platform, canonical profile URL) for a social link, or None when it is not a profile link."""
    raw = url.strip()
    if not raw or len(raw) > 2000:
        return None
    if raw.startswith("//"):
        raw = "https:" + raw
    elif "://" not in raw[:12]:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        host = parts.hostname
    except ValueError:
        return None
    if not host or parts.scheme.lower() not in {"http", "https"}:
        return None
    found = _platform(host)
    if found is None:
        return None
    platform, registrable = found
    path = unquote(parts.path)
    if platform == "x" and not path.strip("/") and parts.fragment.startswith("!/"):
        path = parts.fragment[1:]  # old hashbang profile links: twitter.com/#!/acme
    segments = [segment for segment in path.split("/") if segment]
    if not segments or any(segment in _BLOCKED_WORDS for segment in segments[:2]):
        return None
    normalized = _NORMALIZERS[platform](segments, parts.query, registrable)
    return (platform, normalized) if normalized else None


def _plugin_target(url: str) -> str | None:
    """Facebook page plugins and similar embed their profile URL in an href= query parameter."""
    if "plugins" not in url or "href=" not in url:
        return None
    try:
        values = parse_qs(urlsplit(url).query).get("href")
    except ValueError:
        return None
    return values[0] if values else None


def _candidates(page: Page) -> Iterable[str]:
    for element in page.elements:
        tag = element.tag
        for attribute in ("href", "src") if tag in {"iframe", "embed"} else ("href",):
            value = element.get(attribute)
            if value:
                target = _plugin_target(value)
                yield target if target else value
        if tag == "meta":
            name = (element.get("name") or element.get("property") or "").lower()
            content = (element.get("content") or "").strip()
            if name == "twitter:site" and content:
                yield content if "/" in content else f"https://x.com/{content.lstrip('@')}"
            elif name == "article:publisher" and content:
                yield content
    for data in page.json_ld:
        for obj in iter_json_ld_objects(data):
            same_as = obj.get("sameAs")
            for value in same_as if isinstance(same_as, list) else [same_as]:
                if isinstance(value, str):
                    yield value
    if "." in page.text:
        text = page.text
        for match in _TEXT_URL_RE.finditer(text):
            start = match.start()
            prefix = _HOST_PREFIX_RE.search(text, max(0, start - 40), start)
            if prefix is not None:
                start = prefix.start()
            if start > 0 and text[start - 1] in "@/.":
                continue  # part of an address or of a longer URL on another host
            yield text[start : match.end()].rstrip(".,;:!?")


def extract_socials(page: Page) -> dict[str, list[str]]:
    """Platform -> distinct canonical profile URLs, in discovery order; platforms without links are absent."""
    result: dict[str, list[str]] = {}
    seen: set[str] = set()
    if page.root is None:
        return result
    for candidate in _candidates(page):
        if "." not in candidate or not _HINT_RE.search(candidate):
            continue
        found = normalize_social(candidate)
        if found is None:
            continue
        platform, url = found
        key = url.lower()
        if key in seen:
            continue
        seen.add(key)
        result.setdefault(platform, []).append(url)
    return result
