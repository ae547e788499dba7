#!/usr/bin/env python3
"""Build the contact-extraction corpus: generated pages rendered in memory plus the hand-written ones.

    python scrapersky_pipelines_tests/lib/contact_corpus/generate.py [DIR]   # to look at the pages

Each generated page is a small-business homepage or contact page rendered from a spec: the business (region,
language, trade, domain), the addresses, numbers and profiles it publishes, and *how* each is published (an
email as a Cloudflare span, ``[at]``/``[dot]`` text, an entity-encoded mailto, a JSON-LD field ...; a phone as
a ``tel:`` link, split across tags, full-width ...). The gold labels come from the spec, i.e. from what the
page was built to contain, never from running the extractor. Decoys (asset names, DSNs, package specifiers,
placeholders, dates, prices, order numbers, company IDs, fax numbers, share links ...) are added with no gold.

Hand-written pages (`pages/hand-*.html`) have their gold in `hand_gold.py`. The generator is
deterministic (fixed seed): every run renders identical pages, so nothing generated is committed.
"""

from __future__ import annotations

import html
import json
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus_text import COMPANY_IDS, LABELS, MOBILE_PLAN, NAME_PATTERNS, PHONE_PLANS, REGIONS, TRADES  # noqa: E402
from hand_gold import HAND_GOLD  # noqa: E402
from stacks import SENTRY_SNIPPET, STACKS, Stack, fill  # noqa: E402

PAGES = HERE / "pages"
SEED = 20240611
# Region mix of the generated pages (hand-written pages add more).
REGION_PLAN = (
    ["US"] * 17 + ["GB"] * 13 + ["DE"] * 15 + ["FR"] * 11 + ["ES"] * 9 + ["IT"] * 9 + ["NL"] * 8 + ["AU"] * 9
    + ["CA"] * 9 + ["JP"] * 8 + ["BR"] * 4 + ["IE"] * 3 + ["AT"] * 3 + ["CH"] * 3 + ["MX"] * 3 + ["BE"] * 3
)

EMAIL_FORMS = (
    "mailto", "mailto_label", "mailto_subject", "mailto_pct", "mailto_entity", "mailto_name", "text",
    "text_entity", "text_entity_full", "json_ld", "microdata", "cf_span", "cf_link", "cf_text", "at_square",
    "at_paren", "at_curly", "at_word", "at_upper", "at_only", "at_local", "zero_width", "tag_split",
    "comment_split", "wbr", "js_concat", "joomla_cloak", "bidi", "fromcharcode", "atob", "data_attr",
    "json_escaped", "spaced_at",
)
PHONE_FORMS = (
    "tel_e164", "tel_national", "tel_pct", "tel_only", "text", "text_intl", "text_split", "json_ld",
    "microdata", "text_ext", "nbsp", "tel_ext",
)
AT_LOCAL = {"de": ("(ät)", "(punkt)"), "es": ("[arroba]", "[punto]"), "it": ("[chiocciola]", "[punto]"),
            "fr": ("[at]", "[point]"), "nl": ("(apenstaartje)", "(punt)"), "pt": ("[arroba]", "[ponto]")}
ROLE_LOCAL = {"en": ("info", "hello", "office", "enquiries", "bookings", "sales"),
              "de": ("info", "kontakt", "post", "buero", "anfrage"),
              "fr": ("contact", "info", "bonjour", "accueil"), "es": ("info", "hola", "contacto", "reservas"),
              "it": ("info", "ciao", "prenotazioni", "ufficio"), "nl": ("info", "contact", "receptie"),
              "ja": ("info", "contact", "support"), "pt": ("contato", "atendimento", "vendas")}
PLAIN_LOCAL = {"en": "workshop", "de": "werkstatt", "fr": "atelier", "es": "taller", "it": "laboratorio",
               "nl": "werkplaats", "ja": "honten", "pt": "oficina"}
THIRD_PARTY = (("m.keller", "steuerkanzlei-keller.de"), ("s.brandt", "datenschutz-extern.de"),
               ("j.whitfield", "whitfield-accountants.co.uk"), ("r.delgado", "gestoria-delgado.es"),
               ("pmaes", "boekhouding-maes.be"), ("a.conti", "studioconti-commercialisti.it"))
FREE_MAIL = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "web.de", "gmx.de",
             "orange.fr", "libero.it", "yahoo.co.jp", "bigpond.com", "hotmail.co.uk", "terra.com.br")
AGENCIES = (("hello", "pixelwerk-studio.de", "role"), ("projects", "brightpath-digital.com", "third-party"),
            ("info", "webagence-lumiere.fr", "role"))
SOCIAL_NETWORKS = ("facebook", "instagram", "x", "linkedin", "youtube", "tiktok", "pinterest", "yelp", "github",
                   "tripadvisor")


@dataclass
class Email:
    address: str
    kind: str
    form: str = ""


@dataclass
class Phone:
    national: str  # national digits, trunk prefix included
    e164: str
    plan: str
    form: str = ""


@dataclass
class Social:
    network: str
    link: str
    canonical: str
    form: str = "link"


@dataclass
class Spec:
    index: int
    region: str
    lang: str
    trade: str
    name: str
    domain: str
    url: str
    city: str
    postcode: str
    street: str
    owner: tuple[str, str]
    emails: list[Email] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    fax: Phone | None = None
    socials: list[Social] = field(default_factory=list)
    stack: Stack | None = None
    region_hint: str | None = None
    covers: set[str] = field(default_factory=set)
    tech: set[str] = field(default_factory=set)


# --- helpers ----------------------------------------------------------------------------------------------------


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def ascii_slug(text: str) -> str:
    folded = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def local_name(first: str, last: str, style: int) -> str:
    first_s, last_s = ascii_slug(first).replace("-", ""), ascii_slug(last).replace("-", "")
    return (f"{first_s}.{last_s}", f"{first_s[0]}.{last_s}", f"{first_s}", f"{first_s[0]}{last_s}")[style % 4]


def digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(count))


def make_phone(rng: random.Random, plan_key: str) -> Phone:
    cc, area, length, keep_trunk, first_digits, _groups = PHONE_PLANS[plan_key]
    subscriber = rng.choice(first_digits) + digits(rng, length - 1)
    national = area + subscriber
    significant = national if keep_trunk or not national.startswith("0") else national[1:]
    return Phone(national, f"+{cc}{significant}", plan_key)


def group(national: str, sizes: tuple[int, ...]) -> list[str]:
    out, position = [], 0
    for size in sizes:
        out.append(national[position : position + size])
        position += size
    if position < len(national):
        out[-1] += national[position:]
    return out


def display(phone: Phone, style: str) -> str:
    """The number as a page prints it; `style` is national, dash, dot, paren, slash, intl or intl0."""
    cc, area, _length, keep_trunk, _first, sizes = PHONE_PLANS[phone.plan]
    parts = group(phone.national, sizes)
    nanp = cc == "1"
    if style == "intl" or style == "intl0":
        significant = phone.e164[1 + len(cc) :]
        inner = group(significant, (len(parts[0]) - (0 if keep_trunk or not area.startswith("0") else 1),)
                      + sizes[1:])
        if nanp:
            return f"+1 {inner[0]}-{inner[1]}-{inner[2]}"
        if style == "intl0" and area.startswith("0") and not keep_trunk:
            return f"+{cc} (0){' '.join(inner)}"
        return f"+{cc} {' '.join(inner)}"
    if nanp:
        return {"paren": f"({parts[0]}) {parts[1]}-{parts[2]}", "dash": "-".join(parts),
                "dot": ".".join(parts)}.get(style, f"({parts[0]}) {parts[1]}-{parts[2]}")
    if style == "dash":
        return parts[0] + "-" + "".join(parts[1:]) if cc in {"39", "31", "49"} else "-".join(parts)
    if style == "dot":
        return ".".join(parts)
    if style == "paren":
        return f"({parts[0]}) {' '.join(parts[1:])}" if cc != "81" else f"{parts[0]}({parts[1]}){''.join(parts[2:])}"
    if style == "slash":
        return f"{parts[0]} / {' '.join(parts[1:])}"
    return " ".join(parts) if cc != "81" else "-".join(parts)


STYLES_BY_CC = {"1": ("paren", "dash", "dot", "intl"), "44": ("national", "intl", "intl0", "paren"),
                "49": ("national", "slash", "paren", "intl", "intl0", "dash"), "33": ("national", "dot", "intl", "intl0"),
                "34": ("national", "intl"), "39": ("national", "intl", "dash"), "31": ("national", "dash", "intl0", "intl"),
                "61": ("paren", "national", "intl"), "81": ("national", "paren", "intl"), "55": ("paren", "intl"),
                "353": ("national", "intl"), "43": ("national", "intl"), "41": ("national", "intl"),
                "52": ("national", "intl"), "32": ("national", "intl")}


def phone_style(rng: random.Random, phone: Phone) -> str:
    cc = PHONE_PLANS[phone.plan][0]
    return rng.choice(STYLES_BY_CC[cc])


def br_paren(phone: Phone) -> str:
    parts = group(phone.national, PHONE_PLANS[phone.plan][5])
    return f"({parts[0]}) {parts[1]}-{parts[2]}"


def cf_encode(address: str, key: int) -> str:
    return f"{key:02x}" + "".join(f"{byte ^ key:02x}" for byte in address.encode("utf-8"))


def entity_all(text: str) -> str:
    return "".join(f"&#{ord(ch)};" if i % 2 == 0 else f"&#x{ord(ch):x};" for i, ch in enumerate(text))


def pct_all(text: str) -> str:
    return "".join(f"%{byte:02X}" for byte in text.encode("utf-8"))


def ld_add(json_ld: dict, key: str, value: str) -> None:
    if key not in json_ld:
        json_ld[key] = value
    elif isinstance(json_ld[key], list):
        json_ld[key].append(value)
    else:
        json_ld[key] = [json_ld[key], value]


def spell(domain: str, dot: str) -> str:
    return dot.join(domain.split("."))


# --- rendering of one email / phone / social --------------------------------------------------------------------


def render_email(spec: Spec, email: Email, rng: random.Random, scripts: list[str], json_ld: dict) -> str:
    """HTML fragment showing `email` in its form; may add scripts or JSON-LD instead of visible text."""
    labels = LABELS[spec.lang]
    a = email.address
    local, _, domain = a.partition("@")
    form = email.form
    uid = f"{spec.index}{rng.randint(100, 999)}"
    if form == "mailto":
        return f'<a href="mailto:{esc(a)}">{esc(a)}</a>'
    if form == "mailto_label":
        return f'<a class="button" href="mailto:{esc(a)}">{esc(labels["write_us"])}</a>'
    if form == "mailto_subject":
        query = f"?subject={quote(labels['subject'])}&amp;body={quote(labels['body'])}"
        return f'<a href="mailto:{esc(a)}{query}">{esc(a)}</a>'
    if form == "mailto_pct":
        return f'<a href="mailto:{pct_all(local)}%40{esc(domain)}">{esc(labels["write_us"])}</a>'
    if form == "mailto_entity":
        return f'<a href="{entity_all("mailto:" + a)}">{entity_all(a)}</a>'
    if form == "mailto_name":
        first, last = spec.owner
        return (f'<a href="mailto:{quote(first + " " + last)}%20%3C{esc(a)}%3E">'
                f"{esc(first)} {esc(last)}</a>")
    if form == "text":
        return esc(a)
    if form == "text_entity":
        return f"{esc(local)}&#64;{esc(domain).replace('.', '&#46;')}"
    if form == "text_entity_full":
        return entity_all(a)
    if form == "json_ld":
        ld_add(json_ld, "email", a if rng.random() < 0.7 else "mailto:" + a)
        return ""
    if form == "microdata":
        return f'<span itemprop="email">{esc(a)}</span>'
    if form == "cf_span":
        payload = cf_encode(a, rng.randint(16, 250))
        return (f'<a href="/cdn-cgi/l/email-protection#{payload}"><span class="__cf_email__" '
                f'data-cfemail="{payload}">[email&#160;protected]</span></a>')
    if form == "cf_link":
        payload = cf_encode(a, rng.randint(16, 250))
        return f'<a href="/cdn-cgi/l/email-protection#{payload}">{esc(labels["write_us"])}</a>'
    if form == "cf_text":
        payload = cf_encode(a, rng.randint(16, 250))
        return f'<span class="__cf_email__" data-cfemail="{payload}">[email&#160;protected]</span>'
    if form == "at_square":
        return f"{esc(local)} [at] {esc(spell(domain, ' [dot] '))}"
    if form == "at_paren":
        return f"{esc(local)}(at){esc(spell(domain, '(dot)'))}"
    if form == "at_curly":
        return f"{esc(local)} {{at}} {esc(spell(domain, ' {dot} '))}"
    if form == "at_word":
        return f"{esc(local.replace('.', ' dot '))} at {esc(spell(domain, ' dot '))}"
    if form == "at_upper":
        return f"{esc(local)} AT {esc(spell(domain, ' DOT '))}"
    if form == "at_only":
        return f"{esc(local)}[at]{esc(domain)}"
    if form == "at_local":
        at, dot = AT_LOCAL[spec.lang]
        return f"{esc(local)} {at} {esc(spell(domain, f' {dot} '))}"
    if form == "spaced_at":
        return f"{esc(local)} @ {esc(domain)}"
    if form == "zero_width":
        cut = max(1, len(local) // 2)
        return f"{esc(local[:cut])}&#8203;{esc(local[cut:])}@&#8203;{esc(domain)}\u200c"
    if form == "tag_split":
        if rng.random() < 0.5:
            return f'{esc(local)}<span class="at">@</span>{esc(domain)}'
        name, _, tld = domain.rpartition(".")
        return f"<span>{esc(local)}</span><span>&#64;</span><span>{esc(name)}</span>.<span>{esc(tld)}</span>"
    if form == "comment_split":
        return f"{esc(local)}<!-- no spam -->@<!-- please -->{esc(domain)}"
    if form == "wbr":
        return f"{esc(local)}<wbr>@{esc(domain).replace('.', '<wbr>.', 1)}"
    if form == "js_concat":
        name, _, tld = domain.rpartition(".")
        scripts.append(
            f"<script>document.getElementById('m{uid}').innerHTML = '<a href=\"mailto:' + '{local}' + '@' + "
            f"'{name}' + '.' + '{tld}' + '\">' + '{local}' + '@' + '{name}.{tld}' + '</a>';</script>"
        )
        return f'<span id="m{uid}">{esc(labels["write_us"])}</span>'
    if form == "joomla_cloak":
        name, _, tld = domain.rpartition(".")
        ent_local = "".join(f"&#{ord(c)};" if i % 3 == 1 else c for i, c in enumerate(local))
        scripts.append(
            f"""<script type="text/javascript">
 document.getElementById('cloak{uid}').innerHTML = '';
 var prefix = '&#109;a' + 'i&#108;' + '&#116;o';
 var path = 'hr' + 'ef' + '=';
 var addy{uid} = '{ent_local}' + '&#64;';
 addy{uid} = addy{uid} + '{name}' + '&#46;' + '{tld}';
 var addy_text{uid} = '{ent_local}' + '&#64;' + '{name}' + '&#46;' + '{tld}';document.getElementById('cloak{uid}').innerHTML += '<a ' + path + '\\'' + prefix + ':' + addy{uid} + '\\'>'+addy_text{uid}+'<\\/a>';
</script>"""
        )
        return f'<span id="cloak{uid}">This email address is being protected from spambots. You need JavaScript enabled to view it.</span>'
    if form == "bidi":
        return f'<span style="unicode-bidi:bidi-override; direction: rtl;">{esc(a[::-1])}</span>'
    if form == "fromcharcode":
        codes = ",".join(str(ord(c)) for c in a)
        scripts.append(
            f"<script>(function(){{var e=String.fromCharCode({codes});var el=document.getElementById('e{uid}');"
            f"el.href='mailto:'+e;el.textContent=e;}})();</script>"
        )
        return f'<a id="e{uid}" href="#">{esc(labels["write_us"])}</a>'
    if form == "atob":
        import base64

        payload = base64.b64encode(("mailto:" + a).encode()).decode()
        scripts.append(
            f"<script>document.querySelectorAll('.js-mail-{uid}').forEach(function(el){{"
            f"el.href=atob('{payload}');}});</script>"
        )
        return f'<a class="js-mail-{uid}" href="#">{esc(labels["write_us"])}</a>'
    if form == "data_attr":
        return f'<a href="#contact-form" class="js-reveal" data-email="{esc(local)}(at){esc(domain)}">{esc(labels["write_us"])}</a>'
    if form == "json_escaped":
        escaped = (f'\\u003cp\\u003e{labels["email"]}: \\u003ca href=\\"mailto:{a}\\"\\u003e{a}'
                   f'\\u003c/a\\u003e\\u003c/p\\u003e')
        scripts.append(f'<script>window.__SITE_DATA__ = {{"footerHtml":"{escaped}","locale":"{spec.lang}"}};</script>')
        return ""
    raise ValueError(form)


def render_phone(spec: Spec, phone: Phone, rng: random.Random, json_ld: dict) -> str:
    labels = LABELS[spec.lang]
    style = phone_style(rng, phone)
    shown = display(phone, style) if PHONE_PLANS[phone.plan][0] != "55" or style != "paren" else br_paren(phone)
    form = phone.form
    if form == "tel_e164":
        return f'<a href="tel:{phone.e164}">{esc(shown)}</a>'
    if form == "tel_national":
        return f'<a href="tel:{phone.national}">{esc(shown)}</a>'
    if form == "tel_pct":
        return f'<a href="tel:%2B{phone.e164[1:]}">{esc(shown)}</a>'
    if form == "tel_only":
        return f'<a class="btn btn-call" href="tel:{phone.e164}">{esc(labels["call_us"])}</a>'
    if form == "tel_ext":
        return f'<a href="tel:{phone.e164};ext=12">{esc(shown)} ext. 12</a>'
    if form == "text":
        return esc(shown)
    if form == "text_intl":
        return esc(display(phone, "intl"))
    if form == "text_split":
        parts = shown.split(" ", 1)
        if len(parts) == 2:
            return f'<span class="area">{esc(parts[0])}</span> <span class="number">{esc(parts[1])}</span>'
        return f"<span>{esc(shown)}</span>"
    if form == "json_ld":
        ld_add(json_ld, "telephone", display(phone, "intl") if rng.random() < 0.6 else shown)
        return ""
    if form == "microdata":
        return f'<span itemprop="telephone">{esc(shown)}</span>'
    if form == "text_ext":
        return f"{esc(shown)} {'x' if rng.random() < 0.5 else 'ext. '}{rng.randint(10, 99)}"
    if form == "nbsp":
        return esc(shown).replace(" ", "&nbsp;")
    raise ValueError(form)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else ("－" if c == "-" else c) for c in text)


def social_link(network: str, handle: str, rng: random.Random, region: str) -> tuple[str, str]:
    """(href as a site writes it, canonical profile URL the extractor should report)."""
    h = handle
    if network == "facebook":
        link = rng.choice([f"https://www.facebook.com/{h}/", f"https://facebook.com/{h}", f"https://m.facebook.com/{h}?ref=page_internal",
                           f"https://de-de.facebook.com/{h}/", f"http://www.facebook.com/{h.capitalize()}"])
        return link, f"https://facebook.com/{h}"
    if network == "instagram":
        link = rng.choice([f"https://www.instagram.com/{h}/", f"https://instagram.com/{h}?hl=en", f"https://www.instagram.com/{h}/?igshid=MzRlODBiNWFlZA=="])
        return link, f"https://instagram.com/{h}"
    if network == "x":
        link = rng.choice([f"https://twitter.com/{h}", f"https://x.com/{h}", f"https://www.twitter.com/{h.capitalize()}/", f"https://mobile.twitter.com/{h}"])
        return link, f"https://x.com/{h}"
    if network == "linkedin":
        link = rng.choice([f"https://www.linkedin.com/company/{h}/", f"https://linkedin.com/company/{h}", f"https://uk.linkedin.com/company/{h}/about/"])
        return link, f"https://linkedin.com/company/{h}"
    if network == "youtube":
        choice = rng.randint(0, 2)
        if choice == 0:
            return f"https://www.youtube.com/@{h}", f"https://youtube.com/@{h}"
        if choice == 1:
            channel = "UC" + "".join(rng.choice("abcdefghijkLMNOPQRSTUVwxyz0123456789_-") for _ in range(22))
            return f"https://www.youtube.com/channel/{channel}", f"https://youtube.com/channel/{channel}"
        return f"https://youtube.com/user/{h}?sub_confirmation=1", f"https://youtube.com/user/{h}"
    if network == "tiktok":
        return rng.choice([f"https://www.tiktok.com/@{h}", f"https://www.tiktok.com/@{h}?lang=en"]), f"https://tiktok.com/@{h}"
    if network == "pinterest":
        host = {"GB": "pinterest.co.uk", "DE": "pinterest.de", "FR": "pinterest.fr", "AU": "pinterest.com.au"}.get(region, "pinterest.com")
        return f"https://www.{host}/{h}/", f"https://pinterest.com/{h}"
    if network == "yelp":
        host = {"GB": "yelp.co.uk", "CA": "yelp.ca", "DE": "yelp.de", "FR": "yelp.fr", "AU": "yelp.com.au"}.get(region, "yelp.com")
        return f"https://www.{host}/biz/{h}?osq=Bakery", f"https://{host}/biz/{h}"
    if network == "github":
        return f"https://github.com/{h}", f"https://github.com/{h}"
    if network == "tripadvisor":
        host = {"GB": "tripadvisor.co.uk", "DE": "tripadvisor.de", "FR": "tripadvisor.fr", "IT": "tripadvisor.it",
                "ES": "tripadvisor.es"}.get(region, "tripadvisor.com")
        path = f"Restaurant_Review-g{rng.randint(180000, 190000)}-d{rng.randint(1000000, 9999999)}-Reviews-{h.capitalize()}.html"
        return f"https://www.{host}/{path}", f"https://{host}/{path}"
    raise ValueError(network)


SHARE_DECOYS = (
    "https://www.facebook.com/sharer/sharer.php?u={url}",
    "https://twitter.com/intent/tweet?url={url}&amp;text={name}",
    "https://www.linkedin.com/shareArticle?mini=true&amp;url={url}",
    "https://pinterest.com/pin/create/button/?url={url}",
    "https://x.com/share?url={url}",
    "https://api.whatsapp.com/send?text={url}",
    "https://www.facebook.com/dialog/share?app_id=123456&amp;href={url}",
)
CONTENT_DECOYS = (
    "https://www.instagram.com/p/C2xYz7aBcDe/",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://www.facebook.com/events/1234567890/",
    "https://www.instagram.com/explore/tags/{tag}/",
    "https://twitter.com/hashtag/{tag}",
    "https://www.facebook.com/help/",
)


# --- page assembly ----------------------------------------------------------------------------------------------


def price(lang: str, rng: random.Random) -> str:
    value = rng.choice([4.5, 12, 29.9, 49, 85, 120, 1250, 1299, 2490])
    if lang == "ja":
        return LABELS[lang]["price_fmt"].format(v=f"{int(value * 100):,}")
    if lang == "en":
        text = f"{value:,.2f}"
    else:
        text = f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return LABELS[lang]["price_fmt"].format(v=text)


def date_text(lang: str, rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2023, 2024])
    return {"en": f"{month:02d}/{day:02d}/{year}", "ja": f"{year}/{month:02d}/{day:02d}",
            "nl": f"{day:02d}-{month:02d}-{year}"}.get(lang, f"{day:02d}.{month:02d}.{year}")


def hours_rows(lang: str, rng: random.Random) -> list[tuple[str, str]]:
    labels = LABELS[lang]
    open_h, close_h = rng.choice([(7, 18), (8, 17), (9, 19), (10, 22)])
    sep = rng.choice(["–", " - ", "-"])
    if lang == "ja":
        return [(labels["weekdays"], f"{open_h}:00〜{close_h}:00"), (labels["sun"], labels["closed"])]
    fmt = "{:02d}.{:02d}" if lang == "de" and rng.random() < 0.5 else "{:02d}:{:02d}"
    return [(labels["weekdays"], f"{fmt.format(open_h, 0)}{sep}{fmt.format(close_h, 0)}"),
            (labels["sat"], f"{fmt.format(8, 30)}{sep}{fmt.format(13, 0)}"), (labels["sun"], labels["closed"])]


def company_ids(region: str, rng: random.Random) -> list[str]:
    out = []
    for pattern in rng.sample(COMPANY_IDS[region], min(2, len(COMPANY_IDS[region]))):
        text = pattern
        for n in (13, 11, 9, 8, 7, 6, 5, 4, 3, 2):
            while "{d%d}" % n in text:
                text = text.replace("{d%d}" % n, str(rng.randint(1, 9)) + digits(rng, n - 1), 1)
        out.append(text)
    return out


def decoy_paragraphs(spec: Spec, rng: random.Random) -> list[str]:
    """Visible text with phone-like and email-like strings that are neither."""
    lang, labels = spec.lang, LABELS[spec.lang]
    pool = []
    pool.append(("date", f"<p class=\"post-date\">{esc(labels['news'])} · {date_text(lang, rng)}</p>"))
    lat, lon = rng.uniform(-40, 60), rng.uniform(-120, 140)
    pool.append(("coords", f"<p>{labels['gps']}: {lat:.6f}, {lon:.6f}</p>"))
    order = digits(rng, 9)
    pool.append(("order", f"<p>{esc(labels['order'])} {order} – {price(lang, rng)}</p>"))
    pool.append(("tracking", f"<p>Tracking: 1Z{digits(rng, 3)}AA1{digits(rng, 11)} · UA-{digits(rng, 8)}-1</p>"))
    pool.append(("years", f"<p>{esc(labels['since'].format(year=rng.randint(1950, 2015)))} · 1998–2024</p>"))
    placeholder = {"de": "max.mustermann@beispiel.de", "fr": "jean.dupont@exemple.fr", "es": "nombre@dominio.com",
                   "it": "nome.cognome@esempio.it", "nl": "naam@voorbeeld.nl", "pt": "seu.email@exemplo.com.br",
                   "ja": "taro@example.jp"}.get(lang, rng.choice(["you@example.com", "name@domain.com", "your@email.com"]))
    pool.append(("fp:placeholder", f"<p class=\"hint\">{esc(labels['example'])} {esc(placeholder)}</p>"))
    pool.append(("fp:asset", f"<p class=\"press\">Press kit: logo@2x.png · icon@3x.webp · banner@2x.jpg (ZIP, 2 MB)</p>"))
    if spec.region == "US":
        pool.append(("zip4", f"<p>Mail: PO Box {rng.randint(100, 999)}, {esc(spec.city)} {spec.postcode}-{digits(rng, 4)}</p>"))
    chosen = rng.sample(pool, k=min(len(pool), rng.randint(3, 5)))
    for tag, _ in chosen:
        spec.covers.add(tag)
    return [snippet for _, snippet in chosen]


def build_spec(index: int, region: str, rng: random.Random, form_queue: dict[str, list[str]]) -> Spec:
    info = REGIONS[region]
    lang = info["lang"]
    trade = list(TRADES)[index % len(TRADES)]
    trade_name = TRADES[trade][lang][0]
    city, postcode, plan = rng.choice(info["cities"])
    first, last = rng.choice(info["first"]), rng.choice(info["last"])
    surname = rng.choice(info["last"]) if lang != "ja" else rng.choice(info["jp_last"])
    pattern = rng.choice(NAME_PATTERNS[lang])
    short_city = city.split(",")[0].split(" ")[0] if lang != "ja" else city[:2]
    name = pattern.format(trade=trade_name, surname=surname, city=short_city)
    if lang == "ja":
        slug = f"{ascii_slug(rng.choice(info['last']))}-{trade}"
    else:
        slug = ascii_slug(name.replace("'s", "s").replace("&", "and"))[:40].strip("-")
    tld = rng.choice(info["tlds"])
    domain = f"{slug}.{tld}"
    idn = False
    if region == "DE" and index % 5 == 2:
        # An internationalised domain: the page and its addresses use the Unicode form.
        domain = f"{name.lower().replace(' ', '-')}.{tld}"
        idn = True
    path = rng.choice(["/", "/", "/contact", "/kontakt" if lang == "de" else "/about"])
    url = f"https://www.{domain}{path}" if rng.random() < 0.8 else f"https://{domain}{path}"
    spec = Spec(index, region, lang, trade, name, domain, url, city, postcode,
                f"{rng.choice(info['streets'])} {rng.randint(1, 180)}" if lang != "ja" else rng.choice(info["streets"]),
                (first, last))
    if idn:
        spec.covers.add("idn")

    # Region hint: pages on a generic TLD or in a language that does not pin the country get the place's region.
    if tld in {"com"} and region != "US":
        spec.region_hint = region
    if index % 11 == 3:
        spec.region_hint = region  # some callers pass the region even when the ccTLD would do

    def take(kind: str, allowed) -> str:
        queue = form_queue[kind]
        for position, form in enumerate(queue):
            if allowed(form):
                queue.pop(position)
                queue.append(form)
                return form
        raise RuntimeError(kind)

    # Emails: a role address always, then maybe personal, free-mail, plain same-domain, third-party.
    role = rng.choice(ROLE_LOCAL[lang])
    emails = [Email(f"{role}@{domain}", "role")]
    if rng.random() < 0.45:
        emails.append(Email(f"{local_name(first, last, rng.randint(0, 3))}@{domain}", "personal"))
    if rng.random() < 0.25:
        provider = rng.choice(FREE_MAIL)
        emails.append(Email(f"{slug.replace('-', '.')[:24].strip('.')}@{provider}", "free-mail"))
    if rng.random() < 0.15:
        emails.append(Email(f"{PLAIN_LOCAL[lang]}@{domain}", "same-domain"))
    if rng.random() < 0.12:
        local, host = rng.choice(THIRD_PARTY)
        emails.append(Email(f"{local}@{host}", "third-party"))
    for email in emails:
        ascii_only = email.address.isascii()
        single_token = "." not in email.address.partition("@")[0] and "-" not in email.address.partition("@")[0]

        def allowed(form: str, email: Email = email) -> bool:
            if form == "at_local":
                return lang in AT_LOCAL
            if form == "bidi":
                return single_token and ascii_only
            if form in {"mailto_name"}:
                return email.kind == "personal"
            if form in {"joomla_cloak", "js_concat", "fromcharcode", "atob", "json_escaped"}:
                return ascii_only
            if form == "at_word":
                return email.kind in {"role", "personal", "same-domain"}
            if form in {"json_ld", "microdata"}:
                return email.kind in {"role", "same-domain"}
            return True

        email.form = take("email", allowed)
        spec.covers.add(f"email:{email.form}")
        if email.form.startswith("cf_"):
            spec.tech.add("Cloudflare")
    spec.emails = emails

    # Phones: main line, sometimes a mobile, sometimes a fax (decoy).
    phones = [make_phone(rng, plan)]
    if region in MOBILE_PLAN and rng.random() < 0.35:
        phones.append(make_phone(rng, MOBILE_PLAN[region]))
    for phone in phones:
        def phone_allowed(form: str) -> bool:
            if form in {"tel_ext", "text_ext"}:
                return region in {"US", "CA", "GB"}
            return True

        phone.form = take("phone", phone_allowed)
        spec.covers.add(f"phone:{phone.form}")
    spec.phones = phones
    if rng.random() < 0.4:
        spec.fax = make_phone(rng, plan)
        spec.covers.add("phone-fp:fax")

    # Socials.
    handle = slug.replace("-", "")[:28]
    for network in rng.sample(SOCIAL_NETWORKS, k=rng.randint(0, 4)):
        if network == "tripadvisor" and trade not in {"restaurant", "hotel", "bakery"}:
            continue
        if network == "github" and index % 3:
            continue
        own = {"linkedin": slug, "x": handle[:15]}.get(network, handle)
        link, canonical = social_link(network, own, rng, region)
        spec.socials.append(Social(network, link, canonical))
    return spec


def contact_block(spec: Spec, rng: random.Random, scripts: list[str], json_ld: dict) -> str:
    labels = LABELS[spec.lang]
    rows: list[tuple[str, str]] = []
    for phone in spec.phones:
        label = labels["mobile"] if phone.plan == MOBILE_PLAN.get(spec.region) else labels["phone"]
        shown = render_phone(spec, phone, rng, json_ld)
        if spec.lang == "ja" and phone.form == "text" and rng.random() < 0.5:
            shown = fullwidth(shown)
            spec.covers.add("phone:fullwidth")
        if shown:
            rows.append((label, shown))
    if spec.fax is not None:
        rows.append((labels["fax"], esc(display(spec.fax, phone_style(rng, spec.fax)))))
    for email in spec.emails:
        shown = render_email(spec, email, rng, scripts, json_ld)
        if shown:
            rows.append((labels["email"], shown))
    address = f"{esc(spec.street)}<br>{esc(spec.postcode)} {esc(spec.city)}"
    if spec.region in {"US", "CA", "AU", "GB", "IE", "JP", "BR"}:
        address = f"{esc(spec.street)}<br>{esc(spec.city)} {esc(spec.postcode)}"
    microdata = any(e.form == "microdata" for e in spec.emails) or any(p.form == "microdata" for p in spec.phones)
    scope = ' itemscope itemtype="https://schema.org/LocalBusiness"' if microdata else ""
    name_prop = f'<meta itemprop="name" content="{esc(spec.name)}">' if microdata else ""
    layout = spec.index % 4
    if layout == 0:
        items = "\n".join(f'    <li><span class="label">{esc(k)}:</span> {v}</li>' for k, v in rows)
        body = f"<ul class=\"contact-list\">\n{items}\n  </ul>"
    elif layout == 1:
        items = "\n".join(f"    <tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
        body = f"<table class=\"contact-table\">\n{items}\n  </table>"
    elif layout == 2:
        body = "<p>" + "<br>\n".join(f"{esc(k)}: {v}" for k, v in rows) + "</p>"
    else:
        icons = {labels["phone"]: "fa-phone", labels["email"]: "fa-envelope", labels["fax"]: "fa-fax",
                 labels["mobile"]: "fa-mobile"}
        body = "\n".join(
            f'  <div class="contact-card"><i class="fa {icons.get(k, "fa-info")}" aria-hidden="true"></i>'
            f'<strong>{esc(k)}</strong><div class="value">{v}</div></div>' for k, v in rows
        )
    return f"""<section id="contact" class="contact"{scope}>
  {name_prop}<h2>{esc(labels['contact'])}</h2>
  <address>{address}</address>
  {body}
  <p class="note">{esc(labels['reply'])}</p>
</section>"""


def contact_form(spec: Spec, rng: random.Random) -> str:
    labels = LABELS[spec.lang]
    placeholder = rng.choice(["you@example.com", "name@domain.com", "your@email.com", "email@address.com"])
    return f"""<form class="contact-form" action="/send" method="post">
  <label>{esc(labels['your_name'])}<input type="text" name="name" placeholder="John Doe"></label>
  <label>{esc(labels['your_email'])}<input type="email" name="email" placeholder="{placeholder}"></label>
  <label>{esc(labels['message'])}<textarea name="message" rows="5"></textarea></label>
  <button type="submit">{esc(labels['send'])}</button>
</form>"""


def render_page(spec: Spec, rng: random.Random) -> tuple[str, dict[str, str], dict[str, str]]:
    stack = spec.stack
    assert stack is not None
    labels = LABELS[spec.lang]
    trade_name, services = TRADES[spec.trade][spec.lang]
    host = spec.url.split("/")[2]
    values = dict(host=host, slug=spec.domain.split(".")[0], name=spec.name.replace('"', ""),
                  gid=f"{rng.randint(1000000, 9999999):X}ABC", gtm=f"{rng.randint(100000, 999999):X}",
                  pixel=digits(rng, 15), hj=str(rng.randint(1000000, 3999999)), domain=spec.domain,
                  site=str(rng.randint(1, 40)), tawk=f"{digits(rng, 8)}abcdef{digits(rng, 8)}/1h{digits(rng, 3)}")
    scripts: list[str] = []
    json_ld: dict = {"@context": "https://schema.org", "@type": "LocalBusiness", "name": spec.name,
                     "address": {"@type": "PostalAddress", "streetAddress": spec.street, "postalCode": spec.postcode,
                                 "addressLocality": spec.city}, "url": spec.url}
    contact = contact_block(spec, rng, scripts, json_ld)
    same_as = [s for s in spec.socials if s.form == "same_as"]
    if same_as:
        json_ld["sameAs"] = [s.link for s in same_as]
    meta_twitter = next((s for s in spec.socials if s.form == "twitter_meta"), None)
    plugin = next((s for s in spec.socials if s.form == "fb_plugin"), None)
    links = [s for s in spec.socials if s.form == "link"]

    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(spec.name)} – {esc(trade_name)} · {esc(spec.city)}</title>",
        f'<meta name="description" content="{esc(spec.name)}: {esc(", ".join(services))}. {esc(spec.city)}.">',
        f'<meta property="og:title" content="{esc(spec.name)}">',
        '<meta property="og:type" content="website">',
        f'<meta property="og:url" content="{esc(spec.url)}">',
        f'<meta property="og:image" content="https://{host}/images/og-image@2x.jpg">',
        f'<link rel="canonical" href="{esc(spec.url)}">',
        fill(stack.head, **values),
        "<style>@import url('/css/fonts.css'); :root{--brand:#2b6cb0} .hero{background:url(/img/hero@2x.jpg) center/cover}"
        " @media (max-width: 720px){.nav{display:none}} @font-face{font-family:Brand;src:url(/f/brand.woff2)}</style>",
    ]
    if meta_twitter is not None:
        head.append(f'<meta name="twitter:site" content="@{meta_twitter.link}">')
        spec.covers.add("social:twitter_meta")
    head.append(f'<script type="application/ld+json">{json.dumps(json_ld, ensure_ascii=False, indent=1)}</script>')
    if rng.random() < 0.25:
        key = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        head.append(fill(SENTRY_SNIPPET, key=key, org=digits(rng, 6), proj=digits(rng, 7), rel="1.4.2"))
        spec.covers.add("fp:sentry")
    if rng.random() < 0.25:
        head.append("<script>/* bundle: react@18.2.0 react-dom@18.2.0 @babel/runtime@7.23.8 swiper@11.0.5 */"
                    "var cfg={retina:'/img/logo@3x.png',theme:'astra@4.6.1',support:'support@qodeinteractive.com'};</script>")
        spec.covers.add("fp:package")
    for s in spec.socials:
        spec.covers.add(f"social:{s.network}")
        spec.covers.add(f"social-form:{s.form}")

    nav = "".join(f'<li><a href="/{p}">{esc(labels[k])}</a></li>' for k, p in
                  (("home", ""), ("about", "about"), ("services", "services"), ("contact", "contact")))
    service_items = "\n".join(f'      <li>{esc(s)} <span class="price">{price(spec.lang, rng)}</span></li>' for s in services)
    hours = "\n".join(f"      <tr><td>{esc(d)}</td><td>{esc(h)}</td></tr>" for d, h in hours_rows(spec.lang, rng))
    owner_first, owner_last = spec.owner
    about = (f"<p>{esc(labels['since'].format(year=rng.randint(1950, 2015)))} – {esc(spec.name)}, "
             f"{esc(trade_name)} · {esc(spec.city)}. {esc(services[0])}, {esc(services[1])}, {esc(services[2])}.</p>\n"
             f"    <p>{esc(labels['owner'])}: {esc(owner_first)} {esc(owner_last)}</p>")
    decoys = "\n    ".join(decoy_paragraphs(spec, rng))
    topbar = ""
    if spec.phones and rng.random() < 0.3:
        # The main number again in the top bar, as a tel: link with another display.
        phone = spec.phones[0]
        topbar = f'<div class="topbar"><a href="tel:{phone.national}">{esc(display(phone, "national"))}</a></div>'
    social_html = "\n    ".join(
        f'<a href="{esc(s.link)}" target="_blank" rel="noopener" aria-label="{s.network}"><i class="fab fa-{s.network}"></i></a>'
        for s in links
    )
    share = ""
    if rng.random() < 0.55:
        picks = rng.sample(SHARE_DECOYS, k=3)
        share = "\n    ".join(f'<a class="share" href="{fill(p, url=quote(spec.url, safe=""), name=quote(spec.name))}">Share</a>' for p in picks)
        spec.covers.add("social-fp:share")
    content_links = ""
    if rng.random() < 0.4:
        picks = rng.sample(CONTENT_DECOYS, k=2)
        content_links = "\n    ".join(f'<a href="{fill(p, tag=spec.trade)}">#{spec.trade}</a>' for p in picks)
        spec.covers.add("social-fp:content")
    plugin_html = ""
    if plugin is not None:
        plugin_html = (f'<iframe src="https://www.facebook.com/plugins/page.php?href={quote(plugin.link, safe="")}'
                       f'&amp;tabs=timeline&amp;width=340&amp;height=500" width="340" height="500" style="border:none"></iframe>')
    map_html = ""
    if rng.random() < 0.3:
        map_html = (f'<iframe class="map" src="https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2428.4!2d13.4!3d52.5" '
                    f'width="600" height="300" loading="lazy" title="{esc(labels["directions"])}"></iframe>')
        spec.tech.add("Google Maps")
    credits = ""
    if rng.random() < 0.2:
        local, host_, kind = rng.choice(AGENCIES)
        credits = f'<p class="credits">{esc(labels["credits"])} <a href="mailto:{local}@{host_}">{host_}</a></p>'
        spec.emails.append(Email(f"{local}@{host_}", kind, "mailto"))
        spec.covers.add("email:agency-credit")
    legal = " · ".join(esc(x) for x in company_ids(spec.region, rng))
    spec.covers.add("phone-fp:company-id")

    body_inner = f"""
<header class="site-header">
  {topbar}
  <a class="logo" href="/"><img src="/img/logo.png" srcset="/img/logo@2x.png 2x, /img/logo@3x.png 3x" alt="{esc(spec.name)}"></a>
  <nav class="nav"><ul>{nav}</ul></nav>
</header>
<main>
  <section class="hero">
    <h1>{esc(labels['welcome'].format(name=spec.name))}</h1>
    <p>{esc(trade_name)} · {esc(spec.city)}</p>
    <a class="btn" href="/contact">{esc(labels['book'])}</a>
  </section>
  <section class="about">
    <h2>{esc(labels['about'])}</h2>
    {about}
  </section>
  <section class="services">
    <h2>{esc(labels['services'])}</h2>
    <ul>
{service_items}
    </ul>
  </section>
  <section class="hours">
    <h2>{esc(labels['hours'])}</h2>
    <table>
{hours}
    </table>
  </section>
  {contact}
  {contact_form(spec, rng)}
  {map_html}
  <section class="news">
    {decoys}
  </section>
</main>
<footer class="site-footer">
  <div class="social"><span>{esc(labels['follow'])}</span>
    {social_html}
    {plugin_html}
  </div>
  <div class="share-bar">
    {share}
    {content_links}
  </div>
  <p class="legal">{legal}</p>
  <p>© {rng.randint(2019, 2024)} {esc(spec.name)}. {esc(labels['rights'])} <a href="/privacy">{esc(labels['privacy'])}</a> · <a href="/imprint">{esc(labels['imprint'])}</a></p>
  {credits}
</footer>"""
    if any(e.form.startswith("cf_") for e in spec.emails):
        scripts.append('<script data-cfasync="false" src="/cdn-cgi/scripts/5c5dd728/cloudflare-static/email-decode.min.js"></script>')
    page = f"""<!DOCTYPE html>
<html lang="{REGIONS[spec.region]['html_lang']}">
<head>
{chr(10).join(head)}
</head>
<body class="{stack.body_class}">
{fill(stack.body_start, **values)}{body_inner}
{fill(stack.body_end, **values)}
{chr(10).join(scripts)}
</body>
</html>
"""
    headers = {k: fill(v, host=host) for k, v in stack.headers.items()}
    headers["content-type"] = "text/html; charset=utf-8"
    return page, headers, dict(stack.cookies)


def assign_social_forms(spec: Spec, rng: random.Random) -> None:
    for social in spec.socials:
        roll = rng.random()
        if social.network == "x" and roll < 0.2:
            social.form = "twitter_meta"
            social.link = social.canonical.rsplit("/", 1)[1]
        elif social.network == "facebook" and roll < 0.2:
            social.form = "fb_plugin"
        elif roll < 0.35:
            social.form = "same_as"


def build_corpus() -> list[tuple[str, bytes, dict]]:
    """(page name, HTML bytes, gold line) of every page: the generated ones rendered here, in memory, and the
    hand-written ones read from `pages/` with their gold from `hand_gold.py`."""
    rng = random.Random(SEED)
    form_queue = {"email": list(EMAIL_FORMS), "phone": list(PHONE_FORMS)}
    rng.shuffle(form_queue["email"])
    rng.shuffle(form_queue["phone"])
    out = []
    for index, region in enumerate(REGION_PLAN):
        spec = build_spec(index, region, rng, form_queue)
        spec.stack = STACKS[index % len(STACKS)]
        assign_social_forms(spec, rng)
        page, headers, cookies = render_page(spec, rng)
        name = f"gen-{index:03d}-{region.lower()}-{spec.trade}.html"
        socials: dict[str, list[str]] = {}
        for social in spec.socials:
            if social.canonical not in socials.get(social.network, []):
                socials.setdefault(social.network, []).append(social.canonical)
        emails: dict[str, str] = {}
        for email in spec.emails:
            emails.setdefault(email.address, email.kind)
        out.append((name, page.encode("utf-8"), {
            "page": name, "origin": "generated", "url": spec.url, "region": spec.region_hint,
            "country": spec.region, "headers": headers, "cookies": cookies,
            "emails": emails, "phones": sorted({p.e164 for p in spec.phones}),
            "socials": socials, "tech": sorted(set(spec.stack.tech) | spec.tech),
            "covers": sorted(spec.covers),
        }))
    for entry in HAND_GOLD:
        out.append((entry["page"], (PAGES / entry["page"]).read_bytes(), {"origin": "hand", **entry}))
    return out


def main() -> None:
    """Write the generated pages and `gold.jsonl` into a folder, to read them (they are not committed)."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "generated"
    (target / "pages").mkdir(parents=True, exist_ok=True)
    corpus = build_corpus()
    with open(target / "gold.jsonl", "w", encoding="utf-8") as gold:
        for name, page, line in corpus:
            (target / "pages" / name).write_bytes(page)
            gold.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(corpus)} pages and gold.jsonl written to {target}")


if __name__ == "__main__":
    main()
