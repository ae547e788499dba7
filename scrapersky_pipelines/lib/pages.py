"""Page classification from the URL alone (replaces the original "Honeybee" path rules).

A URL's path is reduced to slug words (locale prefixes, file extensions and index documents removed, accents
folded) and matched against multilingual keyword tables. The last path segment decides when it matches;
otherwise a parent segment can name the section (/blog/<post>, /services/<service>). Assets, feeds and
system paths come back with filtered=True and a reason: callers store them as Filtered, never drop them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "CATEGORIES",
    "CONTACT_CATEGORIES",
    "CONTACT_THRESHOLD",
    "PageClass",
    "classify_url",
    "contact_priority",
    "is_contact_candidate",
]

CATEGORIES = (
    "contact", "about", "team", "careers", "legal", "services", "pricing", "menu", "blog", "product", "other",
)

# Pages at or above this confidence in a CONTACT_CATEGORIES category are queued for scraping automatically.
# /contact at any depth up to 4 and /contact-form-like slugs near the root clear it; partial matches
# inside longer slugs (/blog/how-to-contact-us) and children of a contact page do not.
CONTACT_THRESHOLD = 0.6
# Legal is here because German/Austrian/Swiss sites must publish address, phone and email in the Impressum.
CONTACT_CATEGORIES = frozenset({"contact", "about", "team", "legal"})

OTHER_CONFIDENCE = 0.2


@dataclass(frozen=True, slots=True)
class PageClass:
    """Category of a page guessed from its URL.

    reason explains the decision: why a page is filtered, or which slug matched (None for plain "other").
    """

    category: str
    confidence: float
    depth: int
    filtered: bool
    reason: str | None


def _words(*phrases: str) -> frozenset[str]:
    return frozenset(phrases)


# Slugs after accent folding (ü -> u) and with "_", " ", "+", "." turned into "-".
_KEYWORDS: dict[str, frozenset[str]] = {
    "contact": _words(
        "contact", "contacts", "contact-us", "contactus", "contact-me", "get-in-touch", "reach-us", "reach-out",
        "contact-info", "contact-information", "contact-details", "contact-form", "enquiries", "enquiry",
        "inquiry", "inquiries", "find-us", "visit-us", "locations", "location", "directions", "our-location",
        "request-a-quote", "get-a-quote", "free-quote", "quote", "free-estimate", "book-now", "appointments",
        "kontakt", "kontakte", "kontaktieren", "kontakt-aufnehmen", "kontaktformular", "anfahrt", "anfrage",
        "contacto", "contactos", "contactenos", "contactanos", "contacta", "contactar",
        "contatti", "contattaci", "contatto", "dove-siamo",
        "contato", "contatos", "fale-conosco", "fale-connosco",
        "contactez-nous", "nous-contacter", "contactez-moi", "nous-joindre", "acces",
        "neem-contact-op", "kontakta-oss", "kontakt-oss", "yhteystiedot", "yhteys", "kontakty", "iletisim",
        "контакты", "お問い合わせ", "联系我们",
    ),
    "about": _words(
        "about", "about-us", "aboutus", "about-me", "our-story", "who-we-are", "company", "our-company",
        "history", "our-history", "mission", "our-mission", "philosophy", "profile", "company-profile",
        "ueber-uns", "uber-uns", "ueberuns", "uberuns", "wir-uber-uns", "wir-ueber-uns", "unternehmen",
        "a-propos", "apropos", "qui-sommes-nous", "notre-histoire", "l-entreprise",
        "quienes-somos", "sobre-nosotros", "nosotros", "empresa", "nuestra-historia",
        "chi-siamo", "azienda", "la-nostra-storia",
        "sobre", "sobre-nos", "quem-somos",
        "over-ons", "om-oss", "om-os", "o-nas", "hakkimizda", "о-нас", "关于我们",
    ),
    "team": _words(
        "team", "our-team", "the-team", "meet-the-team", "meet-our-team", "staff", "our-staff", "people",
        "our-people", "leadership", "management", "founders", "doctors", "our-doctors", "dentists",
        "attorneys", "lawyers", "agents", "stylists", "providers", "physicians", "therapists",
        "mitarbeiter", "unser-team", "das-team", "equipo", "nuestro-equipo", "equipe", "notre-equipe",
        "l-equipe", "squadra", "il-team", "il-nostro-team", "ons-team", "medewerkers", "zespol", "ekibimiz",
    ),
    "careers": _words(
        "careers", "career", "jobs", "job", "join-us", "join-our-team", "work-with-us", "work-for-us",
        "vacancies", "employment", "job-opportunities", "opportunities", "hiring", "were-hiring",
        "recruitment", "recruiting",
        "karriere", "stellenangebote", "stellen", "jobs-karriere", "offene-stellen",
        "empleo", "empleos", "trabaja-con-nosotros", "bolsa-de-trabajo",
        "carrieres", "carriere", "recrutement", "emplois", "offres-d-emploi",
        "lavora-con-noi", "lavoro", "carreiras", "trabalhe-conosco",
        "vacatures", "werken-bij", "lediga-tjanster", "kariera", "praca", "kariyer",
    ),
    "legal": _words(
        "legal", "legal-notice", "legal-notices", "impressum", "imprint", "privacy", "privacy-policy",
        "privacy-notice", "privacy-statement", "terms", "terms-of-service", "terms-of-use",
        "terms-and-conditions", "terms-conditions", "tos", "conditions", "cookie-policy", "cookies",
        "cookie-notice", "gdpr", "disclaimer", "copyright", "accessibility", "refund-policy",
        "return-policy", "returns-policy", "shipping-policy", "dsgvo", "datenschutz",
        "datenschutzerklarung", "datenschutzerklaerung", "agb", "haftungsausschluss", "rechtliches",
        "mentions-legales", "politique-de-confidentialite", "confidentialite", "cgv", "cgu",
        "aviso-legal", "politica-de-privacidad", "politica-de-cookies", "terminos-y-condiciones",
        "aviso-de-privacidad", "privacidad", "note-legali", "informativa-privacy", "termini-e-condizioni",
        "politica-de-privacidade", "termos-de-uso", "colofon", "algemene-voorwaarden", "integritetspolicy",
        "polityka-prywatnosci", "kvkk",
    ),
    "services": _words(
        "services", "service", "our-services", "what-we-do", "solutions", "offerings", "treatments",
        "practice-areas", "specialties", "specialities", "capabilities", "procedures",
        "leistungen", "unsere-leistungen", "dienstleistungen", "leistungsspektrum", "angebot",
        "servicios", "nuestros-servicios", "servicos", "nossos-servicos", "prestations", "nos-services",
        "nos-prestations", "servizi", "i-nostri-servizi", "diensten", "onze-diensten", "tjanster",
        "uslugi", "hizmetler", "hizmetlerimiz",
    ),
    "pricing": _words(
        "pricing", "prices", "price", "price-list", "pricelist", "rates", "our-rates", "fees", "plans",
        "packages", "cost", "costs", "tariffs", "membership", "memberships",
        "preise", "preisliste", "unsere-preise", "precios", "tarifas", "tarifs", "prix", "nos-tarifs",
        "prezzi", "listino", "listino-prezzi", "tariffe", "precos", "prijzen", "tarieven", "priser",
        "cennik", "fiyatlar",
    ),
    "menu": _words(
        "menu", "menus", "our-menu", "food-menu", "drink-menu", "drinks", "wine-list", "dinner-menu",
        "lunch-menu", "breakfast-menu", "brunch-menu", "dinner", "lunch", "breakfast", "brunch",
        "order-online", "takeout", "take-out", "catering", "specials",
        "speisekarte", "getrankekarte", "getraenkekarte", "mittagstisch", "karte",
        "carta", "la-carta", "menu-del-dia", "carte", "la-carte", "notre-carte", "cardapio",
        "menukaart", "meny", "menyu",
    ),
    "blog": _words(
        "blog", "blogs", "news", "articles", "article", "posts", "post", "insights", "journal", "updates",
        "press", "press-releases", "newsroom", "events", "resources", "tips", "category", "categories",
        "tag", "tags", "author", "archive", "archives",
        "aktuelles", "neuigkeiten", "nachrichten", "noticias", "novedades", "actualites", "actualite",
        "notizie", "novita", "nieuws", "nyheter", "aktualnosci", "haberler", "blogg",
    ),
    "product": _words(
        "product", "products", "shop", "store", "catalog", "catalogue", "collections", "collection",
        "item", "items", "produkt", "produkte", "productos", "producto", "tienda", "produits", "produit",
        "boutique", "prodotti", "prodotto", "negozio", "produtos", "produto", "loja", "producten",
        "winkel", "produkter", "butik", "produkty", "sklep", "urunler",
    ),
}

# Common nouns that only mean the category when they are the whole segment: "/blog/best-lunch-spots"
# is not a menu page and "/news/we-are-hiring-a-chef" is not a careers page.
_EXACT_ONLY = frozenset(
    {
        "company", "history", "mission", "profile", "people", "management", "agents", "providers", "job",
        "jobs", "opportunities", "hiring", "lavoro", "praca", "stellen", "conditions", "returns", "terms",
        "service", "solutions", "price", "cost", "costs", "plans", "packages", "rates", "fees", "dinner",
        "lunch", "breakfast", "brunch", "drinks", "specials", "catering", "karte", "carte", "carta",
        "post", "posts", "article", "articles", "updates", "press", "events", "resources", "tips",
        "category", "categories", "tag", "tags", "author", "archive", "archives", "item", "items",
        "collection", "product", "location", "locations", "directions", "quote",
        "sobre", "empresa", "nosotros", "angebot", "unternehmen", "story",
        "journal", "insights", "membership", "memberships", "cookies", "book-now", "appointments",
        "acces", "anfrage", "sobre-nos", "lavoro",
    }
)

# German and Dutch write compounds as one word (Kontaktformular, Datenschutzhinweise, Karriereportal).
_STEMS: tuple[tuple[str, str], ...] = (
    ("kontakt", "contact"), ("contact", "contact"), ("impressum", "legal"), ("datenschutz", "legal"),
    ("karriere", "careers"), ("stellenangebot", "careers"), ("leistung", "services"),
    ("dienstleistung", "services"), ("preis", "pricing"), ("speisekarte", "menu"),
)

# Section parents whose children belong to them (/blog/<post>, /products/<item>).
_CONTAINER_CATEGORIES = frozenset({"blog", "product", "services", "menu", "careers", "pricing"})
_CATEGORY_ORDER = {c: i for i, c in enumerate(CATEGORIES)}

_PHRASE_INDEX: dict[str, str] = {}
for _category, _phrases in _KEYWORDS.items():
    for _phrase in _phrases:
        _PHRASE_INDEX.setdefault(_phrase, _category)
_MAX_PHRASE_WORDS = max(p.count("-") + 1 for p in _PHRASE_INDEX)

_LANGUAGES = frozenset(
    "en de fr es it pt nl sv da no nb nn fi pl cs sk hu ro bg el tr ru uk ja zh ko ar he hi id ms th vi "
    "ca eu gl hr sr sl et lv lt is ga cy mt fa ur bn ta af sq mk bs lb tl sw zu".split()
)
_COUNTRIES = frozenset("us gb au at ch be ie nz za sg hk tw mx br ar cl co in ae sa jp kr cn".split())
_LOCALE_RE = re.compile(r"^([a-z]{2})(?:[-_](?:[a-z]{2}|[0-9]{3}|[a-z]{4}))?$")

_PAGE_EXTENSIONS = frozenset(
    {"php", "php3", "php4", "php5", "html", "htm", "xhtml", "shtml", "aspx", "asp", "jsp", "jspx", "cfm",
     "cgi", "pl", "do", "action"}
)
_INDEX_DOCUMENTS = frozenset({"index", "default", "home", "main"})
_FILTERED_EXTENSIONS: dict[str, str] = {}
for _kind, _exts in {
    "image": "jpg jpeg png gif webp svg svgz ico bmp tif tiff avif heic heif jfif",
    "document": "pdf doc docx xls xlsx ppt pptx odt ods odp rtf csv txt epub",
    "stylesheet or script": "css js mjs map wasm",
    "data or feed": "xml rss atom json jsonld rdf xsl kml gpx ics vcf",
    "media": "mp4 m4v mov avi wmv webm mkv flv mpg mpeg mp3 m4a wav ogg oga flac aac wma",
    "archive or binary": "zip rar 7z gz tgz tar bz2 xz dmg exe msi apk bin iso deb rpm",
    "font": "woff woff2 ttf eot otf",
}.items():
    for _ext in _exts.split():
        _FILTERED_EXTENSIONS[_ext] = _kind

_FILTERED_PATHS: tuple[tuple[str, str], ...] = (
    ("/wp-content/uploads/", "WordPress upload"),
    ("/wp-content/", "WordPress system path"),
    ("/wp-includes/", "WordPress system path"),
    ("/wp-admin/", "WordPress system path"),
    ("/wp-json/", "WordPress API"),
    ("/cdn-cgi/", "CDN system path"),
    ("/feed/", "feed"),
    ("/rss/", "feed"),
    ("/atom/", "feed"),
)
_FILTERED_LAST_SEGMENTS = {
    "feed": "feed", "rss": "feed", "atom": "feed", "wp-login.php": "WordPress system path",
    "xmlrpc.php": "WordPress system path", "wp-cron.php": "WordPress system path",
    "robots.txt": "robots.txt",
}
_FILTERED_QUERY_KEYS = {"replytocom": "comment reply link", "share": "share link", "feed": "feed",
                        "add-to-cart": "cart action", "add_to_cart": "cart action"}
_IGNORED_QUERY_KEYS_PREFIX = ("utm_", "fbclid", "gclid", "mc_", "_ga", "ref")

_SEPARATORS_RE = re.compile(r"[\s_+.,:;!|~'\"()\[\]]+")
_DASHES_RE = re.compile(r"-{2,}")
_QUERY_TOKEN_RE = re.compile(r"[a-z0-9]+|[^\x00-\x7f]+")


@dataclass(frozen=True, slots=True)
class _Match:
    category: str
    confidence: float
    reason: str


def _fold(text: str) -> str:
    """Lower-case and strip accents so über, uber and ÜBER meet (ß becomes ss)."""
    text = text.lower().replace("ß", "ss")
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _slug(segment: str) -> str:
    slug = _SEPARATORS_RE.sub("-", _fold(segment))
    return _DASHES_RE.sub("-", slug).strip("-")


def _strip_extension(segment: str) -> tuple[str, str | None]:
    stem, dot, ext = segment.rpartition(".")
    if not dot or not stem or not ext.isalnum():
        return segment, None
    return stem, ext.lower()


def _strip_locale(segments: list[str]) -> list[str]:
    # Country before language ("/us/en/") only counts when a language follows it.
    start = 0
    for _ in range(2):
        if start >= len(segments):
            break
        m = _LOCALE_RE.match(segments[start].lower())
        if not m:
            break
        code = m.group(1)
        if code in _LANGUAGES:
            start += 1
            continue
        if code in _COUNTRIES and start + 1 < len(segments):
            nxt = _LOCALE_RE.match(segments[start + 1].lower())
            if nxt and nxt.group(1) in _LANGUAGES:
                start += 2
        break
    return segments[start:]


def _exact_confidence(depth: int) -> float:
    return max(0.55, 0.95 - 0.1 * (depth - 1))


def _match_segment(slug: str, depth: int) -> _Match | None:
    """Best keyword match for the last segment's slug: exact, then a leading phrase, then any phrase."""
    category = _PHRASE_INDEX.get(slug)
    if category is not None:
        return _Match(category, round(_exact_confidence(depth), 2), f"exact:{slug}")
    words = slug.split("-")
    best: _Match | None = None
    for size in range(min(_MAX_PHRASE_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            phrase = "-".join(words[start : start + size])
            category = _PHRASE_INDEX.get(phrase)
            if category is None or phrase in _EXACT_ONLY:
                continue
            if start == 0:
                conf = max(0.4, 0.75 - 0.1 * (depth - 1))
                kind = "prefix"
            else:
                conf = max(0.25, 0.45 - 0.05 * (depth - 1))
                kind = "contains"
            candidate = _Match(category, round(conf, 2), f"{kind}:{phrase}")
            if best is None or _better(candidate, best):
                best = candidate
    first = words[0]
    for stem, category in _STEMS:
        if first.startswith(stem) and first != stem:
            conf = round(max(0.4, 0.75 - 0.1 * (depth - 1)), 2)
            candidate = _Match(category, conf, f"prefix:{stem}")
            if best is None or _better(candidate, best):
                best = candidate
            break
    return best


def _better(a: _Match, b: _Match) -> bool:
    if a.confidence != b.confidence:
        return a.confidence > b.confidence
    return _CATEGORY_ORDER[a.category] < _CATEGORY_ORDER[b.category]


def _section_match(slugs: list[str], depth: int) -> _Match | None:
    """The nearest parent segment naming a section, e.g. blog in /blog/2024/my-post."""
    for slug in reversed(slugs[:-1]):
        category = _PHRASE_INDEX.get(slug)
        if category is None:
            continue
        base = 0.8 if category in _CONTAINER_CATEGORIES else 0.5
        conf = max(0.3, base - 0.05 * (depth - 2))
        return _Match(category, round(conf, 2), f"section:{slug}")
    return None


def _query_match(query: str) -> _Match | None:
    """Keywords in query values: index.php?option=com_contact, ?route=information/contact, ?page=kontakt."""
    for key, value in parse_qsl(query, keep_blank_values=False):
        if key.lower().startswith(_IGNORED_QUERY_KEYS_PREFIX):
            continue
        for token in _QUERY_TOKEN_RE.findall(_fold(value)):
            category = _PHRASE_INDEX.get(token)
            if category is not None and token not in _EXACT_ONLY:
                return _Match(category, 0.6, f"query:{key}={token}")
    return None


def _filter_reason(path: str, last: str, query: str) -> str | None:
    lowered = path.lower()
    if not lowered.endswith("/"):
        lowered += "/"
    for needle, reason in _FILTERED_PATHS:
        if needle in lowered:
            return reason
    special = _FILTERED_LAST_SEGMENTS.get(last.lower())
    if special is not None:
        return special
    _, ext = _strip_extension(last)
    if ext is not None and ext in _FILTERED_EXTENSIONS:
        return f"{_FILTERED_EXTENSIONS[ext]}: .{ext}"
    if query:
        for key, _ in parse_qsl(query, keep_blank_values=True):
            reason = _FILTERED_QUERY_KEYS.get(key.lower())
            if reason is not None:
                return reason
    return None


def classify_url(url: str) -> PageClass:
    """Guess what a page is from its URL (absolute URL or bare path)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return PageClass("other", 0.0, 0, True, "unparseable URL")
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return PageClass("other", 0.0, 0, True, "not an http(s) URL")
    path = unquote(parts.path, errors="replace")
    raw_segments = [s for s in path.split("/") if s]
    segments = _strip_locale(raw_segments)
    if segments:
        stem, ext = _strip_extension(segments[-1])
        if ext in _PAGE_EXTENSIONS and stem.lower() in _INDEX_DOCUMENTS:
            segments = segments[:-1]
    depth = len(segments)

    reason = _filter_reason(path, raw_segments[-1] if raw_segments else "", parts.query)
    if reason is not None:
        return PageClass("other", 0.0, depth, True, reason)

    if not segments:
        match = _query_match(parts.query) if parts.query else None
        if match is not None:
            return PageClass(match.category, match.confidence, 0, False, match.reason)
        return PageClass("other", OTHER_CONFIDENCE, 0, False, "homepage")

    slugs = []
    for i, segment in enumerate(segments):
        if i == len(segments) - 1:
            stem, ext = _strip_extension(segment)
            if ext in _PAGE_EXTENSIONS:
                segment = stem
        slugs.append(_slug(segment))

    best = _match_segment(slugs[-1], depth) if slugs[-1] else None
    section = _section_match(slugs, depth)
    if section is not None and (best is None or _better(section, best)):
        best = section
    if best is None and parts.query:
        best = _query_match(parts.query)
    if best is None:
        return PageClass("other", OTHER_CONFIDENCE, depth, False, None)
    return PageClass(best.category, best.confidence, depth, False, best.reason)


def is_contact_candidate(pc: PageClass) -> bool:
    """Whether a page should be queued for contact scraping without a person selecting it."""
    return not pc.filtered and pc.category in CONTACT_CATEGORIES and pc.confidence >= CONTACT_THRESHOLD


_CATEGORY_PRIORITY = {
    "contact": 1, "about": 3, "team": 3, "legal": 3, "careers": 4, "services": 5, "pricing": 5, "menu": 5,
    "other": 6, "product": 7, "blog": 7,
}


def contact_priority(pc: PageClass) -> int:
    """Crawl order for contact discovery, 1 (most urgent) to 9 (never): contact pages, then the homepage,
    about/team/legal, and so on; a weak match sinks one step."""
    if pc.filtered:
        return 9
    if pc.category == "other" and pc.depth == 0:
        return 2
    priority = _CATEGORY_PRIORITY.get(pc.category, 6)
    if pc.category == "contact" and pc.confidence < CONTACT_THRESHOLD:
        priority = 2
    elif pc.category != "other" and pc.confidence < 0.5:
        priority += 1
    return min(priority, 8)
