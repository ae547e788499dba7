"""The regex fast path and the lxml path must give identical records on any urlset.

Documents are generated from a fixed seed mixing plain blocks with everything the fast path
has to hand over to lxml (extensions, CDATA, comments, character references, attributes,
prefixes), then cut at random points and fed in random chunk sizes.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scrapersky_pipelines.lib.sitemaps import SitemapParser

URL = "https://example.com/sitemaps/sitemap.xml"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
EXT = (
    ' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"'
    ' xmlns:xhtml="http://www.w3.org/1999/xhtml" xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"'
)

LOCS = [
    "https://example.com/p/{i}",
    "https://example.com/q?a={i}&amp;b=2",
    "  https://example.com/pad/{i}  ",
    "\n    https://example.com/wrap/{i}\n    /tail\n  ",
    "/relative/{i}",
    "caf\u00e9/{i}",
    "https://example.com/lt&lt;{i}&gt;",
    "https://example.com/num&#38;{i}",
    "https://example.com/bare&{i}",
    "ftp://example.com/{i}",
    "",
]
LASTMODS = ["2024-05-08", "2024-05-08T10:00:00+02:00", "2024-05-08 08:53:11 PM", "junk", "", " 2024 "]
FREQS = ["daily", "Weekly", "sometimes", ""]
PRIOS = ["0.5", "1", ".3", "1.5", "x", ""]


def _block(rng: random.Random, i: int, prefixed: bool) -> str:
    loc = rng.choice(LOCS).format(i=i)
    fields = [f"<loc>{loc}</loc>"]
    for name, values in (("lastmod", LASTMODS), ("changefreq", FREQS), ("priority", PRIOS)):
        if rng.random() < 0.6:
            fields.append(f"<{name}>{rng.choice(values)}</{name}>")
    if rng.random() < 0.3:
        rng.shuffle(fields)
    if rng.random() < 0.1:
        fields.append(f'<image:image><image:loc>/img/{i}.jpg</image:loc></image:image>')
    if rng.random() < 0.05:
        fields.append(f'<xhtml:link rel="alternate" hreflang="de" href="/de/{i}"/>')
    if rng.random() < 0.05:
        fields[0] = f"<loc><![CDATA[https://example.com/cdata/{i}?x=1&y=2]]></loc>"
    if rng.random() < 0.05:
        fields.insert(1, "<!-- inside -->")
    sep = rng.choice(["", "\n", "\n    ", "\r\n  "])
    open_tag = rng.choice(["<url>"] * 18 + ['<url xmlns="">', '<url id="x">'])
    block = open_tag + sep + sep.join(fields) + sep + "</url>"
    if prefixed and rng.random() < 0.03:  # the fast path hands the rest of such a file to lxml
        block = f"<sm:url><sm:loc>https://example.com/prefixed/{i}</sm:loc></sm:url>"
    if rng.random() < 0.05:
        block += "\n<!-- between -->"
    return block


def _document(seed: int) -> bytes:
    rng = random.Random(seed)
    blocks = "\n".join(_block(rng, i, seed % 5 == 0) for i in range(rng.randint(1, 150)))
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}{EXT}>\n{blocks}\n</urlset>\n'
    return text.encode("utf-8")


def _parse(body: bytes, fast_path: bool, rng: random.Random) -> tuple[object, ...]:
    parser = SitemapParser(URL, fast_path=fast_path)
    items = []
    pos = 0
    while pos < len(body):
        step = rng.choice([1, 3, 17, 100, 1000, 8192])
        items += parser.feed(body[pos : pos + step])
        pos += step
    items += parser.close()
    flags = (parser.has_lastmod, parser.has_priority, parser.has_changefreq, parser.has_images, parser.has_alternates)
    return parser.kind, items, parser.truncated, flags, [w for w in parser.warnings if "XML" not in w]


@pytest.mark.parametrize("seed", range(40))
def test_fast_path_matches_lxml(seed: int) -> None:
    body = _document(seed)
    rng = random.Random(seed)
    cuts = [len(body)] + [rng.randrange(1, len(body)) for _ in range(2)]
    for cut in cuts:
        fast = _parse(body[:cut], True, random.Random(seed + cut))
        slow = _parse(body[:cut], False, random.Random(seed - cut))
        assert fast == slow, cut
    assert _parse(body, True, rng)[0] == "urlset"


CASES = Path(__file__).parent / "sitemap_cases"
TOKENS = [b"<", b">", b"&", b"]]>", b"<![CDATA[", b"<!--", b"-->", b"\x00", b"\xff", b"</url>", b"<url>", b"<loc>",
          b"</loc>", b"<?", b"?>", b"&#", b";", b"\r", b"\n", b"</urlset>", b"&#xFFFE;", "\ufffe".encode()]


@pytest.mark.parametrize("seed", range(6))
def test_mangled_fixtures_never_raise_and_both_paths_agree(seed: int) -> None:
    """Fixtures with random insertions and deletions: no exception escapes, both paths agree."""
    rng = random.Random(seed)
    bodies = [p.read_bytes() for p in sorted(CASES.glob("*.xml"))]
    for _ in range(60):
        body = bytearray(rng.choice(bodies))
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(body) + 1)
            if rng.random() < 0.3:
                del body[pos : pos + rng.randint(1, 20)]
            else:
                body[pos:pos] = rng.choice(TOKENS)
        fast = _parse(bytes(body), True, random.Random(seed))
        slow = _parse(bytes(body), False, random.Random(seed))
        assert fast[:2] == slow[:2], bytes(body)
        assert all(item.loc.startswith(("http://", "https://")) for item in fast[1])  # type: ignore[attr-defined]
