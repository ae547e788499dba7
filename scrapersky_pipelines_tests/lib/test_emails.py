"""Tests for email extraction from pages (`lib.emails`): every source, every obfuscation, every look-alike."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.emails import MAX_EMAILS, EmailHit, extract_emails
from scrapersky_pipelines.lib.html_text import parse_page

URL_DOMAIN = "acme-bakery.de"


def cf(address: str, key: int = 0x42) -> str:
    """Cloudflare's encoding, written out here (XOR with the first byte, UTF-8 plaintext)."""
    return f"{key:02x}" + "".join(f"{byte ^ key:02x}" for byte in address.encode("utf-8"))


def found(html: str, page_domain: str | None = URL_DOMAIN) -> dict[str, EmailHit]:
    hits, _names = extract_emails(parse_page(html), page_domain)
    return {hit.address: hit for hit in hits}


def addresses(html: str, page_domain: str | None = URL_DOMAIN) -> set[str]:
    return set(found(html, page_domain))


# --- sources --------------------------------------------------------------------------------------------------

MAILTO_CASES = [
    ('<a href="mailto:info@acme-bakery.de">x</a>', {"info@acme-bakery.de"}),
    ('<a href="MAILTO:Info@ACME-Bakery.DE">x</a>', {"Info@acme-bakery.de"}),
    ('<a href="mailto:info@acme-bakery.de?subject=Hallo%20Welt&amp;body=Hi">x</a>', {"info@acme-bakery.de"}),
    ('<a href="mailto:%69%6E%66%6F%40acme-bakery.de">x</a>', {"info@acme-bakery.de"}),
    ('<a href="mailto:info%40acme-bakery.de%3Fsubject%3DHi">x</a>', {"info@acme-bakery.de"}),
    ('<a href="&#109;&#97;&#105;&#108;&#116;&#111;&#58;&#105;&#110;&#102;&#111;&#64;acme-bakery&#46;de">x</a>',
     {"info@acme-bakery.de"}),
    ('<a href="mailto:info@acme-bakery.de,sales@acme-bakery.de;jobs@acme-bakery.de">x</a>',
     {"info@acme-bakery.de", "sales@acme-bakery.de", "jobs@acme-bakery.de"}),
    ('<a href="mailto:info@acme-bakery.de?cc=chef@acme-bakery.de&amp;bcc=log@acme-bakery.de">x</a>',
     {"info@acme-bakery.de", "chef@acme-bakery.de", "log@acme-bakery.de"}),
    ('<a href="mailto:Hans%20M%C3%BCller%20%3Chans.mueller@acme-bakery.de%3E">Hans</a>',
     {"hans.mueller@acme-bakery.de"}),
    ('<a href="mailto:?subject=share">share by mail</a>', set()),
    ('<a href="mailto:info(at)acme-bakery(dot)de">x</a>', {"info@acme-bakery.de"}),
    ('<a href="mailto://info@acme-bakery.de">x</a>', {"info@acme-bakery.de"}),
    ('<a href="mailto:in\u200bfo@acme-bakery.de">x</a>', {"info@acme-bakery.de"}),
]


@pytest.mark.parametrize(("html", "expected"), MAILTO_CASES)
def test_mailto_links(html: str, expected: set[str]) -> None:
    hits = found(html)
    assert set(hits) == expected
    assert all(hit.source == "mailto" for hit in hits.values())


def test_cloudflare_span_and_link_decode_as_utf8_and_deduplicate() -> None:
    html = (
        f'<a href="/cdn-cgi/l/email-protection#{cf("info@acme-bakery.de")}">'
        f'<span class="__cf_email__" data-cfemail="{cf("info@acme-bakery.de", 0x9d)}">[email&#160;protected]</span></a>'
        f'<span class="__cf_email__" data-cfemail="{cf("josé@bäckerei.de")}">[email&#160;protected]</span>'
        f'<a href="/cdn-cgi/l/email-protection#{cf("mailto:sales@acme-bakery.de?subject=x")}">x</a>'
        '<a href="/cdn-cgi/l/email-protection">[email&#160;protected]</a><span data-cfemail="zz">bad</span>'
    )
    hits = found(html)
    assert set(hits) == {"info@acme-bakery.de", "josé@bäckerei.de", "sales@acme-bakery.de"}
    assert {hit.source for hit in hits.values()} == {"cfemail"}


def test_json_ld_and_microdata() -> None:
    html = """
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "LocalBusiness", "email": "mailto:info@acme-bakery.de",
       "contactPoint": {"@type": "ContactPoint", "email": ["orders@acme-bakery.de"]},
       "description": "Write to press@acme-bakery.de"},
      {"@type": "Person", "name": "Anna Schmidt", "email": "anna.schmidt@acme-bakery.de"}]}</script>
    <div itemscope itemtype="https://schema.org/Person"><span itemprop="name">Jonas Weber</span>
      <a itemprop="email" href="mailto:j.weber@acme-bakery.de">Mail</a></div>
    <div itemscope itemtype="https://schema.org/Bakery"><meta itemprop="email" content="shop@acme-bakery.de"></div>
    """
    hits, names = extract_emails(parse_page(html), URL_DOMAIN)
    by_address = {hit.address: hit for hit in hits}
    assert set(by_address) == {"info@acme-bakery.de", "orders@acme-bakery.de", "press@acme-bakery.de",
                               "anna.schmidt@acme-bakery.de", "j.weber@acme-bakery.de", "shop@acme-bakery.de"}
    assert by_address["info@acme-bakery.de"].source == "json-ld"
    assert by_address["shop@acme-bakery.de"].source == "microdata"
    assert names == {"anna.schmidt@acme-bakery.de": "Anna Schmidt", "j.weber@acme-bakery.de": "Jonas Weber"}


TEXT_CASES = [
    ("<p>E-Mail: info@acme-bakery.de.</p>", {"info@acme-bakery.de"}),
    ("<p>(info@acme-bakery.de), <info2@acme-bakery.de>; 'info3@acme-bakery.de'</p>",
     {"info@acme-bakery.de", "info3@acme-bakery.de"}),  # <info2@...> is parsed as a tag by any browser
    ("<p>&lt;info2@acme-bakery.de&gt;</p>", {"info2@acme-bakery.de"}),
    ("<p>info&#64;acme-bakery&#46;de</p>", {"info@acme-bakery.de"}),
    ("<p>&#105;&#110;&#x66;&#x6f;&#64;&#97;cme-bakery.de</p>", {"info@acme-bakery.de"}),
    ("<p>info\u200b@\u200bacme-bakery.de</p>", {"info@acme-bakery.de"}),
    ("<p>in&#8203;fo@acme&#x200b;-bakery.de</p>", {"info@acme-bakery.de"}),
    ("<p>info<span>@</span>acme-bakery.de</p>", {"info@acme-bakery.de"}),
    ("<p><span>info</span><span>&#64;</span><span>acme-bakery</span>.<span>de</span></p>", {"info@acme-bakery.de"}),
    ("<p>info<!-- x -->@<!-- y -->acme-bakery.de</p>", {"info@acme-bakery.de"}),
    ("<p>info<wbr>@acme-bakery<wbr>.de</p>", {"info@acme-bakery.de"}),
    ("<p><strong>E-Mail</strong>info@acme-bakery.de</p>", {"info@acme-bakery.de"}),
    ("<p><b>Kontakt:</b>info@acme-bakery.de</p>", {"info@acme-bakery.de"}),
    ("<p><span>Anna Schmidt</span><a>anna.schmidt@acme-bakery.de</a></p>", {"anna.schmidt@acme-bakery.de"}),
    ("<p><a>info@acme-bakery.de</a><span>Telefon</span></p>", {"info@acme-bakery.de"}),
    ("<p><a>info@acme-bakery.de</a><span>.Weiter</span></p>", {"info@acme-bakery.de"}),
    ("<p>info@acme-bakery.de.Wir freuen uns</p>", {"info@acme-bakery.de"}),
    ("<p>info@acme-bakery.co.uk</p>", {"info@acme-bakery.co.uk"}),
    (f"<p>info@bäckerei-müller.de · INFO@{'bäckerei-müller.de'.encode('idna').decode()}</p>",
     {"info@bäckerei-müller.de"}),
    ("<p>josé.garcía@panadería.es</p>", {"josé.garcía@panadería.es"}),
    ("<p>%20info@acme-bakery.de</p>", {"info@acme-bakery.de"}),
    ("<p>Mail an: info@acme-bakery.de</p>", {"info@acme-bakery.de"}),
    ("<p>info\uff20acme-bakery.de</p>", {"info@acme-bakery.de"}),
]


@pytest.mark.parametrize(("html", "expected"), TEXT_CASES)
def test_visible_text(html: str, expected: set[str]) -> None:
    assert addresses(html) == expected


SPELLED_CASES = [
    "<p>info [at] acme-bakery [dot] de</p>",
    "<p>info(at)acme-bakery(dot)de</p>",
    "<p>info {at} acme-bakery {dot} de</p>",
    "<p>info at acme-bakery dot de</p>",
    "<p>INFO AT ACME-BAKERY DOT DE</p>",
    "<p>info[at]acme-bakery.de</p>",
    "<p>info (at) acme-bakery . de</p>".replace(" . ", " (.) "),
    "<p>info @ acme-bakery.de</p>",
    "<p>info(ät)acme-bakery(punkt)de</p>",
    "<p>info [arroba] acme-bakery [punto] de</p>",
    "<p>info arroba acme-bakery punto de</p>",
    "<p>info [chiocciola] acme-bakery [punto] de</p>",
    "<p>info (apenstaartje) acme-bakery (punt) de</p>",
    "<p>info &lt;at&gt; acme-bakery &lt;dot&gt; de</p>",
    "<p>E-Mail: info at acme-bakery.de</p>",
    "<p>Reservations: info at acme-bakery.de</p>",  # own domain and a role mailbox
    "<p>info<span> [at] </span>acme-bakery<span> [dot] </span>de</p>",
    "<p>info(a)acme-bakery.de</p>",
]


@pytest.mark.parametrize("html", SPELLED_CASES)
def test_spelled_out_forms(html: str) -> None:
    hits = found(html)
    assert set(hits) == {"info@acme-bakery.de"} or set(hits) == {"INFO@acme-bakery.de"}
    assert next(iter(hits.values())).source == "obfuscated"


def test_spelled_dots_in_local_part_and_overlapping_prose() -> None:
    html = "<p>Write to Sarah at sarah dot lee at acme-bakery dot de or to k dot ito at uni-x dot edu</p>"
    assert addresses(html) == {"sarah.lee@acme-bakery.de", "k.ito@uni-x.edu"}


PROSE_CASES = [
    "<p>Find us at acme-bakery.de or visit us at the market.</p>",
    "<p>Meet me at noon dot com is not a thing.</p>",
    "<p>The robotics lab at acme-bakery.de/robotics is open on Fridays.</p>",
    "<p>Tickets at Booking.com and rooms at hotels.com</p>",
    "<p>We are at acme-bakery.de since 1990.</p>",
    "<p>Jobs at indeed.com</p>",
    "<p>Open at 9.00 and closed at 18.00</p>",
    "<p>See clause 5(a) acme-bakery.de and item (a) acme-bakery.de</p>",
]


@pytest.mark.parametrize("html", PROSE_CASES)
def test_prose_with_at_is_not_an_address(html: str) -> None:
    assert addresses(html) == set()


SCRIPT_CASES = [
    ("<span id=m></span><script>document.getElementById('m').innerHTML = '<a href=\"mailto:' + 'info' + '@' + "
     "'acme-bakery' + '.' + 'de' + '\">x</a>';</script>", {"info@acme-bakery.de"}),
    ("""<script>var addy12 = '&#105;nf&#111;' + '&#64;';
     addy12 = addy12 + 'acme-bakery' + '&#46;' + 'de';</script>""", {"info@acme-bakery.de"}),
    ("<script>var e=String.fromCharCode(105,110,102,111,64,97,99,109,101,45,98,97,107,101,114,121,46,100,101);"
     "</script>",
     {"info@acme-bakery.de"}),
    ("<script>a.href=atob('bWFpbHRvOmluZm9AYWNtZS1iYWtlcnkuZGU=');</script>", {"info@acme-bakery.de"}),
    ('<script>window.__DATA__ = {"html":"\\u003cp\\u003eMail: \\u003ca href=\\"mailto:info@acme-bakery.de\\"'
     '\\u003einfo@acme-bakery.de\\u003c/a\\u003e"};</script>', {"info@acme-bakery.de"}),
    ('<script>var c = {"email":"info\\u0040acme-bakery.de"};</script>', {"info@acme-bakery.de"}),
    ('<script id="__NEXT_DATA__" type="application/json">{"contact":"info\\u0040acme-bakery.de"}</script>',
     {"info@acme-bakery.de"}),
]


@pytest.mark.parametrize(("html", "expected"), SCRIPT_CASES)
def test_javascript_assembly_and_json_data(html: str, expected: set[str]) -> None:
    assert addresses(html) == expected


def test_bidi_reversed_text_and_data_attributes() -> None:
    html = ('<span style="unicode-bidi:bidi-override; direction: rtl;">ed.yrekab-emca@ofni</span>'
            '<a href="#" data-email="sales(at)acme-bakery.de">x</a>'
            '<meta name="reply-to" content="press@acme-bakery.de">'
            '<input type="hidden" value="orders@acme-bakery.de">')
    hits = found(html)
    assert set(hits) == {"info@acme-bakery.de", "sales@acme-bakery.de", "press@acme-bakery.de", "orders@acme-bakery.de"}
    assert hits["info@acme-bakery.de"].source == "obfuscated"
    assert hits["sales@acme-bakery.de"].source == "attribute"


# --- look-alikes ----------------------------------------------------------------------------------------------

FALSE_POSITIVES = [
    "<p>Download logo@2x.png, icon@3x.webp, banner@1.5x.jpg and sprite@2x.svg</p>",
    "<p>clip@2x.mov and hero@retina.com.png</p>",
    '<img src="img/logo@2x.png" srcset="logo@2x.png 2x" alt="logo@3x.png"><div style="background:url(a@2x.jpg)"></div>',
    '<meta property="og:image" content="https://acme-bakery.de/og@2x.jpg">',
    '<script>Sentry.init({dsn:"https://0a1b2c3d4e5f60718293a4b5c6d7e8f9@o123456.ingest.sentry.io/4504"})</script>',
    '<script>var cfg = {"sentryDsn":"https://605a7baede844d278b89dc95ae0a9123@sentry-next.wixpress.com/68"};</script>',
    '<script>var d = "https://abc@sentry.wixpress.com/12";</script>',
    "<p>npm install react@18.2.0 react-dom@18.2.0 @babel/core@7.23.9 lodash@4.17.21</p>",
    '<script src="https://cdn.jsdelivr.net/npm/bootstrap@5.3.2/dist/js/bootstrap.bundle.min.js"></script>',
    "<script>/* jquery@3.7.1.min.js swiper@11.0.5 */</script>",
    "<pre>@media (max-width: 600px) {} @import url(a.css); @font-face {} a{}@media print{}</pre>",
    "<style>@media screen{.a{}}</style><p>.btn{color:red}@media(min-width:1px){}</p>",
    "<p>git clone git@github.com:acme/site.git · git@gitlab.com:acme/x.git</p>",
    "<p>you@example.com name@domain.com your@email.com email@email.com test@test.com email@address.com</p>",
    "<p>john.doe@example.org jane@yourcompany.com max.mustermann@beispiel.de jean.dupont@exemple.fr</p>",
    "<p>nombre@dominio.com nome.cognome@esempio.it naam@voorbeeld.nl firstname.lastname@company.com</p>",
    "<p>user@localhost admin@192.168.0.1 foo@bar a@b.c info@acme.invalid x@y.local test@acme.test</p>",
    '<input type="email" placeholder="info@acme-bakery.de">',
    "<script>var t = {support:'support@qodeinteractive.com'};</script>",
    "<p>user@host@example.de and @acme and acme@ and @@</p>",
    "<p>a..b@acme-bakery.de .info@acme-bakery.de</p>",
    "<!-- old: former@acme-bakery.de -->",
    "<p>ssh deploy@203.0.113.10 and pip install x==1.0@sha</p>",
]


@pytest.mark.parametrize("html", FALSE_POSITIVES)
def test_look_alikes_are_not_addresses(html: str) -> None:
    assert addresses(html) == set()


def test_json_escape_debris_is_stripped() -> None:
    html = "<p>u003cinfo@acme-bakery.deu003e and u003esales@acme-bakery.de</p>"
    assert addresses(html) == {"info@acme-bakery.de", "sales@acme-bakery.de"}


# --- normalisation, deduplication, names ------------------------------------------------------------------------


def test_domains_are_lower_cased_and_duplicates_merged_first_source_wins() -> None:
    html = ('<p>Info@ACME-Bakery.de</p><a href="mailto:INFO@acme-bakery.DE">x</a>'
            '<script type="application/ld+json">{"email": "info@acme-bakery.de"}</script>')
    hits, _ = extract_emails(parse_page(html), URL_DOMAIN)
    assert len(hits) == 1
    assert hits[0].address == "INFO@acme-bakery.de"
    assert hits[0].source == "mailto"


def test_context_snippet_and_names_from_surrounding_text() -> None:
    html = """<div class="person"><h3>Dr. Emily Chen, DDS</h3><p>Founder</p>
    <p>Email: emily.chen@acme-bakery.de</p></div>
    <div><h3>Marcus Oyelaran</h3><p>moyelaran@acme-bakery.de</p></div>
    <div><h3>Sales Team</h3><p>sales@acme-bakery.de</p></div>
    <p><a href="mailto:j.weber@acme-bakery.de">Jonas Weber</a></p>"""
    hits, names = extract_emails(parse_page(html), URL_DOMAIN)
    assert names == {"emily.chen@acme-bakery.de": "Emily Chen", "moyelaran@acme-bakery.de": "Marcus Oyelaran",
                     "j.weber@acme-bakery.de": "Jonas Weber"}
    by_address = {hit.address: hit for hit in hits}
    assert by_address["moyelaran@acme-bakery.de"].kind == "personal"
    assert "emily.chen@acme-bakery.de" in (by_address["emily.chen@acme-bakery.de"].context or "")


def test_kinds_on_a_page() -> None:
    html = ("<p>info@acme-bakery.de · anna.schmidt@acme-bakery.de · backstube@acme-bakery.de · "
            "acme.bakery@gmail.com · j.keller@steuerkanzlei-keller.de · noreply@acme-bakery.de</p>")
    kinds = {address: hit.kind for address, hit in found(html).items()}
    assert kinds == {
        "info@acme-bakery.de": "role", "anna.schmidt@acme-bakery.de": "personal",
        "backstube@acme-bakery.de": "same-domain", "acme.bakery@gmail.com": "free-mail",
        "j.keller@steuerkanzlei-keller.de": "third-party", "noreply@acme-bakery.de": "role",
    }


def test_without_a_page_domain_nothing_is_same_domain() -> None:
    kinds = {hit.kind for hit in found("<p>backstube@acme-bakery.de anna.schmidt@acme-bakery.de</p>", None).values()}
    assert kinds == {"third-party"}


def test_distinct_addresses_per_page_are_capped() -> None:
    html = "<p>" + " ".join(f"user{i}@shop{i % 7}.de" for i in range(MAX_EMAILS + 50)) + "</p>"
    assert len(found(html)) == MAX_EMAILS


def test_page_without_root() -> None:
    assert extract_emails(parse_page(""), URL_DOMAIN) == ([], {})
