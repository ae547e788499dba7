"""Turn finished lxml elements (`<url>`, `<sitemap>`, RSS `<item>`, Atom `<entry>`) into records.

Elements are matched by local name, so every sitemap namespace variant (0.9, 0.84, https,
trailing slash, none, `xmlns=""`) reads the same. The url path is the hot loop of the
parser: one dict lookup per child element, no per-element string splitting.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from scrapersky_pipelines.lib.sitemap_records import (
    SitemapChild,
    SitemapEntry,
    SitemapImage,
    SitemapNews,
)
from scrapersky_pipelines.lib.sitemap_values import (
    CHANGEFREQS,
    clean_url,
    is_http_url,
    parse_changefreq,
    parse_lastmod,
    parse_priority,
)

_LOC, _LASTMOD, _CHANGEFREQ, _PRIORITY, _IMAGE, _VIDEO, _NEWS, _LINK = range(1, 9)
_URL_FIELDS = {
    "loc": _LOC,
    "lastmod": _LASTMOD,
    "changefreq": _CHANGEFREQ,
    "priority": _PRIORITY,
    "image": _IMAGE,
    "video": _VIDEO,
    "news": _NEWS,
    "link": _LINK,
}
ENTRY_CONTAINERS = frozenset({"urlset", "sitemapindex", "channel", "rdf", "feed"})
_VIDEO_URL_FIELDS = frozenset({"thumbnail_loc", "content_loc", "player_loc", "gallery_loc"})


def local_name(tag: object) -> str:
    """`{ns}name` -> `name`; comments, PIs and entity nodes (non-str tags) -> ""."""
    if type(tag) is not str:
        return ""
    return tag.rpartition("}")[2]


def _text(el: Any) -> str | None:
    """Element text including text nested in child elements (`<loc><url>CDATA</url></loc>`)."""
    text = el.text
    if len(el) and (text is None or not text.strip()):
        return "".join(t for t in el.itertext() if isinstance(t, str))
    return text


def _clean_text(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    # Titles are often HTML-escaped twice (&amp;amp;, &amp;eacute;); undo the second level.
    return html.unescape(text) if "&" in text else text


class ElementReader:
    """Reads sitemap/feed elements into records and keeps per-file statistics."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._codes: dict[object, int] = {}
        self.has_lastmod = False
        self.has_priority = False
        self.has_changefreq = False
        self.has_images = False
        self.has_videos = False
        self.has_news = False
        self.has_alternates = False
        self.bad_loc = 0
        self.bad_lastmod = 0
        self.bad_priority = 0
        self.bad_changefreq = 0
        self.bad_alternates = 0

    def _code(self, tag: object) -> int:
        code = _URL_FIELDS.get(local_name(tag), 0)
        if len(self._codes) < 4096:
            self._codes[tag] = code
        return code

    def url(self, el: Any) -> SitemapEntry | None:
        """A `<url>` element -> SitemapEntry (None when it has no usable `<loc>`)."""
        loc_el = lastmod = changefreq = priority = None
        extras: list[Any] | None = None
        codes = self._codes
        for child in el:
            tag = child.tag
            code = codes.get(tag)
            if code is None:
                code = self._code(tag)
            if code == _LOC:
                loc_el = child
            elif code == _LASTMOD:
                lastmod = child.text
            elif code == _CHANGEFREQ:
                changefreq = child.text
            elif code == _PRIORITY:
                priority = child.text
            elif code:
                if extras is None:
                    extras = []
                extras.append((code, child))
        if loc_el is None:
            self.bad_loc += 1
            return None
        loc = loc_el.text
        if len(loc_el) and (loc is None or not loc.strip()):
            loc = _text(loc_el)
        return self.values(loc, lastmod, changefreq, priority, extras)

    def values(
        self,
        loc_text: str | None,
        lastmod: str | None,
        changefreq: str | None,
        priority: str | None,
        extras: list[Any] | None = None,
    ) -> SitemapEntry | None:
        """Build an entry from the raw texts of a `<url>` (shared by the lxml and regex paths)."""
        loc = clean_url(loc_text, self.base_url)
        if loc is None:
            self.bad_loc += 1
            return None
        lm = cf = pr = None
        if lastmod is not None:
            lm = parse_lastmod(lastmod)
            if lm is not None:
                self.has_lastmod = True
            elif lastmod.strip():
                self.bad_lastmod += 1
        if changefreq is not None:
            cf = changefreq if changefreq in CHANGEFREQS else parse_changefreq(changefreq)
            if cf is not None:
                self.has_changefreq = True
            elif changefreq.strip():
                self.bad_changefreq += 1
        if priority is not None:
            pr = parse_priority(priority)
            if pr is not None:
                self.has_priority = True
            elif priority.strip():
                self.bad_priority += 1
        if extras is None:
            return SitemapEntry(loc, lm, cf, pr)
        return self._with_extensions(loc, lm, cf, pr, extras)

    def _with_extensions(
        self, loc: str, lm: datetime | None, cf: str | None, pr: float | None, extras: list[Any]
    ) -> SitemapEntry:
        images: list[SitemapImage] = []
        videos: list[Mapping[str, str]] = []
        news: SitemapNews | None = None
        alternates: dict[str, str] = {}
        for code, child in extras:
            if code == _IMAGE:
                image = self._image(child)
                if image is not None:
                    images.append(image)
            elif code == _VIDEO:
                video = self._video(child)
                if video:
                    videos.append(video)
            elif code == _NEWS:
                news = self._news(child) or news
            elif code == _LINK:
                self._alternate(child, alternates)
        self.has_images |= bool(images)
        self.has_videos |= bool(videos)
        self.has_news |= news is not None
        self.has_alternates |= bool(alternates)
        return SitemapEntry(
            loc, lm, cf, pr, tuple(images), tuple(videos), news, alternates
        )

    def _image(self, el: Any) -> SitemapImage | None:
        fields: dict[str, str | None] = {}
        for child in el:
            name = local_name(child.tag)
            if name:
                fields.setdefault(name, _text(child))
        loc = clean_url(fields.get("loc"), self.base_url)
        if loc is None:
            return None
        return SitemapImage(
            loc,
            _clean_text(fields.get("title")),
            _clean_text(fields.get("caption")),
            _clean_text(fields.get("geo_location")),
            _clean_text(fields.get("license")),
        )

    def _video(self, el: Any) -> dict[str, str]:
        video: dict[str, str] = {}
        for child in el:
            name = local_name(child.tag)
            if not name:
                continue
            value = _clean_text(_text(child))
            if name in _VIDEO_URL_FIELDS:
                value = clean_url(value, self.base_url)
            if not value:
                continue
            if name == "tag" and "tag" in video:
                video["tag"] = f"{video['tag']}, {value}"
            else:
                video.setdefault(name, value)
        return video

    def _news(self, el: Any) -> SitemapNews | None:
        fields: dict[str, str | None] = {}
        for child in el:
            name = local_name(child.tag)
            if name == "publication":
                for sub in child:
                    sub_name = local_name(sub.tag)
                    if sub_name in ("name", "language"):
                        fields.setdefault(sub_name, _clean_text(_text(sub)))
            elif name:
                fields.setdefault(name, _clean_text(_text(child)))
        news = SitemapNews(
            publication_name=fields.get("name"),
            language=fields.get("language"),
            title=fields.get("title"),
            publication_date=parse_lastmod(fields.get("publication_date")),
            keywords=fields.get("keywords"),
            genres=fields.get("genres"),
        )
        if news.title is None and news.publication_name is None and news.publication_date is None:
            return None
        return news

    def _alternate(self, el: Any, alternates: dict[str, str]) -> None:
        if (el.get("rel") or "").strip().lower() != "alternate":
            return
        hreflang = (el.get("hreflang") or "").strip()
        href = clean_url(el.get("href"), self.base_url)
        if not hreflang or href is None:
            self.bad_alternates += 1
            return
        alternates.setdefault(hreflang, href)

    def sitemap(self, el: Any) -> SitemapChild | None:
        """A `<sitemap>` element of an index -> SitemapChild."""
        loc = lastmod = None
        for child in el:
            name = local_name(child.tag)
            if name == "loc":
                loc = clean_url(_text(child), self.base_url)
            elif name == "lastmod":
                lastmod = child.text
        if loc is None:
            self.bad_loc += 1
            return None
        lm = parse_lastmod(lastmod)
        if lm is not None:
            self.has_lastmod = True
        elif lastmod is not None and lastmod.strip():
            self.bad_lastmod += 1
        return SitemapChild(loc, lm)

    def rss_item(self, el: Any) -> SitemapEntry | None:
        """An RSS 2.0 / RSS 1.0 `<item>` -> SitemapEntry (link, else a permalink guid, else rdf:about)."""
        link = guid = date = title = None
        for child in el:
            name = local_name(child.tag)
            if name == "link":
                link = link or child.text or child.get("href")
            elif name == "guid" and (child.get("isPermaLink") or "true").lower() != "false":
                guid = child.text
            elif name in ("pubDate", "date", "updated", "modified") and date is None:
                date = child.text
            elif name == "title":
                title = child.text
        loc = clean_url(link, self.base_url)
        if loc is None and guid is not None and is_http_url(guid.strip()):
            loc = clean_url(guid, self.base_url)  # a guid is often an opaque id, never a relative URL
        if loc is None:
            about = next((v for k, v in el.attrib.items() if local_name(k) == "about"), None)
            loc = clean_url(about, self.base_url)
        return self._feed_entry(loc, date, title)

    def atom_entry(self, el: Any) -> SitemapEntry | None:
        """An Atom 0.3/1.0 `<entry>` -> SitemapEntry (rel=alternate link first, then any link)."""
        links: list[tuple[str, str]] = []
        dates: dict[str, str] = {}
        title = None
        for child in el:
            name = local_name(child.tag)
            if name == "link":
                href = child.get("href") or child.text
                if href:
                    links.append(((child.get("rel") or "alternate").strip().lower(), href))
            elif name in ("updated", "modified", "published", "issued", "created"):
                dates.setdefault(name, child.text or "")
            elif name == "title":
                title = child.text
        links.sort(key=lambda link: link[0] != "alternate")
        loc = next((u for u in (clean_url(h, self.base_url) for _, h in links) if u), None)
        date = next(
            (dates[k] for k in ("updated", "modified", "published", "issued", "created") if dates.get(k)),
            None,
        )
        return self._feed_entry(loc, date, title)

    def _feed_entry(self, loc: str | None, date: str | None, title: str | None) -> SitemapEntry | None:
        if loc is None:
            self.bad_loc += 1
            return None
        lm = parse_lastmod(date)
        if lm is not None:
            self.has_lastmod = True
        elif date is not None and date.strip():
            self.bad_lastmod += 1
        return SitemapEntry(loc, lm, title=_clean_text(title))

    def skip_warnings(self) -> list[str]:
        """Aggregated notes about values that were dropped (one line per kind, not per entry)."""
        notes = []
        for count, what in (
            (self.bad_loc, "entries without a usable http(s) <loc>/<link> skipped"),
            (self.bad_lastmod, "unparsable dates set to None"),
            (self.bad_priority, "priorities outside 0..1 or not numbers set to None"),
            (self.bad_changefreq, "changefreq values outside the protocol set to None"),
            (self.bad_alternates, "hreflang links without hreflang/href ignored"),
        ):
            if count:
                notes.append(f"{count} {what}")
        return notes
