"""Table-driven tests for URL-based page classification."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.pages import (
    CATEGORIES,
    CONTACT_THRESHOLD,
    PageClass,
    classify_url,
    contact_priority,
    is_contact_candidate,
)

S = "https://acme.com"

# (url, category, depth, queued for contact scraping)
CLASSIFIED = [
    # contact: extensions, slashes, case, locales, languages
    (f"{S}/contact", "contact", 1, True),
    (f"{S}/contact/", "contact", 1, True),
    (f"{S}/Contact-Us", "contact", 1, True),
    (f"{S}/contact-us.php", "contact", 1, True),
    (f"{S}/contact.html", "contact", 1, True),
    (f"{S}/CONTACT.HTM", "contact", 1, True),
    (f"{S}/contact.aspx", "contact", 1, True),
    (f"{S}/contact.asp", "contact", 1, True),
    (f"{S}/contact.jsp", "contact", 1, True),
    (f"{S}/contact?ref=nav", "contact", 1, True),
    (f"{S}/contact?utm_source=newsletter", "contact", 1, True),
    (f"{S}/contact%20us", "contact", 1, True),
    (f"{S}/contact_us", "contact", 1, True),
    (f"{S}/get-in-touch", "contact", 1, True),
    (f"{S}/en/contact", "contact", 1, True),
    (f"{S}/en-gb/contact-us/", "contact", 1, True),
    (f"{S}/us/en/contact-us", "contact", 1, True),
    (f"{S}/de/kontakt", "contact", 1, True),
    (f"{S}/de-de/kontakt.html", "contact", 1, True),
    (f"{S}/kontaktformular", "contact", 1, True),
    (f"{S}/kontaktanfrage", "contact", 1, True),
    (f"{S}/es/contacto", "contact", 1, True),
    (f"{S}/contactenos", "contact", 1, True),
    (f"{S}/it/contatti.php", "contact", 1, True),
    (f"{S}/pt-br/fale-conosco", "contact", 1, True),
    (f"{S}/contato", "contact", 1, True),
    (f"{S}/fr_FR/nous-contacter", "contact", 1, True),
    (f"{S}/contactez-nous", "contact", 1, True),
    (f"{S}/nl/neem-contact-op", "contact", 1, True),
    (f"{S}/%E3%81%8A%E5%95%8F%E3%81%84%E5%90%88%E3%82%8F%E3%81%9B", "contact", 1, True),
    (f"{S}/company/contact", "contact", 2, True),
    (f"{S}/pages/contact", "contact", 2, True),
    (f"{S}/my/contact", "contact", 2, True),
    (f"{S}/contact-form", "contact", 1, True),
    (f"{S}/index.php?option=com_contact&view=contact", "contact", 0, True),
    (f"{S}/index.php?route=information/contact", "contact", 0, True),
    (f"{S}/contact/thank-you", "contact", 2, False),
    (f"{S}/how-to-contact-us", "contact", 1, False),
    # about
    (f"{S}/about", "about", 1, True),
    (f"{S}/about-us/", "about", 1, True),
    (f"{S}/about-us.html", "about", 1, True),
    (f"{S}/ueber-uns", "about", 1, True),
    (f"{S}/%C3%BCber-uns", "about", 1, True),
    (f"{S}/de/unternehmen", "about", 1, True),
    (f"{S}/a-propos", "about", 1, True),
    (f"{S}/fr/qui-sommes-nous", "about", 1, True),
    (f"{S}/quienes-somos", "about", 1, True),
    (f"{S}/sobre-nosotros", "about", 1, True),
    (f"{S}/chi-siamo", "about", 1, True),
    (f"{S}/over-ons", "about", 1, True),
    (f"{S}/our-story", "about", 1, True),
    # team
    (f"{S}/team", "team", 1, True),
    (f"{S}/about/team", "team", 2, True),
    (f"{S}/meet-the-team", "team", 1, True),
    (f"{S}/equipo", "team", 1, True),
    (f"{S}/fr/equipe", "team", 1, True),
    (f"{S}/team/john-smith", "team", 2, False),
    # careers
    (f"{S}/careers", "careers", 1, False),
    (f"{S}/jobs/", "careers", 1, False),
    (f"{S}/careers/senior-plumber", "careers", 2, False),
    (f"{S}/karriere", "careers", 1, False),
    (f"{S}/empleo", "careers", 1, False),
    (f"{S}/trabaja-con-nosotros", "careers", 1, False),
    (f"{S}/vacatures", "careers", 1, False),
    # legal
    (f"{S}/impressum", "legal", 1, True),
    (f"{S}/impressum.php", "legal", 1, True),
    (f"{S}/datenschutz", "legal", 1, True),
    (f"{S}/datenschutzerklaerung", "legal", 1, True),
    (f"{S}/de/datenschutzhinweise", "legal", 1, True),
    (f"{S}/mentions-legales", "legal", 1, True),
    (f"{S}/aviso-legal", "legal", 1, True),
    (f"{S}/politica-de-privacidad", "legal", 1, True),
    (f"{S}/privacy-policy/", "legal", 1, True),
    (f"{S}/legal/privacy", "legal", 2, True),
    (f"{S}/terms-and-conditions", "legal", 1, True),
    (f"{S}/agb", "legal", 1, True),
    # services
    (f"{S}/services", "services", 1, False),
    (f"{S}/services/drain-cleaning", "services", 2, False),
    (f"{S}/leistungen", "services", 1, False),
    (f"{S}/servicios", "services", 1, False),
    (f"{S}/servizi", "services", 1, False),
    (f"{S}/what-we-do", "services", 1, False),
    # pricing
    (f"{S}/pricing", "pricing", 1, False),
    (f"{S}/preise", "pricing", 1, False),
    (f"{S}/precios", "pricing", 1, False),
    (f"{S}/fr/tarifs", "pricing", 1, False),
    (f"{S}/prezzi", "pricing", 1, False),
    # menu
    (f"{S}/menu", "menu", 1, False),
    (f"{S}/menu/", "menu", 1, False),
    (f"{S}/speisekarte", "menu", 1, False),
    (f"{S}/carta", "menu", 1, False),
    (f"{S}/es/la-carta", "menu", 1, False),
    (f"{S}/dinner-menu", "menu", 1, False),
    (f"{S}/seasonal-menu", "menu", 1, False),
    # blog
    (f"{S}/blog", "blog", 1, False),
    (f"{S}/blog/how-to-contact-us", "blog", 2, False),
    (f"{S}/blog/2024/05/my-post", "blog", 4, False),
    (f"{S}/news/we-are-hiring", "blog", 2, False),
    (f"{S}/aktuelles", "blog", 1, False),
    (f"{S}/noticias/nueva-tienda", "blog", 2, False),
    # product
    (f"{S}/products/widget-3000", "product", 2, False),
    (f"{S}/shop", "product", 1, False),
    (f"{S}/produkte/kaffeemaschine", "product", 2, False),
    (f"{S}/tienda", "product", 1, False),
    # other
    (f"{S}/", "other", 0, False),
    (S, "other", 0, False),
    (f"{S}/index.php", "other", 0, False),
    (f"{S}/en/index.html", "other", 0, False),
    (f"{S}/en/", "other", 0, False),
    (f"{S}/?p=123", "other", 0, False),
    (f"{S}/some-random-page", "other", 1, False),
    (f"{S}/2019/07/summer", "other", 3, False),
    (f"{S}/company", "about", 1, True),
    ("/contact", "contact", 1, True),
]


@pytest.mark.parametrize(("url", "category", "depth", "queued"), CLASSIFIED)
def test_classify_url(url: str, category: str, depth: int, queued: bool) -> None:
    pc = classify_url(url)
    assert (pc.category, pc.depth, pc.filtered) == (category, depth, False)
    assert is_contact_candidate(pc) is queued
    assert pc.category in CATEGORIES
    assert 0.0 <= pc.confidence <= 1.0


FILTERED = [
    (f"{S}/wp-content/uploads/2024/01/logo.png", "WordPress upload", 5),
    (f"{S}/wp-content/uploads/2024/01/contact", "WordPress upload", 5),
    (f"{S}/wp-content/themes/x/style.css", "WordPress system path", 4),
    (f"{S}/wp-includes/js/jquery.js", "WordPress system path", 3),
    (f"{S}/wp-json/wp/v2/posts", "WordPress API", 4),
    (f"{S}/wp-login.php", "WordPress system path", 1),
    (f"{S}/feed/", "feed", 1),
    (f"{S}/blog/feed", "feed", 2),
    (f"{S}/comments/feed/", "feed", 2),
    (f"{S}/rss", "feed", 1),
    (f"{S}/images/photo.JPG", "image: .jpg", 2),
    (f"{S}/contact.png", "image: .png", 1),
    (f"{S}/logo.svg", "image: .svg", 1),
    (f"{S}/menu.pdf", "document: .pdf", 1),
    (f"{S}/files/price-list.xlsx", "document: .xlsx", 2),
    (f"{S}/style.css", "stylesheet or script: .css", 1),
    (f"{S}/app.js?v=3", "stylesheet or script: .js", 1),
    (f"{S}/sitemap.xml", "data or feed: .xml", 1),
    (f"{S}/blog.rss", "data or feed: .rss", 1),
    (f"{S}/video.mp4", "media: .mp4", 1),
    (f"{S}/podcast/ep1.mp3", "media: .mp3", 2),
    (f"{S}/files/a.zip", "archive or binary: .zip", 2),
    (f"{S}/fonts/a.woff2", "font: .woff2", 2),
    (f"{S}/cdn-cgi/l/email-protection", "CDN system path", 3),
    (f"{S}/blog/post?replytocom=5", "comment reply link", 2),
    (f"{S}/shop/?add-to-cart=12", "cart action", 1),
    ("mailto:info@acme.com", "not an http(s) URL", 0),
    ("ftp://acme.com/contact", "not an http(s) URL", 0),
]


@pytest.mark.parametrize(("url", "reason", "depth"), FILTERED)
def test_filtered_urls_keep_a_reason(url: str, reason: str, depth: int) -> None:
    pc = classify_url(url)
    assert pc.filtered
    assert pc.reason == reason
    assert pc.depth == depth
    assert contact_priority(pc) == 9
    assert not is_contact_candidate(pc)


def test_shallow_exact_beats_deep_or_partial() -> None:
    shallow = classify_url(f"{S}/contact").confidence
    deeper = classify_url(f"{S}/company/contact").confidence
    deepest = classify_url(f"{S}/a/b/c/d/e/contact").confidence
    prefix = classify_url(f"{S}/contactform").confidence
    partial = classify_url(f"{S}/how-to-contact-us").confidence
    assert shallow > deeper > deepest
    assert shallow > prefix > partial
    assert partial < CONTACT_THRESHOLD <= prefix


def test_blog_post_mentioning_contact_is_not_urgent() -> None:
    post = classify_url(f"{S}/blog/how-to-contact-us")
    assert contact_priority(post) > contact_priority(classify_url(f"{S}/about"))


def test_locale_prefix_does_not_change_the_result() -> None:
    plain = classify_url(f"{S}/contact")
    for prefix in ("/en", "/de-de", "/fr_FR", "/es", "/pt-BR", "/zh-hans", "/es-419", "/us/en"):
        assert classify_url(f"{S}{prefix}/contact") == plain


def test_contact_priority_orders_crawling() -> None:
    ordered = [
        f"{S}/contact",
        f"{S}/",
        f"{S}/impressum",
        f"{S}/careers",
        f"{S}/services",
        f"{S}/some-page",
        f"{S}/blog/some-post",
        f"{S}/logo.png",
    ]
    priorities = [contact_priority(classify_url(u)) for u in ordered]
    assert priorities == sorted(priorities)
    assert priorities[0] == 1 and priorities[-1] == 9


def test_page_class_is_a_frozen_record() -> None:
    pc = classify_url(f"{S}/contact")
    assert pc == PageClass("contact", pc.confidence, 1, False, "exact:contact")
    with pytest.raises(AttributeError):
        pc.category = "other"  # type: ignore[misc]


def test_unparseable_url_is_filtered_not_raised() -> None:
    pc = classify_url("http://[bad/contact")
    assert pc.filtered and pc.reason == "unparseable URL"
