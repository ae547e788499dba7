"""Tests for social-profile extraction and canonical URLs (`lib.socials`)."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.html_text import parse_page
from scrapersky_pipelines.lib.socials import extract_socials, normalize_social

PROFILES = [
    ("https://www.facebook.com/AcmeBakery/", ("facebook", "https://facebook.com/acmebakery")),
    ("http://m.facebook.com/acmebakery?ref=bookmarks", ("facebook", "https://facebook.com/acmebakery")),
    ("https://de-de.facebook.com/acme.bakery", ("facebook", "https://facebook.com/acme.bakery")),
    ("//facebook.com/profile.php?id=100012345678901&sk=about",
     ("facebook", "https://facebook.com/profile.php?id=100012345678901")),
    ("https://www.facebook.com/pages/Acme-Bakery/123456789",
     ("facebook", "https://facebook.com/pages/Acme-Bakery/123456789")),
    ("https://facebook.com/groups/AcmeFans/", ("facebook", "https://facebook.com/groups/acmefans")),
    ("https://fb.com/acmebakery", ("facebook", "https://facebook.com/acmebakery")),
    ("https://www.facebook.com/acmebakery/posts/pfbid0abc", ("facebook", "https://facebook.com/acmebakery")),
    ("https://www.instagram.com/acme.bakery/?hl=en", ("instagram", "https://instagram.com/acme.bakery")),
    ("instagram.com/Acme_Bakery", ("instagram", "https://instagram.com/acme_bakery")),
    ("https://instagr.am/acmebakery", ("instagram", "https://instagram.com/acmebakery")),
    ("https://twitter.com/AcmeBakery", ("x", "https://x.com/acmebakery")),
    ("https://mobile.twitter.com/acmebakery/status/1234567890", ("x", "https://x.com/acmebakery")),
    ("https://x.com/@acmebakery", ("x", "https://x.com/acmebakery")),
    ("https://twitter.com/#!/acmebakery", ("x", "https://x.com/acmebakery")),
    ("https://www.linkedin.com/company/acme-bakery-gmbh/about/",
     ("linkedin", "https://linkedin.com/company/acme-bakery-gmbh")),
    ("https://de.linkedin.com/in/Anna-Schmidt-12ab34", ("linkedin", "https://linkedin.com/in/anna-schmidt-12ab34")),
    ("https://www.youtube.com/@AcmeBakery/videos", ("youtube", "https://youtube.com/@acmebakery")),
    ("https://www.youtube.com/channel/UCabcDEF123_-xyz", ("youtube", "https://youtube.com/channel/UCabcDEF123_-xyz")),
    ("https://youtube.com/user/AcmeBakery?sub_confirmation=1", ("youtube", "https://youtube.com/user/acmebakery")),
    ("https://www.youtube.com/c/AcmeBakery", ("youtube", "https://youtube.com/c/acmebakery")),
    ("https://www.tiktok.com/@acme.bakery?lang=de", ("tiktok", "https://tiktok.com/@acme.bakery")),
    ("https://www.tiktok.com/@acmebakery/video/7234567890123456789", ("tiktok", "https://tiktok.com/@acmebakery")),
    ("https://www.pinterest.co.uk/acmebakery/", ("pinterest", "https://pinterest.com/acmebakery")),
    ("https://www.yelp.com/biz/acme-bakery-san-francisco?osq=bread",
     ("yelp", "https://yelp.com/biz/acme-bakery-san-francisco")),
    ("https://www.yelp.co.uk/biz/acme-bakery-london", ("yelp", "https://yelp.co.uk/biz/acme-bakery-london")),
    ("https://github.com/acme-bakery/website", ("github", "https://github.com/acme-bakery")),
    ("https://github.com/orgs/acme-bakery/people", ("github", "https://github.com/acme-bakery")),
    ("https://www.threads.net/@acmebakery", ("threads", "https://threads.com/@acmebakery")),
    ("https://www.tripadvisor.de/Restaurant_Review-g187323-d1234567-Reviews-Acme-Berlin.html",
     ("tripadvisor", "https://tripadvisor.de/Restaurant_Review-g187323-d1234567-Reviews-Acme-Berlin.html")),
    ("https://vimeo.com/acmebakery", ("vimeo", "https://vimeo.com/acmebakery")),
    ("https://www.xing.com/pages/acme-bakery", ("xing", "https://xing.com/pages/acme-bakery")),
    ("https://bsky.app/profile/acme.bsky.social", ("bluesky", "https://bsky.app/profile/acme.bsky.social")),
    ("https://www.snapchat.com/add/acmebakery", ("snapchat", "https://snapchat.com/add/acmebakery")),
]


@pytest.mark.parametrize(("url", "expected"), PROFILES)
def test_profiles_are_normalised(url: str, expected: tuple[str, str]) -> None:
    assert normalize_social(url) == expected


NOT_PROFILES = [
    "https://www.facebook.com/sharer/sharer.php?u=https://acme.de",
    "https://www.facebook.com/sharer.php?u=https://acme.de",
    "https://www.facebook.com/dialog/share?app_id=1&href=https://acme.de",
    "https://www.facebook.com/plugins/like.php?href=https://acme.de",
    "https://www.facebook.com/tr?id=123456&ev=PageView",
    "https://www.facebook.com/events/123456789/",
    "https://www.facebook.com/help/",
    "https://www.facebook.com/login.php",
    "https://www.facebook.com/hashtag/bakery",
    "https://l.facebook.com/l.php?u=https://acme.de",
    "https://www.facebook.com/",
    "https://twitter.com/intent/tweet?text=hi&url=https://acme.de",
    "https://twitter.com/share?url=https://acme.de",
    "https://x.com/intent/follow?screen_name=acme",
    "https://twitter.com/hashtag/bakery",
    "https://twitter.com/search?q=acme",
    "https://twitter.com/home?status=hello",
    "https://www.linkedin.com/shareArticle?mini=true&url=https://acme.de",
    "https://www.linkedin.com/sharing/share-offsite/?url=https://acme.de",
    "https://www.linkedin.com/feed/",
    "https://pinterest.com/pin/create/button/?url=https://acme.de",
    "https://www.pinterest.com/pin/123456789/",
    "https://www.instagram.com/p/C2xYz7aBcDe/",
    "https://www.instagram.com/reel/C2xYz7aBcDe/",
    "https://www.instagram.com/explore/tags/bakery/",
    "https://www.instagram.com/accounts/login/",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com/embed/dQw4w9WgXcQ",
    "https://youtu.be/dQw4w9WgXcQ",
    "https://www.youtube.com/results?search_query=bakery",
    "https://www.tiktok.com/embed/v2/7234567890",
    "https://www.yelp.com/search?find_desc=bakery",
    "https://github.com/login",
    "https://api.whatsapp.com/send?text=https://acme.de",
    "https://www.acme.de/facebook",
    "mailto:info@facebook.com",
    "javascript:void(0)",
    "https://facebook.com.evil.example/acme",
    "https://notfacebook.com/acme",
]


@pytest.mark.parametrize("url", NOT_PROFILES)
def test_share_intent_plugin_and_content_links_are_not_profiles(url: str) -> None:
    assert normalize_social(url) is None


def test_extract_from_links_plugins_meta_json_ld_and_text() -> None:
    html = """<html><head>
    <meta name="twitter:site" content="@AcmeBakery">
    <meta property="article:publisher" content="https://www.facebook.com/acmebakery">
    <script type="application/ld+json">{"@type": "Bakery", "sameAs": ["https://www.instagram.com/acme.bakery/",
      "https://www.linkedin.com/company/acme-bakery/", "https://acme.de/"]}</script></head><body>
    <a href="https://www.facebook.com/AcmeBakery/">Facebook</a>
    <a href="https://www.facebook.com/sharer/sharer.php?u=https://acme.de">Share</a>
    <iframe src="https://www.facebook.com/plugins/page.php?href=https%3A%2F%2Fwww.facebook.com%2Facmecafe&amp;tabs=t">
    </iframe>
    <p>Find us on youtube.com/@acmebakery and www.tiktok.com/@acmebakery.</p>
    <noscript><a href="https://www.pinterest.de/acmebakery/">Pinterest</a></noscript>
    </body></html>"""
    assert extract_socials(parse_page(html)) == {
        "x": ["https://x.com/acmebakery"],
        "facebook": ["https://facebook.com/acmebakery", "https://facebook.com/acmecafe"],
        "instagram": ["https://instagram.com/acme.bakery"],
        "linkedin": ["https://linkedin.com/company/acme-bakery"],
        "pinterest": ["https://pinterest.com/acmebakery"],
        "youtube": ["https://youtube.com/@acmebakery"],
        "tiktok": ["https://tiktok.com/@acmebakery"],
    }


def test_empty_and_garbage() -> None:
    assert extract_socials(parse_page("")) == {}
    garbage = '<a href="http://[::1">x</a><a href="https://facebook.com/' + "a" * 3000 + '">'
    assert extract_socials(parse_page(garbage)) == {}
    assert normalize_social("") is None
    assert normalize_social("https://") is None
