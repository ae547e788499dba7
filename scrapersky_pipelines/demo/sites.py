"""Deterministic synthetic local-business websites and the gold values a correct scraper extracts.

A healthy site is named ``<brand>-<trade>-<NNNN>.com``; everything about it (pages, contacts,
tech markers, robots.txt, sitemaps) follows from the name and the seed, and its shape varies with
the index NNNN so that any run of consecutive indexes covers every variant. A site answers on its
own name, on ``www.`` (some live there, the apex redirecting) and, for cross-host sitemaps, on
``cdn.<domain>``. `build_site` renders the site lazily (path -> `Response`), `expected` gives the
gold values, including what a sitemap discoverer must report (`SitemapGold`). Broken and hostile
sites are ``broken-<kind>-NN.com`` (``.net`` for "unknown-host", a name the resolve map never
serves); their behaviour lives in `hostile.py`.
"""

from __future__ import annotations

import email.utils
import gzip
import html
import json
import random
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote

from scrapersky_pipelines.demo.hostile import BASIC_KINDS, HOSTILE_KINDS, OVERSIZE_SITEMAP_BYTES, OversizeUrlset

__all__ = [
    "ALL_BROKEN_KINDS",
    "BROKEN_KINDS",
    "KNOWN_SITEMAP_PATHS",
    "LANGUAGES",
    "PLATFORMS",
    "SITEMAP_SHAPES",
    "TECH_NAMES",
    "PageContacts",
    "Response",
    "Site",
    "SiteExpectation",
    "SitemapGold",
    "broken_domain",
    "build_site",
    "expected",
    "parse_broken_domain",
    "parse_site_domain",
    "site_domain",
    "site_domains",
]

BROKEN_KINDS: tuple[str, ...] = BASIC_KINDS
ALL_BROKEN_KINDS: tuple[str, ...] = BASIC_KINDS + HOSTILE_KINDS

# Well-known paths a sitemap discoverer probes (the gold assumes it probes all of them, in this order,
# after walking what robots.txt and the homepage name).
KNOWN_SITEMAP_PATHS: tuple[str, ...] = (
    "/sitemap.xml", "/sitemap.xml.gz", "/sitemap_index.xml", "/sitemap-index.xml", "/sitemap_index.xml.gz",
    "/wp-sitemap.xml", "/sitemap.txt", "/sitemap", "/sitemap/sitemap.xml", "/sitemap_news.xml",
    "/post-sitemap.xml", "/page-sitemap.xml", "/product-sitemap.xml", "/admin/config/search/xmlsitemap",
)
# Chosen by index % len(SITEMAP_SHAPES), so any run of that many consecutive indexes has each once.
SITEMAP_SHAPES: tuple[str, ...] = (
    "urlset",        # robots -> /sitemap.xml
    "yoast-index",   # robots -> /sitemap_index.xml -> page-sitemap.xml, post-sitemap.xml (image:loc inside)
    "gzip",          # robots -> /sitemap.xml.gz (gzip file, no Content-Encoding)
    "text",          # robots -> /sitemap.txt
    "wp-core",       # robots -> /wp-sitemap.xml index; the known path /sitemap.xml 301s to it
    "known-path",    # robots has no Sitemap line; /sitemap.xml (old or no namespace) found by probing
    "no-robots",     # robots.txt 404; /sitemap_index.xml -> a .xml.gz child and a plain child
    "multi",         # robots lists two files at unknown paths; one .xml.gz sent with Content-Encoding: gzip
    "nested",        # robots -> index -> (urlset, index -> urlset with news:news)
    "gzip-index",    # robots -> /sitemap_index.xml.gz (gzipped index) -> two gzipped children
    "loop",          # robots -> index -> (urlset, index listing its parent, itself and a urlset)
    "shared-child",  # robots lists two indexes that both list /sitemap-shared.xml (video:video inside)
    "cross-host",    # robots -> /sitemap.xml 301 -> cdn.<domain> index -> two cdn.<domain> urlsets
    "throttled",     # robots -> /sitemap.xml answering 429 + Retry-After to every other request
    "slow",          # robots -> index -> (urlset dripped slowly, urlset)
    "oversize",      # robots -> index -> (urlset, 60 MiB urlset with an honest Content-Length)
    "feeds",         # robots -> RSS 2.0 feed, Atom feed and a stale (missing) sitemap
    "link-only",     # only <link rel="sitemap"> on the homepage names /sitemaps/site-map.xml
    "none",          # no sitemap anywhere
)
PLATFORMS: tuple[str, ...] = (
    "static", "wordpress", "shopify", "wix", "squarespace", "wordpress-elementor", "webflow", "drupal",
)
LANGUAGES: tuple[str, ...] = ("en", "en", "en", "en", "en", "en", "en", "de", "fr", "es")  # by index % 10
TECH_NAMES: tuple[str, ...] = (
    "WordPress", "Elementor", "Shopify", "Wix", "Squarespace", "Webflow", "Drupal",
    "Google Analytics", "Google Tag Manager", "jQuery", "Bootstrap", "Facebook Pixel", "Cloudflare",
)
# Evidence behind each tech name, for whoever writes the detector (all present in HTML or headers):
#   WordPress: meta generator "WordPress x.y", /wp-content/ and /wp-includes/ assets, Link rel=https://api.w.org/
#   Elementor: /wp-content/plugins/elementor/ stylesheet, elementor-* classes
#   Shopify: cdn.shopify.com scripts, Shopify.shop inline, X-ShopId header
#   Wix: meta generator "Wix.com Website Builder", static.parastorage.com, X-Wix-Request-Id header
#   Squarespace: Server: Squarespace, Static.SQUARESPACE_CONTEXT, assets.squarespace.com
#   Webflow: html[data-wf-site], meta generator "Webflow"; Drupal: meta Generator / X-Generator "Drupal 10"
#   Google Analytics: googletagmanager.com/gtag/js or google-analytics.com/analytics.js
#   Google Tag Manager: googletagmanager.com/gtm.js; jQuery: a jquery*.js script; Bootstrap: bootstrap css/js
#   Facebook Pixel: connect.facebook.net/.../fbevents.js + facebook.com/tr; Cloudflare: Server: cloudflare + CF-RAY

_SM_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_SM_OLD_NS = "http://www.google.com/schemas/sitemap/0.84"
_IMG_NS = "http://www.google.com/schemas/sitemap-image/1.1"
_VIDEO_NS = "http://www.google.com/schemas/sitemap-video/1.1"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_SITE_RE = re.compile(r"^(?P<brand>[a-z]+)-(?P<trade>[a-z]+)-(?P<index>\d{4,})\.com$")
_BROKEN_RE = re.compile(r"^broken-(?P<kind>[a-z0-9-]+?)-(?P<n>\d{2,})\.(?P<tld>com|net)$")


# --------------------------------------------------------------------------------------------
# Vocabulary


@dataclass(frozen=True, slots=True)
class _Trade:
    label: tuple[str, str, str, str]  # en, de, fr, es (business-name suffix)
    pro: tuple[str, str, str, str]    # what the business is, for titles and descriptions
    partner: str
    services: tuple[str, ...]


_LANG_POS = {"en": 0, "de": 1, "fr": 2, "es": 3}
_TRADES: dict[str, _Trade] = {
    "dental": _Trade(("Dental", "Zahnarztpraxis", "Cabinet Dentaire", "Clínica Dental"),
                     ("Family Dentist", "Zahnarzt", "dentiste", "dentista"), "Implants",
                     ("Cleanings", "Whitening", "Implants", "Orthodontics", "Emergency Care", "Veneers")),
    "plumbing": _Trade(("Plumbing", "Sanitär", "Plomberie", "Fontanería"),
                       ("Plumber", "Installateur", "plombier", "fontanero"), "Heating",
                       ("Drain Cleaning", "Water Heaters", "Leak Repair", "Repiping", "Sewer Lines", "Gas Lines")),
    "bakery": _Trade(("Bakery", "Bäckerei", "Boulangerie", "Panadería"),
                     ("Bakery", "Bäcker", "boulanger", "panadero"), "Café",
                     ("Sourdough", "Pastries", "Wedding Cakes", "Catering", "Coffee", "Gluten Free")),
    "law": _Trade(("Law", "Kanzlei", "Avocats", "Abogados"),
                  ("Attorney", "Rechtsanwalt", "avocat", "abogado"), "Partners",
                  ("Family Law", "Estate Planning", "Business Law", "Real Estate", "Personal Injury", "Immigration")),
    "autorepair": _Trade(("Auto Repair", "Autowerkstatt", "Garage", "Taller"),
                         ("Mechanic", "Kfz-Meister", "mécanicien", "mecánico"), "Tires",
                         ("Oil Change", "Brakes", "Diagnostics", "Tires", "Transmission", "Inspections")),
    "salon": _Trade(("Salon", "Friseur", "Salon de Coiffure", "Peluquería"),
                    ("Hair Salon", "Friseur", "coiffeur", "peluquero"), "Spa",
                    ("Haircuts", "Coloring", "Styling", "Manicure", "Facials", "Bridal")),
    "landscaping": _Trade(("Landscaping", "Gartenbau", "Paysagiste", "Jardinería"),
                          ("Landscaper", "Gärtner", "paysagiste", "jardinero"), "Garden",
                          ("Lawn Care", "Garden Design", "Irrigation", "Tree Trimming", "Hardscaping", "Snow Removal")),
    "roofing": _Trade(("Roofing", "Dachdecker", "Couverture", "Tejados"),
                      ("Roofer", "Dachdecker", "couvreur", "techador"), "Siding",
                      ("Roof Repair", "Roof Replacement", "Gutters", "Skylights", "Inspections", "Storm Damage")),
    "vet": _Trade(("Veterinary", "Tierarztpraxis", "Clinique Vétérinaire", "Veterinaria"),
                  ("Veterinarian", "Tierarzt", "vétérinaire", "veterinario"), "Pet Care",
                  ("Checkups", "Vaccinations", "Surgery", "Dental Care", "Grooming", "Boarding")),
    "fitness": _Trade(("Fitness", "Fitnessstudio", "Fitness", "Gimnasio"),
                      ("Gym", "Fitnessstudio", "salle de sport", "gimnasio"), "Wellness",
                      ("Personal Training", "Yoga", "Spinning", "Pilates", "Nutrition", "Boxing")),
    "accounting": _Trade(("Accounting", "Steuerberatung", "Comptabilité", "Asesoría"),
                         ("Accountant", "Steuerberater", "expert-comptable", "asesor"), "Tax",
                         ("Bookkeeping", "Tax Returns", "Payroll", "Audits", "Consulting", "Business Setup")),
    "florist": _Trade(("Florist", "Blumen", "Fleuriste", "Floristería"),
                      ("Florist", "Florist", "fleuriste", "florista"), "Gifts",
                      ("Bouquets", "Weddings", "Funerals", "Plants", "Delivery", "Subscriptions")),
    "cleaning": _Trade(("Cleaning", "Reinigung", "Nettoyage", "Limpieza"),
                       ("Cleaning Service", "Gebäudereiniger", "entreprise de nettoyage", "empresa de limpieza"),
                       "Maintenance",
                       ("House Cleaning", "Office Cleaning", "Carpet Cleaning", "Windows", "Move Out", "Deep Clean")),
    "electric": _Trade(("Electric", "Elektro", "Électricité", "Electricidad"),
                       ("Electrician", "Elektriker", "électricien", "electricista"), "Solar",
                       ("Wiring", "Panel Upgrades", "Lighting", "EV Chargers", "Solar", "Generators")),
    "photo": _Trade(("Photography", "Fotostudio", "Photographie", "Fotografía"),
                    ("Photographer", "Fotograf", "photographe", "fotógrafo"), "Video",
                    ("Weddings", "Portraits", "Events", "Products", "Headshots", "Video")),
    "realty": _Trade(("Realty", "Immobilien", "Immobilier", "Inmobiliaria"),
                     ("Real Estate Agent", "Immobilienmakler", "agent immobilier", "agente inmobiliario"), "Property",
                     ("Buying", "Selling", "Rentals", "Valuations", "Property Management", "Relocation")),
}
_TRADE_SLUGS: tuple[str, ...] = tuple(_TRADES)
_BRANDS: dict[str, str] = {
    "brightsmile": "Bright Smile", "oakridge": "Oak Ridge", "summit": "Summit", "bluewater": "Blue Water",
    "greenleaf": "Green Leaf", "northstar": "North Star", "riverside": "Riverside", "maplewood": "Maplewood",
    "ironwood": "Ironwood", "sunrise": "Sunrise", "harbor": "Harbor", "cedar": "Cedar",
    "goldenkey": "Golden Key", "silverline": "Silverline", "evergreen": "Evergreen", "pinecrest": "Pinecrest",
    "redrock": "Red Rock", "clearview": "Clearview", "lakeside": "Lakeside", "hilltop": "Hilltop",
    "westside": "Westside", "bayview": "Bayview", "stonebridge": "Stonebridge", "willow": "Willow",
}
_BRAND_SLUGS: tuple[str, ...] = tuple(_BRANDS)


@dataclass(frozen=True, slots=True)
class _Place:
    city: str
    region: str
    postcode: str
    area: str  # phone area code without trunk prefix


_COUNTRY = {"en": "US", "de": "DE", "fr": "FR", "es": "ES"}
_PLACES: dict[str, tuple[_Place, ...]] = {
    "US": (_Place("Springfield", "IL", "62701", "217"), _Place("Austin", "TX", "78701", "512"),
           _Place("Denver", "CO", "80202", "303"), _Place("Portland", "OR", "97204", "503"),
           _Place("Boston", "MA", "02108", "617"), _Place("Seattle", "WA", "98101", "206"),
           _Place("Chicago", "IL", "60601", "312"), _Place("Atlanta", "GA", "30303", "404"),
           _Place("Phoenix", "AZ", "85004", "602"), _Place("Columbus", "OH", "43215", "614"),
           _Place("Nashville", "TN", "37203", "615"), _Place("San Diego", "CA", "92101", "619")),
    "DE": (_Place("Berlin", "BE", "10115", "30"), _Place("München", "BY", "80331", "89"),
           _Place("Hamburg", "HH", "20095", "40"), _Place("Köln", "NW", "50667", "221")),
    "FR": (_Place("Paris", "IDF", "75001", "1"), _Place("Lyon", "ARA", "69001", "4"),
           _Place("Marseille", "PAC", "13001", "4"), _Place("Bordeaux", "NAQ", "33000", "5")),
    "ES": (_Place("Madrid", "MD", "28001", "91"), _Place("Barcelona", "CT", "08001", "93"),
           _Place("Valencia", "VC", "46001", "96"), _Place("Sevilla", "AN", "41001", "95")),
}
_STREETS = {
    "US": ("Main St", "Oak Avenue", "Elm Street", "Maple Drive", "Washington Blvd", "Cedar Lane"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerstraße"),
    "FR": ("Rue de la Paix", "Avenue Victor Hugo", "Rue du Commerce", "Boulevard Voltaire"),
    "ES": ("Calle Mayor", "Avenida de la Constitución", "Calle del Sol", "Paseo de Gracia"),
}
_FIRST = {
    "en": ("James", "Mary", "Robert", "Linda", "Michael", "Sarah", "David", "Emily", "Daniel", "Olivia"),
    "de": ("Jonas", "Lena", "Felix", "Anna", "Lukas", "Marie", "Paul", "Laura"),
    "fr": ("Louis", "Camille", "Hugo", "Chloe", "Jules", "Manon", "Arthur", "Lea"),
    "es": ("Pablo", "Lucia", "Diego", "Maria", "Javier", "Carmen", "Sergio", "Elena"),
}
_LAST = {
    "en": ("Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Clark", "Walker", "Young"),
    "de": ("Mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann"),
    "fr": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"),
    "es": ("Garcia", "Fernandez", "Lopez", "Martinez", "Sanchez", "Perez", "Gomez", "Ruiz"),
}
_ROLES = {
    "en": ("Owner", "Office Manager", "Lead Technician", "Customer Care", "Senior Associate"),
    "de": ("Inhaber", "Büroleitung", "Meister", "Kundenservice", "Fachkraft"),
    "fr": ("Gérant", "Responsable", "Technicien", "Accueil", "Associé"),
    "es": ("Propietario", "Gerente", "Técnico", "Atención al cliente", "Socio"),
}
_MAIN_LOCALS = {"en": ("info", "contact", "hello", "office", "team"), "de": ("info", "kontakt", "mail", "praxis"),
                "fr": ("contact", "bonjour", "info", "accueil"), "es": ("info", "hola", "contacto", "oficina")}
_SECOND_LOCALS = ("bookings", "appointments", "sales", "support", "service", "billing")
# home, about, services, team, blog, contact; then labels used in page bodies
_NAV = {
    "en": ("Home", "About", "Services", "Team", "Blog", "Contact"),
    "de": ("Start", "Über uns", "Leistungen", "Team", "Blog", "Kontakt"),
    "fr": ("Accueil", "À propos", "Services", "Équipe", "Blog", "Contact"),
    "es": ("Inicio", "Sobre nosotros", "Servicios", "Equipo", "Blog", "Contacto"),
}
_WORDS = {  # phone, email, address, hours, call-us, email-us, newsletter, posted
    "en": ("Phone", "Email", "Address", "Mon–Fri 8:00 AM – 5:00 PM", "Call now", "Email us", "Newsletter", "Posted on"),
    "de": ("Telefon", "E-Mail", "Adresse", "Mo–Fr 8:00–17:00 Uhr", "Jetzt anrufen", "Schreiben Sie uns",
           "Newsletter", "Veröffentlicht am"),
    "fr": ("Téléphone", "E-mail", "Adresse", "Lun–Ven 8h00–17h00", "Appelez-nous", "Écrivez-nous",
           "Lettre d'information", "Publié le"),
    "es": ("Teléfono", "Correo", "Dirección", "Lun–Vie 8:00–17:00", "Llámenos", "Escríbanos", "Boletín",
           "Publicado el"),
}
_SENTENCES = {
    "en": ("We have proudly served {city} and the surrounding area for over {years} years.",
           "Our team of experienced professionals is dedicated to quality work and honest prices.",
           "Every project starts with a free consultation so we understand exactly what you need.",
           "Customer satisfaction is at the heart of everything we do.",
           "We use modern equipment and proven techniques to deliver lasting results.",
           "Ask about our seasonal offers and loyalty discounts for returning customers.",
           "Flexible scheduling, including early mornings and Saturdays, makes it easy to fit us in."),
    "de": ("Seit über {years} Jahren sind wir in {city} und Umgebung für Sie da.",
           "Unser erfahrenes Team steht für Qualität und faire Preise.",
           "Jedes Projekt beginnt mit einer kostenlosen Beratung.",
           "Ihre Zufriedenheit steht bei uns an erster Stelle.",
           "Wir arbeiten mit moderner Ausstattung und bewährten Methoden.",
           "Fragen Sie nach unseren saisonalen Angeboten."),
    "fr": ("Depuis plus de {years} ans, nous sommes à votre service à {city} et dans les environs.",
           "Notre équipe expérimentée allie qualité et prix honnêtes.",
           "Chaque projet commence par une consultation gratuite.",
           "Votre satisfaction est au cœur de notre travail.",
           "Nous utilisons des équipements modernes et des méthodes éprouvées.",
           "Renseignez-vous sur nos offres de saison."),
    "es": ("Desde hace más de {years} años atendemos a {city} y alrededores.",
           "Nuestro equipo con experiencia ofrece calidad y precios justos.",
           "Cada proyecto empieza con una consulta gratuita.",
           "Su satisfacción es nuestra prioridad.",
           "Trabajamos con equipos modernos y métodos probados.",
           "Pregunte por nuestras ofertas de temporada."),
}
_POST_TITLES = {
    "en": ("{n} tips from your local {pro}", "What to expect from {s}", "Why {s} matters", "Our {year} update",
           "Frequently asked questions about {s}"),
    "de": ("{n} Tipps vom {pro}", "Alles über {s}", "Neuigkeiten {year}"),
    "fr": ("{n} conseils de votre {pro}", "Tout savoir sur {s}", "Nouveautés {year}"),
    "es": ("{n} consejos de su {pro}", "Todo sobre {s}", "Novedades {year}"),
}
_PATHS = {  # about, services, team, contact (variants chosen by index)
    "en": (("/about", "/about-us"), ("/services",), ("/team", "/our-team"), ("/contact", "/contact-us", "/contact.php")),
    "de": (("/ueber-uns",), ("/leistungen",), ("/team",), ("/kontakt",)),
    "fr": (("/a-propos",), ("/services",), ("/equipe",), ("/contact", "/nous-contacter")),
    "es": (("/sobre-nosotros",), ("/servicios",), ("/equipo",), ("/contacto",)),
}
_DESCRIPTIONS = {
    "en": "{name} is a trusted {pro_l} in {city}, offering {s1}, {s2} and {s3}.",
    "de": "{name} – Ihr {pro} in {city}: {s1}, {s2} und {s3}.",
    "fr": "{name}, votre {pro} à {city} : {s1}, {s2} et {s3}.",
    "es": "{name}, su {pro} en {city}: {s1}, {s2} y {s3}.",
}
_HTML_LANGS = {"en": ("en-US", "en", "en-us"), "de": ("de-DE", "de"), "fr": ("fr-FR", "fr"), "es": ("es-ES", "es")}
_EMAIL_FORMS = ("mailto", "text", "cf", "at", "entity", "mailto-label", "cf-link", "paren")
_HOME_EMAIL_FORMS = ("mailto", "text", "cf-link", "at", "entity", "mailto-label", "none")
_NETWORKS = ("facebook", "instagram", "linkedin", "twitter", "youtube")
_NETWORK_LABELS = {"facebook": "Facebook", "instagram": "Instagram", "linkedin": "LinkedIn", "twitter": "X",
                   "youtube": "YouTube"}

# Tiny static assets, so favicon/logo links resolve.
_ICO = bytes.fromhex("0000010001000101000001002000300000001600000028000000010000000200000001002000000000000400"
                     "00000000000000000000000000000000000000ff00000000")
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")
_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c19"
                      "12130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffd9")


# --------------------------------------------------------------------------------------------
# Public records


@dataclass(frozen=True, slots=True)
class Response:
    """One static HTTP answer: status, headers (in order) and body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)

    @property
    def content_type(self) -> str:
        return self.header("Content-Type") or ""


@dataclass(frozen=True, slots=True)
class PageContacts:
    """Emails (lower-case) and phones (E.164) a correct extractor finds on one page."""

    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SitemapGold:
    """One sitemap file a correct discoverer reports for a site (see `SiteExpectation.sitemaps`).

    `url` is where it was found (robots line, link href, known path or index `<loc>`), `final_url`
    where it was served after redirects, `parent_url` the final URL of the index that listed it.
    `url_count` is the number of distinct page URLs in it; `child_count` the child sitemaps an
    index lists, not counting references to itself or to an index above it (loops). `error` is None for a usable file, else "http_status" (missing),
    "not_sitemap" (soft-404 HTML) or "too_large" (the oversize file, under any cap up to 50 MiB;
    `url_count` then says what it would hold). `delivery` tells how the server sends it.
    """

    url: str
    final_url: str
    method: str  # robots, html_link, index, known_path
    parent_url: str | None
    depth: int
    kind: str  # urlset, index, text, rss, atom, invalid
    status: int
    url_count: int
    child_count: int
    is_gzip: bool
    has_images: bool
    has_videos: bool
    has_news: bool
    error: str | None = None
    delivery: str = "plain"


@dataclass(frozen=True)
class SiteExpectation:
    """Gold values for one domain.

    Homepage-level fields (title ... socials, emails, phones) describe what a metadata scan of the
    homepage finds: `title` is whitespace-collapsed and entity-decoded, `description` is the meta
    description or, failing that, og:description, `language` is the primary subtag of <html lang>
    (`html_lang` the raw value), `favicon_url` the first rel~=icon link made absolute (apple-touch
    icons excluded), `generator` the first meta generator. `share_links` are social-network URLs on
    the homepage that are not profiles (share intents, pixels, embeds). `decoy_emails` are
    email-like strings present that must not be extracted. URLs are absolute and use `base_url`.
    `sitemaps` is what a sitemap discoverer reports (robots.txt lines, then the homepage's
    `<link rel="sitemap">`, breadth first through indexes, then `KNOWN_SITEMAP_PATHS`; see
    `SitemapGold`); `sitemap_urls` are the final URLs of those that exist, `sitemap_url_total`
    the sum of `url_count` over the usable ones. `page_urls` is every URL listed in usable
    sitemaps; `missing_pages` listed URLs that are not real pages (404, or 200 on `soft_404`
    sites); `page_contacts` covers every real page, `site_emails`/`site_phones` are their union.
    `crawl_delay` is the robots.txt Crawl-delay for all agents, if any.
    """

    domain: str
    kind: str = "healthy"  # or the broken kind
    status: int | None = 200  # first answer to GET / (None: no timely answer / no such host)
    index: int | None = None
    business_name: str | None = None
    trade: str | None = None
    city: str | None = None
    country: str | None = None
    address: str | None = None
    platform: str | None = None
    sitemap_shape: str | None = None
    homepage_url: str = ""
    final_url: str | None = None
    base_url: str = ""
    title: str | None = None
    description: str | None = None
    language: str | None = None
    html_lang: str | None = None
    favicon_url: str | None = None
    canonical_url: str | None = None
    generator: str | None = None
    tech: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    phone_region: str | None = None
    socials: Mapping[str, str] = field(default_factory=dict)
    share_links: frozenset[str] = frozenset()
    decoy_emails: frozenset[str] = frozenset()
    robots_status: int | None = None
    robots_sitemaps: tuple[str, ...] = ()
    sitemap_link: str | None = None
    sitemap_urls: tuple[str, ...] = ()
    sitemaps: tuple[SitemapGold, ...] = ()
    sitemap_url_total: int = 0
    crawl_delay: float | None = None
    page_urls: frozenset[str] = frozenset()
    missing_pages: frozenset[str] = frozenset()
    contact_pages: frozenset[str] = frozenset()
    page_contacts: Mapping[str, PageContacts] = field(default_factory=dict)
    site_emails: frozenset[str] = frozenset()
    site_phones: frozenset[str] = frozenset()
    soft_404: bool = False
    transport_gzip: bool = False

    @property
    def healthy(self) -> bool:
        return self.kind == "healthy"


# --------------------------------------------------------------------------------------------
# Names


def site_domain(i: int, seed: int = 0) -> str:
    """The healthy domain with index `i` (1-based) under `seed`."""
    if i < 1:
        raise ValueError("site indexes start at 1")
    rng = random.Random(f"domain:{seed}:{i}")
    return f"{rng.choice(_BRAND_SLUGS)}-{rng.choice(_TRADE_SLUGS)}-{i:04d}.com"


def site_domains(n: int, seed: int = 0) -> list[str]:
    """`n` healthy registrable .com domains, indexes 1..n, e.g. "brightsmile-dental-0001.com"."""
    return [site_domain(i, seed) for i in range(1, n + 1)]


def parse_site_domain(domain: str) -> tuple[str, str, int] | None:
    """(brand, trade, index) of a healthy synthetic domain (``www.`` allowed), else None."""
    m = _SITE_RE.match(domain.lower().removeprefix("www."))
    if not m or m["brand"] not in _BRANDS or m["trade"] not in _TRADES:
        return None
    index = int(m["index"])
    if index < 1 or f"{index:04d}" != m["index"]:
        return None
    return m["brand"], m["trade"], index


def broken_domain(kind: str, i: int = 1) -> str:
    """A domain that misbehaves as `kind`, e.g. "broken-404-01.com" (".net" for unknown-host)."""
    if kind not in ALL_BROKEN_KINDS:
        raise ValueError(f"unknown broken kind {kind!r}; known: {', '.join(ALL_BROKEN_KINDS)}")
    if i < 0:
        raise ValueError("broken-domain numbers are >= 0")
    tld = "net" if kind == "unknown-host" else "com"
    return f"broken-{kind}-{i:02d}.{tld}"


def parse_broken_domain(domain: str) -> tuple[str, int] | None:
    """(kind, NN) of a broken domain (``www.`` allowed), else None."""
    m = _BROKEN_RE.match(domain.lower().removeprefix("www."))
    if not m or m["kind"] not in ALL_BROKEN_KINDS:
        return None
    if (m["tld"] == "net") != (m["kind"] == "unknown-host"):
        return None
    return m["kind"], int(m["n"])


# --------------------------------------------------------------------------------------------
# Site specification (every choice, no rendering)


@dataclass(frozen=True, slots=True)
class _Page:
    path: str
    kind: str  # home about services service team contact blog post dead
    n: int = 0


@dataclass(frozen=True, slots=True)
class _Person:
    first: str
    last: str
    role: str
    email: str
    form: str


@dataclass(frozen=True, slots=True)
class _SitemapFile:
    url: str                        # where it is served (absolute, canonical host)
    response: Response
    kind: str = "urlset"            # urlset, index, text, rss, atom
    children: tuple[str, ...] = ()  # absolute URLs of child sitemaps, in document order
    locs: tuple[str, ...] = ()      # page URLs listed, in document order
    gzip: bool = False              # the body is a gzip file (not Content-Encoding)
    images: bool = False
    videos: bool = False
    news: bool = False
    delivery: str = "plain"         # plain, throttle, slow or oversize (see Site.answer)
    count: int | None = None        # URLs listed when `locs` is not spelled out (oversize)


@dataclass(eq=False)  # identity-hashed: specs are cached and used as cache keys
class _Spec:
    domain: str
    seed: int
    index: int
    brand: str
    trade_slug: str
    trade: _Trade
    lang: str
    html_lang: str
    country: str
    place: _Place
    address: str
    platform: str
    shape: str
    www: bool
    slash: bool
    soft_404: bool
    transport_gzip: bool
    cloudflare: bool
    charset: str  # "utf-8" or "iso-8859-1"
    header_charset: bool
    name: str
    title: str
    title_html: str
    description: str | None
    desc_mode: str  # meta, meta-cap, og, none
    favicon_mode: int
    canonical: bool
    main_email: str
    home_email_form: str
    second_email: str
    contact_forms: tuple[str, str]
    owner: _Person
    owner_email_on_about: bool
    staff: tuple[_Person, ...]
    main_phone: str
    second_phone: str
    phone_format: int
    footer_tel: bool
    header_tel: bool
    socials: dict[str, str]
    share: bool
    youtube_embed: bool
    newsletter: bool
    json_ld: bool
    ga: str | None
    gtm: bool
    jquery: bool
    bootstrap: bool
    pixel: bool
    years: int
    pages: tuple[_Page, ...]
    crawl_delay: float | None = None

    @property
    def base(self) -> str:
        return f"http://{'www.' if self.www else ''}{self.domain}"

    def url(self, path: str) -> str:
        return self.base + path

    def cdn_url(self, path: str) -> str:
        return f"http://cdn.{self.domain}{path}"

    def pos(self) -> int:
        return _LANG_POS[self.lang]

    def page(self, kind: str) -> _Page | None:
        return next((p for p in self.pages if p.kind == kind), None)


def _e164_digits(rng: random.Random, country: str, place: _Place) -> str:
    if country == "US":
        return f"+1{place.area}55501{rng.randrange(100):02d}"
    if country == "DE":
        width = 8 if len(place.area) == 2 else 7
        return f"+49{place.area}{rng.randrange(1, 10)}{rng.randrange(10 ** (width - 1)):0{width - 1}d}"
    if country == "FR":
        return f"+33{place.area}{rng.randrange(10 ** 8):08d}"
    return f"+34{place.area}{rng.randrange(1, 10)}{rng.randrange(10 ** 6):06d}"


def _phone_display(e164: str, country: str, fmt: int) -> str:
    """A human way of writing the number, consistent with the country."""
    if country == "US":
        a, b, c = e164[2:5], e164[5:8], e164[8:]
        return (f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", f"+1 ({a}) {b}-{c}",
                f"1-{a}-{b}-{c}")[fmt % 6]
    if country == "DE":
        rest = e164[3:]
        area = next(a for a in ("221", "30", "40", "89") if rest.startswith(a))
        sub = rest[len(area):]
        return (f"0{area} {sub}", f"+49 {area} {sub}", f"+49 (0){area} {sub}", f"0{area}/{sub}",
                f"(0{area}) {sub[:3]} {sub[3:]}")[fmt % 5]
    if country == "FR":
        nat = "0" + e164[3:]
        pairs = " ".join(nat[k:k + 2] for k in range(0, 10, 2))
        return (pairs, f"+33 {nat[1]} {pairs[3:]}", pairs.replace(" ", "."), f"+33 (0){nat[1]} {pairs[3:]}")[fmt % 4]
    nat = e164[3:]
    return (f"{nat[:3]} {nat[3:5]} {nat[5:7]} {nat[7:]}", f"+34 {nat[:3]} {nat[3:6]} {nat[6:]}",
            f"{nat[:2]} {nat[2:5]} {nat[5:7]} {nat[7:]}", f"+34 {nat[:2]} {nat[2:5]} {nat[5:7]} {nat[7:]}")[fmt % 4]


def _tel_href(e164: str, country: str, fmt: int) -> str:
    if country == "US" and fmt % 3 == 1:
        return "tel:" + e164[2:]  # bare national digits: needs the region to parse
    if fmt % 3 == 2:
        return "tel:" + _phone_display(e164, country, 1).replace(" ", "-").replace("(", "").replace(")", "")
    return "tel:" + e164


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _pages(i: int, lang: str, slash: bool, trade: _Trade) -> tuple[_Page, ...]:
    def p(path: str) -> str:
        return path + "/" if slash and path != "/" and not path.endswith(".php") else path

    about, services, team, contact = (variants[i % len(variants)] for variants in _PATHS[lang])
    if slash and contact.endswith(".php"):
        contact = "/contact-us"
    pages = [_Page("/", "home"), _Page(p(about), "about"), _Page(p(services), "services"), _Page(p(team), "team"),
             _Page(p(contact), "contact")]
    extras = (i * 37) % 56  # 5..60 URLs in all
    svc = min(extras, len(trade.services) if i % 2 else 2)
    pages += [_Page(p(f"{services}/{_slug(trade.services[k])}"), "service", k) for k in range(svc)]
    rest = extras - svc
    if rest >= 2:
        pages.append(_Page(p("/blog"), "blog"))
        rest -= 1
    pages += [_Page(p(f"/blog/{k}"), "post", k) for k in range(1, rest + 1)]
    if i % 13 == 4:  # a stale sitemap entry
        dead = _Page(p("/spring-specials-2019"), "dead")
        if len(pages) > 5:
            pages[-1] = dead
        else:
            pages.append(dead)
    return tuple(pages)


@lru_cache(maxsize=4096)
def _spec(domain: str, seed: int) -> _Spec:
    parsed = parse_site_domain(domain)
    if parsed is None:
        raise ValueError(f"not a synthetic site domain: {domain!r}")
    brand, trade_slug, i = parsed
    domain = domain.lower().removeprefix("www.")
    rng = random.Random(f"site:{seed}:{domain}")
    trade = _TRADES[trade_slug]
    lang = LANGUAGES[i % 10]
    pos = _LANG_POS[lang]
    country = _COUNTRY[lang]
    place = rng.choice(_PLACES[country])
    num = rng.randrange(2, 990)
    street = rng.choice(_STREETS[country])
    address = {
        "US": f"{num} {street}, {place.city}, {place.region} {place.postcode}",
        "DE": f"{street} {num}, {place.postcode} {place.city}",
        "FR": f"{num} {street}, {place.postcode} {place.city}",
        "ES": f"{street} {num}, {place.postcode} {place.city}",
    }[country]
    platform = PLATFORMS[i % 8]
    name = f"{_BRANDS[brand]} {trade.label[pos]}"
    pro = trade.pro[pos]
    svc = trade.services
    title_mode = i % 5
    home_word = _NAV[lang][0]
    if title_mode == 0:
        title = f"{name} | {pro[0].upper() + pro[1:]} in {place.city}" if lang == "en" else f"{name} | {pro} – {place.city}"
        title_html = html.escape(title, quote=False)
    elif title_mode == 1:
        title = f"{name} & {trade.partner} – {place.city}"
        title_html = html.escape(title, quote=False)
    elif title_mode == 2:
        title = name
        title_html = f"\n    {html.escape(name, quote=False)}\n  "
    elif title_mode == 3:
        title = f"{home_word} - {name}"
        title_html = html.escape(title, quote=False)
    else:
        title = name
        title_html = html.escape(name, quote=False)
    desc_mode = ("meta", "meta", "meta", "meta", "meta-cap", "meta", "meta", "meta", "meta", "og", "none")[i % 11]
    description = _DESCRIPTIONS[lang].format(name=name, pro=pro, pro_l=pro.lower(), city=place.city,
                                             s1=svc[0].lower(), s2=svc[1].lower(), s3=svc[2].lower())
    if i % 7 == 6:
        main_email = f"{brand}{trade_slug}{i:04d}@gmail.com"
    else:
        main_email = f"{rng.choice(_MAIN_LOCALS[lang])}@{domain}"
    second_email = f"{rng.choice(_SECOND_LOCALS)}@{domain}"
    firsts = list(_FIRST[lang])
    rng.shuffle(firsts)
    lasts = _LAST[lang]
    roles = _ROLES[lang]
    owner = _Person(firsts[0], rng.choice(lasts), roles[0], f"{firsts[0].lower()}@{domain}",
                    _EMAIL_FORMS[(i + 5) % 8])
    staff = tuple(
        _Person(firsts[k], rng.choice(lasts), roles[k % len(roles)],
                "", _EMAIL_FORMS[(i + k + 2) % 8])
        for k in range(1, 2 + i % 3 + 1)
    )
    staff = tuple(
        _Person(s.first, s.last, s.role, f"{s.first.lower()}.{s.last.lower()}@{domain}", s.form) for s in staff
    )
    main_phone = _e164_digits(rng, country, place)
    second_phone = main_phone
    while second_phone == main_phone:
        second_phone = _e164_digits(rng, country, place)
    handle = f"{brand}{trade_slug}{i:04d}"
    mask = (i * 11) % 32
    socials: dict[str, str] = {}
    for bit, net in enumerate(_NETWORKS):
        if not mask & (1 << bit):
            continue
        socials[net] = {
            "facebook": f"https://www.facebook.com/{handle}" if i % 2 else f"https://facebook.com/{handle}/",
            "instagram": f"https://www.instagram.com/{handle}/",
            "linkedin": f"https://www.linkedin.com/company/{brand}-{trade_slug}-{i:04d}",
            "twitter": f"https://twitter.com/{handle}" if i % 2 == 0 else f"https://x.com/{handle}",
            "youtube": f"https://www.youtube.com/@{handle}",
        }[net]
    slash = platform.startswith("wordpress")
    cloudflare = i % 4 == 2 and platform != "squarespace"
    return _Spec(
        domain=domain, seed=seed, index=i, brand=brand, trade_slug=trade_slug, trade=trade, lang=lang,
        html_lang=_HTML_LANGS[lang][(i // 10) % len(_HTML_LANGS[lang])], country=country, place=place,
        address=address, platform=platform, shape=SITEMAP_SHAPES[i % len(SITEMAP_SHAPES)], www=i % 6 == 5, slash=slash,
        soft_404=i % 10 == 3, transport_gzip=i % 3 == 1, cloudflare=cloudflare,
        charset="iso-8859-1" if i % 20 == 17 else "utf-8", header_charset=i % 7 != 3,
        name=name, title=title, title_html=title_html,
        description=None if desc_mode == "none" else description, desc_mode=desc_mode,
        favicon_mode=i % 4, canonical=i % 12 != 11,
        main_email=main_email, home_email_form=_HOME_EMAIL_FORMS[i % 7], second_email=second_email,
        contact_forms=(_EMAIL_FORMS[(i + 1) % 8], _EMAIL_FORMS[(i + 3) % 8]),
        owner=owner, owner_email_on_about=i % 3 == 0, staff=staff,
        main_phone=main_phone, second_phone=second_phone, phone_format=i // 2,
        footer_tel=i % 2 == 0, header_tel=i % 4 == 0,
        socials=socials, share=i % 4 == 0, youtube_embed=i % 9 == 7, newsletter=i % 3 == 2, json_ld=i % 5 == 1,
        ga=("ga4", "ua")[(i // 3) % 2] if i % 3 == 0 else None, gtm=i % 4 == 1,
        jquery=slash or platform == "webflow" or (platform in ("static", "drupal") and i % 2 == 0),
        bootstrap=platform in ("static", "drupal") and i % 2 == 1, pixel=i % 5 == 2,
        years=5 + rng.randrange(30), pages=_pages(i, lang, slash, trade),
        crawl_delay=1.0 if i % 25 == 3 else None,
    )


# --------------------------------------------------------------------------------------------
# Rendering


def _cf_encode(addr: str) -> str:
    key = zlib.crc32(addr.encode()) & 0xFF
    return f"{key:02x}" + "".join(f"{b ^ key:02x}" for b in addr.encode())


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


class _Collect:
    """Renders contact snippets and records exactly what a correct extractor should find."""

    def __init__(self, spec: _Spec) -> None:
        self.spec = spec
        self.emails: set[str] = set()
        self.phones: set[str] = set()

    def email(self, addr: str, form: str) -> str:
        self.emails.add(addr.lower())
        local, dom = addr.split("@")
        lang = self.spec.lang
        match form:
            case "mailto":
                return f'<a href="mailto:{addr}">{addr}</a>'
            case "mailto-label":
                subject = quote(f"{_WORDS[lang][5]} – {self.spec.name}")
                return f'<a href="mailto:{addr}?subject={subject}">{_esc(_WORDS[lang][5])}</a>'
            case "text":
                return f'<span class="email">{addr}</span>'
            case "cf":
                return f'<span class="__cf_email__" data-cfemail="{_cf_encode(addr)}">[email&#160;protected]</span>'
            case "cf-link":
                hexs = _cf_encode(addr)
                return (f'<a href="/cdn-cgi/l/email-protection#{hexs}"><span class="__cf_email__" '
                        f'data-cfemail="{hexs}">[email&#160;protected]</span></a>')
            case "at":
                return f"{local} [at] {' [dot] '.join(dom.split('.'))}"
            case "paren":
                return f"{local}(at){dom}"
            case "entity":
                ent = "".join(f"&#{ord(c)};" for c in addr)
                return f'<a href="mailto:{ent}">{ent}</a>'
        raise ValueError(form)

    def phone(self, e164: str, fmt: int, tel: bool, label: str | None = None) -> str:
        self.phones.add(e164)
        country = self.spec.country
        display = _phone_display(e164, country, fmt)
        if tel:
            return f'<a href="{_tel_href(e164, country, fmt)}">{_esc(label or display)}</a>'
        return _esc(display)

    def result(self) -> PageContacts:
        return PageContacts(frozenset(self.emails), frozenset(self.phones))


def _favicon(spec: _Spec) -> tuple[str, str]:
    """(head markup, gold absolute favicon URL)."""
    base = spec.base
    match spec.favicon_mode:
        case 0:
            return '<link rel="icon" href="/favicon.ico">', base + "/favicon.ico"
        case 1:
            return '<link rel="shortcut icon" href="/favicon.ico" type="image/x-icon">', base + "/favicon.ico"
        case 2:
            url = base + "/img/favicon-32x32.png"
            return f'<link rel="icon" type="image/png" sizes="32x32" href="{url}">', url
    return ('<link rel="apple-touch-icon" href="/img/apple-touch-icon.png">\n<link rel="icon" href="img/favicon.png">',
            base + "/img/favicon.png")


def _ids(spec: _Spec) -> random.Random:
    return random.Random(f"ids:{spec.seed}:{spec.domain}")


def _generator(spec: _Spec) -> tuple[str, str | None]:
    match spec.platform:
        case "wordpress" | "wordpress-elementor":
            ver = ("6.4.3", "6.5.3", "6.6.1")[spec.index % 3]
            return f'<meta name="generator" content="WordPress {ver}">', f"WordPress {ver}"
        case "wix":
            return '<meta name="generator" content="Wix.com Website Builder">', "Wix.com Website Builder"
        case "webflow":
            return '<meta content="Webflow" name="generator">', "Webflow"
        case "drupal":
            value = "Drupal 10 (https://www.drupal.org)"
            return f'<meta name="Generator" content="{value}">', value
    return "", None


def _tech(spec: _Spec) -> frozenset[str]:
    names = {
        "wordpress": {"WordPress"}, "wordpress-elementor": {"WordPress", "Elementor"}, "shopify": {"Shopify"},
        "wix": {"Wix"}, "squarespace": {"Squarespace"}, "webflow": {"Webflow"}, "drupal": {"Drupal"},
    }.get(spec.platform, set())
    names = set(names)
    if spec.ga:
        names.add("Google Analytics")
    if spec.gtm:
        names.add("Google Tag Manager")
    if spec.jquery:
        names.add("jQuery")
    if spec.bootstrap:
        names.add("Bootstrap")
    if spec.pixel:
        names.add("Facebook Pixel")
    if spec.cloudflare:
        names.add("Cloudflare")
    return frozenset(names)


def _head_assets(spec: _Spec) -> list[str]:
    ids = _ids(spec)
    base = spec.base
    out: list[str] = []
    match spec.platform:
        case "wordpress" | "wordpress-elementor":
            ver = ("6.4.3", "6.5.3", "6.6.1")[spec.index % 3]
            theme = ("astra", "hello-elementor", "generatepress", "kadence")[spec.index % 4]
            out.append(f"<link rel='stylesheet' id='theme-css' href='{base}/wp-content/themes/{theme}/style.css"
                       f"?ver={ver}' media='all' />")
            if spec.platform == "wordpress-elementor":
                out.append(f"<link rel='stylesheet' id='elementor-frontend-css' href='{base}/wp-content/plugins/"
                           "elementor/assets/css/frontend.min.css?ver=3.21.5' media='all' />")
            out.append(f"<script src='{base}/wp-includes/js/jquery/jquery.min.js?ver=3.7.1' id='jquery-core-js'>"
                       "</script>")
            out.append(f'<link rel="https://api.w.org/" href="{base}/wp-json/" />')
        case "shopify":
            out.append(f'<script src="//cdn.shopify.com/s/files/1/0{ids.randrange(10**8):08d}/t/3/assets/theme.js'
                       f'?v={ids.randrange(10**9)}" defer="defer"></script>')
            out.append(f'<script>var Shopify = Shopify || {{}};Shopify.shop = "{spec.brand}-{spec.trade_slug}'
                       f'-{spec.index}.myshopify.com";Shopify.currency = {{"active":"USD","rate":"1.0"}};</script>')
        case "wix":
            out.append('<script src="https://static.parastorage.com/services/wix-thunderbolt/dist/main.'
                       f'{ids.randrange(16**8):08x}.bundle.min.js" async></script>')
            out.append('<script>window.__SENTRY__DSN__ = "https://605a7baede844d278b89dc95ae0a9123'
                       '@sentry-next.wixpress.com/68";</script>')
        case "squarespace":
            out.append("<!-- This is Squarespace. -->")
            out.append('<script src="https://assets.squarespace.com/universal/scripts-compressed/'
                       f'extract-css-runtime-{ids.randrange(16**16):016x}-min.en-US.js"></script>')
            out.append(f'<script>Static.SQUARESPACE_CONTEXT = {{"website":{{"id":"{ids.randrange(16**24):024x}",'
                       f'"identifier":"{spec.brand}-{spec.trade_slug}"}}}};</script>')
        case "webflow":
            out.append('<link href="https://assets.website-files.com/'
                       f'{ids.randrange(16**24):024x}/css/{spec.brand}.webflow.css" rel="stylesheet" type="text/css">')
        case "drupal":
            out.append(f'<link rel="stylesheet" media="all" href="/sites/default/files/css/css_'
                       f'{ids.randrange(16**20):020x}.css">')
            out.append('<script src="/core/misc/drupal.js?v=10.2.4"></script>')
        case _:
            out.append('<link rel="stylesheet" href="/css/style.css">')
    if spec.bootstrap:
        out.append('<link href="https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css" '
                   'rel="stylesheet">')
    if spec.jquery and spec.platform in ("static", "drupal"):
        out.append('<script src="https://code.jquery.com/jquery-3.7.1.min.js" crossorigin="anonymous"></script>')
    if spec.ga == "ga4":
        gid = f"G-{ids.randrange(36**10):010X}"
        out.append(f'<script async src="https://www.googletagmanager.com/gtag/js?id={gid}"></script>')
        out.append("<script>window.dataLayer = window.dataLayer || [];function gtag(){dataLayer.push(arguments);}"
                   f"gtag('js', new Date());gtag('config', '{gid}');</script>")
    elif spec.ga == "ua":
        uid = f"UA-{ids.randrange(10**7, 10**8)}-1"
        out.append("<script>(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){"
                   "(i[r].q=i[r].q||[]).push(arguments)},i[r].l=1*new Date();a=s.createElement(o),"
                   "m=s.getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)})"
                   "(window,document,'script','https://www.google-analytics.com/analytics.js','ga');"
                   f"ga('create', '{uid}', 'auto');ga('send', 'pageview');</script>")
    if spec.gtm:
        out.append("<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),"
                   "event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?"
                   "'&l='+l:'';j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;"
                   f"f.parentNode.insertBefore(j,f);}})(window,document,'script','dataLayer','{_gtm_id(spec)}');"
                   "</script>")
    if spec.pixel:
        out.append("<script>!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?"
                   "n.callMethod.apply(n,arguments):n.queue.push(arguments)};t=b.createElement(e);t.async=!0;"
                   "t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window, document,"
                   f"'script','https://connect.facebook.net/en_US/fbevents.js');fbq('init', '{_pixel_id(spec)}');"
                   "fbq('track', 'PageView');</script>")
    return out


def _gtm_id(spec: _Spec) -> str:
    return f"GTM-{zlib.crc32(spec.domain.encode()) % 36**6:06X}"


def _pixel_id(spec: _Spec) -> str:
    return str(10**14 + zlib.crc32(spec.domain.encode()))


def _body_tail(spec: _Spec) -> list[str]:
    out: list[str] = []
    if spec.gtm:
        out.append(f'<noscript><iframe src="https://www.googletagmanager.com/ns.html?id={_gtm_id(spec)}" '
                   'height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>')
    if spec.pixel:
        out.append(f'<noscript><img height="1" width="1" style="display:none" src="{_pixel_url(spec)}"/></noscript>')
    if spec.bootstrap:
        out.append('<script src="https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/js/bootstrap.bundle.min.js">'
                   "</script>")
    if spec.platform == "webflow":
        out.append('<script src="https://d3e54v103j8qbb.cloudfront.net/js/jquery-3.5.1.min.dc5e7f18c8.js" '
                   'type="text/javascript" crossorigin="anonymous"></script>')
    return out


def _pixel_url(spec: _Spec) -> str:
    return f"https://www.facebook.com/tr?id={_pixel_id(spec)}&ev=PageView&noscript=1"


def _share_urls(spec: _Spec, page_url: str) -> tuple[str, ...]:
    u = quote(page_url, safe="")
    return (f"https://www.facebook.com/sharer/sharer.php?u={u}", f"https://twitter.com/intent/tweet?url={u}",
            f"https://www.linkedin.com/sharing/share-offsite/?url={u}")


def _youtube_embed(spec: _Spec) -> str:
    vid = "".join(_ids(spec).choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789_-") for _ in range(11))
    return f"https://www.youtube.com/embed/{vid}"


def _label(spec: _Spec, page: _Page) -> str:
    nav = _NAV[spec.lang]
    match page.kind:
        case "about":
            return nav[1]
        case "services":
            return nav[2]
        case "service":
            return spec.trade.services[page.n]
        case "team":
            return nav[3]
        case "blog":
            return nav[4]
        case "contact":
            return nav[5]
        case "post":
            rng = random.Random(f"post:{spec.seed}:{spec.domain}:{page.n}")
            tpl = rng.choice(_POST_TITLES[spec.lang])
            return tpl.format(n=3 + page.n % 7, pro=spec.trade.pro[spec.pos()], s=rng.choice(spec.trade.services),
                              year=2020 + page.n % 5)
    return nav[0]


def _paragraphs(spec: _Spec, key: str, count: int) -> str:
    rng = random.Random(f"text:{spec.seed}:{spec.domain}:{key}")
    pool = _SENTENCES[spec.lang]
    paras = []
    for _ in range(count):
        sents = [rng.choice(pool).format(city=spec.place.city, years=spec.years) for _ in range(3)]
        paras.append(f"<p>{_esc(' '.join(sents))}</p>")
    return "\n".join(paras)


def _render(spec: _Spec, page: _Page) -> tuple[bytes, PageContacts]:
    """The HTML of one page and the contacts it shows."""
    c = _Collect(spec)
    words = _WORDS[spec.lang]
    nav = _NAV[spec.lang]
    url = spec.url(page.path)
    home = page.kind == "home"
    label = _label(spec, page)
    title_html = spec.title_html if home else _esc(f"{label} | {spec.name}")
    generator_html, _ = _generator(spec)
    favicon_html, _ = _favicon(spec)
    wf = ""
    if spec.platform == "webflow":
        ids = _ids(spec)
        wf = f' data-wf-site="{ids.randrange(16**24):024x}" data-wf-page="{ids.randrange(16**24):024x}"'
    head = ["<!DOCTYPE html>", f'<html lang="{spec.html_lang}"{wf}>', "<head>"]
    if spec.charset == "utf-8":
        head.append('<meta charset="utf-8">')
    else:
        head.append('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    head.append(f"<title>{title_html}</title>")
    desc = spec.description if home else f"{label} – {spec.name}, {spec.place.city}"
    mode = spec.desc_mode if home else "meta"
    if desc and mode in ("meta", "meta-cap"):
        head.append(f'<meta name="{"Description" if mode == "meta-cap" else "description"}" content="{_esc(desc)}">')
    head.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
    head.append(f'<meta property="og:title" content="{_esc(spec.name if home else label)}">')
    if desc and mode in ("meta", "meta-cap", "og"):
        head.append(f'<meta property="og:description" content="{_esc(desc)}">')
    head.append(f'<meta property="og:url" content="{url}">')
    if generator_html:
        head.append(generator_html)
    head.append(favicon_html)
    if spec.canonical or not home:
        head.append(f'<link rel="canonical" href="{url}">')
    if home:
        link = _sitemap_plan(spec).link
        if link:
            head.append(f'<link rel="sitemap" type="application/xml" title="Sitemap" href="{link}">')
    head.extend(_head_assets(spec))
    if home and spec.json_ld:
        ld: dict[str, object] = {"@context": "https://schema.org", "@type": "LocalBusiness", "name": spec.name,
                                 "url": spec.base + "/", "telephone": _phone_display(spec.main_phone, spec.country, 3),
                                 "address": {"@type": "PostalAddress", "streetAddress": spec.address.split(",")[0],
                                             "addressLocality": spec.place.city,
                                             "postalCode": spec.place.postcode, "addressCountry": spec.country}}
        c.phones.add(spec.main_phone)
        if spec.home_email_form != "none":
            ld["email"] = spec.main_email
        if spec.socials:
            ld["sameAs"] = list(spec.socials.values())
        head.append(f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>')
    head.append("</head>")

    body_class = "home page" if home else f"page page-{page.kind}"
    if spec.platform == "wordpress-elementor":
        body_class += " elementor-default elementor-kit-5"
    out = head + [f'<body class="{body_class}">', '<header class="site-header">']
    out.append(f'<a href="/" class="logo"><img src="/img/logo.png" srcset="/img/logo@2x.png 2x" '
               f'alt="{_esc(spec.name)} logo"></a>')
    links = [("/", nav[0])]
    for kind, text in (("about", nav[1]), ("services", nav[2]), ("team", nav[3]), ("blog", nav[4]),
                       ("contact", nav[5])):
        target = spec.page(kind)
        if target:
            links.append((target.path, text))
    out.append("<nav><ul>" + "".join(f'<li><a href="{h}">{_esc(t)}</a></li>' for h, t in links) + "</ul></nav>")
    if spec.header_tel:
        out.append(f'<div class="cta">{c.phone(spec.main_phone, spec.phone_format, True, words[4])}</div>')
    out.append("</header>")
    section = ' class="elementor-section elementor-top-section"' if spec.platform == "wordpress-elementor" else ""
    out.append(f"<main{section}>")
    out.append(f"<h1>{_esc(spec.name if home else label)}</h1>")
    out.extend(_main(spec, page, c))
    out.append("</main>")
    out.append(_footer(spec, c))
    out.extend(_body_tail(spec))
    out.append("</body>\n</html>\n")
    text = "\n".join(out)
    return text.encode(spec.charset, "xmlcharrefreplace"), c.result()


def _main(spec: _Spec, page: _Page, c: _Collect) -> list[str]:
    words = _WORDS[spec.lang]
    svc = spec.trade.services
    out: list[str] = []
    match page.kind:
        case "home":
            out.append(_paragraphs(spec, "home", 2))
            svc_page = spec.page("services")
            details = {p.n: p.path for p in spec.pages if p.kind == "service"}
            items = "".join(
                f'<li><a href="{details[k]}">{_esc(s)}</a></li>' if k in details else f"<li>{_esc(s)}</li>"
                for k, s in enumerate(svc))
            out.append(f'<section class="services"><h2><a href="{svc_page.path if svc_page else "/"}">'
                       f"{_esc(_NAV[spec.lang][2])}</a></h2><ul>{items}</ul></section>")
            if spec.home_email_form != "none":
                out.append(f"<p>{words[1]}: {c.email(spec.main_email, spec.home_email_form)}</p>")
            contact = spec.page("contact")
            if contact:
                out.append(f'<p><a href="{contact.path}">{_esc(_NAV[spec.lang][5])}</a></p>')
            if spec.newsletter:
                out.append(f'<form class="newsletter" action="/subscribe" method="post"><label>{_esc(words[6])}'
                           '</label><input type="email" name="email" placeholder="your@email.com">'
                           "<button>OK</button></form>")
            if spec.youtube_embed:
                out.append(f'<iframe width="560" height="315" src="{_youtube_embed(spec)}" '
                           'title="YouTube video" allowfullscreen></iframe>')
        case "about":
            out.append(_paragraphs(spec, "about", 3))
            owner = spec.owner
            line = f"<p>{_esc(owner.first)} {_esc(owner.last)}, {_esc(owner.role)}"
            if spec.owner_email_on_about:
                line += f" – {c.email(owner.email, owner.form)}"
            out.append(line + "</p>")
        case "team":
            out.append(_paragraphs(spec, "team", 1))
            for person in spec.staff:
                out.append(f'<div class="member"><h3>{_esc(person.first)} {_esc(person.last)}</h3>'
                           f"<p>{_esc(person.role)}</p><p>{c.email(person.email, person.form)}</p></div>")
        case "contact":
            f1, f2 = spec.contact_forms
            out.append(f"<address>{_esc(spec.address)}</address>")
            out.append(f"<p>{words[1]}: {c.email(spec.main_email, f1)}</p>")
            out.append(f"<p>{words[1]}: {c.email(spec.second_email, f2)}</p>")
            out.append(f"<p>{words[0]}: {c.phone(spec.main_phone, spec.phone_format + 1, True)}</p>")
            out.append(f"<p>{words[0]} 2: {c.phone(spec.second_phone, spec.phone_format + 2, False)}</p>")
            out.append(f"<p>{_esc(words[3])}</p>")
            out.append('<form action="" method="post"><input type="text" name="name" placeholder="Name">'
                       '<input type="email" name="email" placeholder="Email"><textarea name="message"></textarea>'
                       "<button>Send</button></form>")
        case "services":
            out.append(_paragraphs(spec, "services", 1))
            out.append("<ul>" + "".join(f"<li>{_esc(s)}</li>" for s in svc) + "</ul>")
        case "service":
            out.append(_paragraphs(spec, f"service{page.n}", 2))
        case "blog":
            posts = [p for p in spec.pages if p.kind == "post"]
            out.append("<ul>" + "".join(f'<li><a href="{p.path}">{_esc(_label(spec, p))}</a></li>' for p in posts)
                       + "</ul>")
        case "post":
            out.append(f"<p class=\"date\">{words[7]} {_lastmod(spec, page.path)[:10]}</p>")
            out.append(_paragraphs(spec, f"post{page.n}", 3))
    if spec.share and page.kind in ("home", "post"):
        out.append('<div class="share">' + "".join(
            f'<a href="{_esc(u)}" target="_blank" rel="noopener">Share</a>' for u in _share_urls(spec, spec.url(page.path))
        ) + "</div>")
    return out


def _footer(spec: _Spec, c: _Collect) -> str:
    words = _WORDS[spec.lang]
    social = "".join(
        f'<a href="{u}" target="_blank" rel="noopener" aria-label="{_NETWORK_LABELS[n]}">'
        f'<i class="icon-{n}"></i></a>' if spec.index % 2 else
        f'<a href="{u}" target="_blank" rel="noopener">{_NETWORK_LABELS[n]}</a>'
        for n, u in spec.socials.items()
    )
    return (
        '<footer class="site-footer">'
        f"<p>{_esc(spec.name)}<br>{_esc(spec.address)}</p>"
        f"<p>{words[0]}: {c.phone(spec.main_phone, spec.phone_format, spec.footer_tel)}</p>"
        f"<p>{_esc(words[3])}</p>"
        f'<div class="social">{social}</div>'
        f"<p>&copy; 2024 {_esc(spec.name)}. All rights reserved.</p>"
        "</footer>"
    )


# --------------------------------------------------------------------------------------------
# robots.txt and sitemaps


@dataclass(frozen=True, slots=True)
class _SitemapPlan:
    robots_lines: tuple[str, ...]  # paths named by robots.txt Sitemap lines (on the site's own host)
    robots: bool                   # whether robots.txt exists
    files: dict[str, _SitemapFile]  # absolute URL -> file (the site's host or its cdn. host)
    redirects: dict[str, str]      # absolute URL -> absolute URL it 301s to
    link: str | None               # <link rel="sitemap"> href on the homepage


def _lastmod(spec: _Spec, path: str) -> str:
    rng = random.Random(f"lastmod:{spec.seed}:{spec.domain}:{path}")
    day = rng.randrange(0, 600)
    y, d = divmod(day, 365)
    month = min(12, d // 31 + 1)
    dom = d % 28 + 1
    return f"{2023 + y:04d}-{month:02d}-{dom:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+00:00"


def _urlset(spec: _Spec, pages: list[_Page], *, ns: str | None = _SM_NS, style: str = "full",
            images: bool = False, videos: bool = False, news: bool = False) -> bytes:
    attrs = f' xmlns="{ns}"' if ns else ""
    if images:
        attrs += f' xmlns:image="{_IMG_NS}"'
    if videos:
        attrs += f' xmlns:video="{_VIDEO_NS}"'
    if news:
        attrs += f' xmlns:news="{_NEWS_NS}"'
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<urlset{attrs}>"]
    for k, page in enumerate(pages):
        url = spec.url(page.path)
        if style == "ws" and k % 2:
            loc = f"<loc>\n      {url}\n    </loc>"
        elif style == "cdata" and k % 3 == 1:
            loc = f"<loc><![CDATA[{url}]]></loc>"
        else:
            loc = f"<loc>{url}</loc>"
        parts = [loc]
        lm = _lastmod(spec, page.path)
        if style != "bare":
            parts.append(f"<lastmod>{lm[:10] if style == 'date' else lm}</lastmod>")
        if style in ("full", "ws", "cdata"):
            parts.append(f"<changefreq>{'daily' if page.kind == 'home' else 'weekly'}</changefreq>")
            parts.append(f"<priority>{'1.0' if page.kind == 'home' else '0.6'}</priority>")
        if images and page.kind in ("home", "service", "post"):
            parts.append(f"<image:image><image:loc>{spec.base}/img/hero.jpg</image:loc></image:image>")
        if videos and page.kind in ("services", "service"):
            label = _esc(_label(spec, page))
            parts.append(f"<video:video><video:thumbnail_loc>{spec.base}/img/hero.jpg</video:thumbnail_loc>"
                         f"<video:title>{label}</video:title><video:description>{label} – {_esc(spec.name)}"
                         f"</video:description><video:content_loc>{spec.base}/media/{page.kind}-{page.n}.mp4"
                         "</video:content_loc></video:video>")
        if news and page.kind == "post":
            parts.append(f"<news:news><news:publication><news:name>{_esc(spec.name)}</news:name><news:language>"
                         f"{spec.lang}</news:language></news:publication><news:publication_date>{lm}"
                         f"</news:publication_date><news:title>{_esc(_label(spec, page))}</news:title></news:news>")
        lines.append("  <url>" + "".join(parts) + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def _index(spec: _Spec, children: Iterable[str], *, xsl: str | None = None) -> bytes:
    """A sitemapindex listing `children` (absolute URLs)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    if xsl:
        lines.append(f'<?xml-stylesheet type="text/xsl" href="{spec.base}{xsl}" ?>')
    lines.append(f'<sitemapindex xmlns="{_SM_NS}">')
    for url in children:
        lines.append(f"  <sitemap><loc>{url}</loc><lastmod>{_lastmod(spec, url)}</lastmod></sitemap>")
    lines.append("</sitemapindex>")
    return ("\n".join(lines) + "\n").encode()


def _rss(spec: _Spec, pages: list[_Page]) -> bytes:
    items = []
    for page in pages:
        when = email.utils.format_datetime(datetime.fromisoformat(_lastmod(spec, page.path)))
        items.append(f"<item><title>{_esc(_label(spec, page))}</title><link>{spec.url(page.path)}</link>"
                     f"<pubDate>{when}</pubDate><description>{_esc(spec.name)}</description></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{_esc(spec.name)}</title><link>{spec.url('/')}</link><description>{_esc(spec.name)}"
            "</description>\n" + "\n".join(items) + "\n</channel></rss>\n").encode()


def _atom(spec: _Spec, pages: list[_Page]) -> bytes:
    entries = [
        f'<entry><title>{_esc(_label(spec, p))}</title><link href="{spec.url(p.path)}"/><id>{spec.url(p.path)}</id>'
        f"<updated>{_lastmod(spec, p.path)}</updated></entry>"
        for p in pages
    ]
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>{_esc(spec.name)}</title><link rel="self" href="{spec.url("/atom.xml")}"/>'
            f"<id>{spec.url('/')}</id><updated>2024-06-01T00:00:00+00:00</updated>\n"
            + "\n".join(entries) + "\n</feed>\n").encode()


_XML = (("Content-Type", "application/xml; charset=utf-8"),)


@lru_cache(maxsize=4096)
def _sitemap_plan(spec: _Spec) -> _SitemapPlan:
    i = spec.index
    posts = [p for p in spec.pages if p.kind in ("blog", "post")]
    rest = [p for p in spec.pages if p.kind not in ("blog", "post")]
    everything = list(spec.pages)
    files: dict[str, _SitemapFile] = {}
    redirects: dict[str, str] = {}
    u, cdn = spec.url, spec.cdn_url

    def urlset(url: str, pages: list[_Page], body: bytes, headers: tuple[tuple[str, str], ...] = _XML, *,
               kind: str = "urlset", gz: bool = False, delivery: str = "plain", images: bool = False,
               videos: bool = False, news: bool = False) -> None:
        """Register a page-listing file; the flags say which extensions `body` was rendered with."""
        if gz:
            body = gzip.compress(body, mtime=0)
        kinds = {p.kind for p in pages}
        files[url] = _SitemapFile(
            url, Response(200, headers, body), kind, locs=tuple(u(p.path) for p in pages), gzip=gz,
            images=images and bool(kinds & {"home", "service", "post"}),
            videos=videos and bool(kinds & {"services", "service"}), news=news and "post" in kinds,
            delivery=delivery)

    def index(url: str, children: tuple[str, ...], headers: tuple[tuple[str, str], ...] = _XML, *,
              gz: bool = False, xsl: str | None = None) -> None:
        body = _index(spec, children, xsl=xsl)
        if gz:
            body = gzip.compress(body, mtime=0)
        files[url] = _SitemapFile(url, Response(200, headers, body), "index", children=children, gzip=gz)

    robots_lines: list[str] = []
    robots = True
    link: str | None = None
    match spec.shape:
        case "urlset":
            urlset(u("/sitemap.xml"), everything,
                   _urlset(spec, everything, style=("full", "ws", "cdata", "date")[(i // 9) % 4]))
            robots_lines = ["/sitemap.xml"]
            link = "/sitemap.xml" if i % 4 == 0 else None
        case "yoast-index":
            kids = (u("/page-sitemap.xml"), u("/post-sitemap.xml"))
            index(u("/sitemap_index.xml"), kids)
            urlset(kids[0], rest, _urlset(spec, rest, style="lastmod", images=True), images=True)
            urlset(kids[1], posts, _urlset(spec, posts, style="lastmod", images=True), images=True)
            robots_lines = ["/sitemap_index.xml"]
        case "gzip":
            ctype = "application/x-gzip" if i % 2 else "application/gzip"
            urlset(u("/sitemap.xml.gz"), everything, _urlset(spec, everything), (("Content-Type", ctype),), gz=True)
            robots_lines = ["/sitemap.xml.gz"]
        case "text":
            lines = [spec.url(p.path) for p in everything]
            if i % 2:
                lines.insert(len(lines) // 2, "")
                lines = [f"  {line}  " if k % 5 == 2 else line for k, line in enumerate(lines)]
            urlset(u("/sitemap.txt"), everything, ("\n".join(lines) + "\n").encode(),
                   (("Content-Type", "text/plain; charset=utf-8"),), kind="text")
            robots_lines = ["/sitemap.txt"]
        case "wp-core":
            kids = (u("/wp-sitemap-posts-page-1.xml"),) + ((u("/wp-sitemap-posts-post-1.xml"),) if posts else ())
            index(u("/wp-sitemap.xml"), kids, xsl="/wp-sitemap-index.xsl")
            urlset(kids[0], rest, _urlset(spec, rest, style="bare"))
            if posts:
                urlset(kids[1], posts, _urlset(spec, posts, style="lastmod"))
            redirects[u("/sitemap.xml")] = u("/wp-sitemap.xml")
            robots_lines = ["/wp-sitemap.xml"]
        case "known-path":
            urlset(u("/sitemap.xml"), everything,
                   _urlset(spec, everything, ns=_SM_OLD_NS if i % 2 else None, style="date"))
            link = "/sitemap.xml" if i % 2 == 0 else None
        case "no-robots":
            robots = False
            kids = (u("/sitemap-pages.xml.gz"), u("/sitemap-posts.xml"))
            index(u("/sitemap_index.xml"), kids)
            urlset(kids[0], rest, _urlset(spec, rest), (("Content-Type", "application/x-gzip"),), gz=True)
            urlset(kids[1], posts, _urlset(spec, posts, style="date"))
        case "multi":
            urlset(u("/sitemap-pages.xml"), rest, _urlset(spec, rest))
            blog = [spec.pages[0], *posts]  # the homepage is listed in both files
            urlset(u("/sitemap-blog.xml.gz"), blog, gzip.compress(_urlset(spec, blog, style="lastmod"), mtime=0),
                   (("Content-Type", "application/xml"), ("Content-Encoding", "gzip")))
            robots_lines = ["/sitemap-pages.xml", "/sitemap-blog.xml.gz"]
            link = "/sitemap-pages.xml"
        case "nested":
            kids = (u("/sitemap-main.xml"), u("/sitemap-archive.xml"))
            index(u("/sitemap.xml"), kids)
            urlset(kids[0], rest, _urlset(spec, rest, style="lastmod"))
            index(kids[1], (u("/sitemap-blog-1.xml"),))
            urlset(u("/sitemap-blog-1.xml"), posts, _urlset(spec, posts, style="date", news=True), news=True)
            robots_lines = ["/sitemap.xml"]
        case "gzip-index":
            gz_type = (("Content-Type", "application/x-gzip" if i % 2 else "application/octet-stream"),)
            kids = (u("/sitemap-pages.xml.gz"), u("/sitemap-posts.xml.gz"))
            index(u("/sitemap_index.xml.gz"), kids, gz_type, gz=True)
            urlset(kids[0], rest, _urlset(spec, rest), (("Content-Type", "application/gzip"),), gz=True)
            urlset(kids[1], posts, _urlset(spec, posts, style="lastmod"), gz_type, gz=True)
            robots_lines = ["/sitemap_index.xml.gz"]
        case "loop":
            top, more = u("/sitemap_index.xml"), u("/sitemap-more.xml")
            index(top, (u("/sitemap-pages.xml"), more))
            index(more, (top, more, u("/sitemap-posts.xml")))  # lists its parent and itself
            urlset(u("/sitemap-pages.xml"), rest, _urlset(spec, rest, style="lastmod"))
            urlset(u("/sitemap-posts.xml"), posts, _urlset(spec, posts, style="date"))
            robots_lines = ["/sitemap_index.xml"]
        case "shared-child":
            shared = [p for p in rest if p.kind in ("services", "service")]
            main = [p for p in rest if p.kind not in ("services", "service")]
            index(u("/sitemap-a.xml"), (u("/sitemap-pages.xml"), u("/sitemap-shared.xml")))
            index(u("/sitemap-b.xml"), (u("/sitemap-shared.xml"), u("/sitemap-posts.xml")))
            urlset(u("/sitemap-pages.xml"), main, _urlset(spec, main))
            urlset(u("/sitemap-shared.xml"), shared, _urlset(spec, shared, style="lastmod", videos=True), videos=True)
            urlset(u("/sitemap-posts.xml"), posts, _urlset(spec, posts, style="date"))
            robots_lines = ["/sitemap-a.xml", "/sitemap-b.xml"]
        case "cross-host":
            kids = (cdn("/sitemaps/pages.xml"), cdn("/sitemaps/posts.xml"))
            redirects[u("/sitemap.xml")] = cdn("/sitemaps/index.xml")
            index(cdn("/sitemaps/index.xml"), kids)
            urlset(kids[0], rest, _urlset(spec, rest, style="lastmod"))
            urlset(kids[1], posts, _urlset(spec, posts, style="lastmod"))
            robots_lines = ["/sitemap.xml"]
        case "throttled":
            urlset(u("/sitemap.xml"), everything, _urlset(spec, everything, style="lastmod"), delivery="throttle")
            robots_lines = ["/sitemap.xml"]
        case "slow":
            kids = (u("/sitemap-pages.xml"), u("/sitemap-posts.xml"))
            index(u("/sitemap_index.xml"), kids)
            urlset(kids[0], rest, _urlset(spec, rest), delivery="slow")
            urlset(kids[1], posts, _urlset(spec, posts, style="date"))
            robots_lines = ["/sitemap_index.xml"]
        case "oversize":
            kids = (u("/sitemap-pages.xml"), u("/sitemap-archive.xml"))
            index(u("/sitemap_index.xml"), kids)
            urlset(kids[0], everything, _urlset(spec, everything, style="lastmod"))
            huge = _oversize(spec)
            files[kids[1]] = _SitemapFile(kids[1], Response(200, _XML), "urlset", delivery="oversize", count=huge.count)
            robots_lines = ["/sitemap_index.xml"]
        case "feeds":
            urlset(u("/feed.xml"), posts, _rss(spec, posts), (("Content-Type", "application/rss+xml; charset=utf-8"),),
                   kind="rss")
            urlset(u("/atom.xml"), rest, _atom(spec, rest), (("Content-Type", "application/atom+xml"),), kind="atom")
            robots_lines = ["/feed.xml", "/atom.xml", "/sitemap-old.xml"]  # the last one is stale: not found
        case "link-only":
            urlset(u("/sitemaps/site-map.xml"), everything, _urlset(spec, everything, style="date"))
            link = "/sitemaps/site-map.xml"
        case "none":
            pass
    return _SitemapPlan(tuple(robots_lines), robots, files, redirects, link)


def _oversize(spec: _Spec) -> OversizeUrlset:
    return OversizeUrlset(OVERSIZE_SITEMAP_BYTES, spec.url("/archive/item-"))


def _robots_body(spec: _Spec, lines: tuple[str, ...]) -> bytes:
    """robots.txt in one of many real-world spellings (case, spacing, CRLF, BOM, relative URLs,
    `Site-map`, trailing comments, duplicates); every variant names the same sitemaps."""
    i = spec.index
    style = i % 4
    url_style = (i // 4) % 4
    if spec.platform.startswith("wordpress"):
        rules = ["Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php"]
    elif spec.platform == "shopify":
        rules = ["Disallow: /cart", "Disallow: /checkout", "Disallow: /account"]
    else:
        rules = ["Disallow: /private/", "Disallow: /*?sort="]
    directive = ("Sitemap: ", "sitemap: ", "SITEMAP: ", "  Sitemap:")[style]
    if url_style == 2:
        directive = "Site-map: "
    sitemap_lines = [f"{directive}{path if url_style == 1 else spec.url(path)}" for path in lines]
    if url_style == 3 and sitemap_lines:
        sitemap_lines = [f"{line}  # sitemap" for line in sitemap_lines] + [sitemap_lines[0]]
    out: list[str] = []
    if style == 2:
        out.append(f"# robots.txt for {spec.domain}")
    if style == 3:
        out += sitemap_lines + [""]
    out += ["User-agent: *", *rules]
    if spec.crawl_delay:
        out.append(f"Crawl-delay: {spec.crawl_delay:g}")
    out += ["", "User-agent: BadBot", "Disallow: /"]
    if style != 3 and sitemap_lines:
        out += ["", *sitemap_lines]
    sep = "\r\n" if style == 1 else "\n"
    text = (sep.join(out) + sep).encode()
    return b"\xef\xbb\xbf" + text if style == 2 and i % 8 == 2 else text


def _robots_headers(spec: _Spec) -> tuple[tuple[str, str], ...]:
    match (spec.index // 3) % 5:
        case 3:
            return (("Content-Type", "text/html; charset=utf-8"),)  # misconfigured server
        case 4:
            return ()  # no Content-Type at all
    return (("Content-Type", "text/plain; charset=utf-8"),)


def _discovery_gold(spec: _Spec, plan: _SitemapPlan) -> tuple[SitemapGold, ...]:
    """What a correct discoverer reports, in its order.

    Explicit sources first (robots.txt lines, then the homepage link), walked breadth first with
    children claimed in document order; then the well-known paths not found yet. A file is
    reported once (by final URL, after redirects); a known path that is missing, HTML or a
    redirect to a file already found is not reported; an explicit source that is missing is.
    """
    out: list[SitemapGold] = []
    claimed: set[str] = set()
    finals: set[str] = set()
    missing_status = 200 if spec.soft_404 else 404

    def follow(url: str) -> str:
        for _ in range(10):
            if url not in plan.redirects:
                break
            url = plan.redirects[url]
        return url

    def walk(level: list[tuple[str, str, str | None, int, frozenset[str]]]) -> None:
        while level:
            nxt: list[tuple[str, str, str | None, int, frozenset[str]]] = []
            for url, method, parent, depth, ancestors in level:
                final = follow(url)
                f = plan.files.get(final)
                if f is None:
                    if method != "known_path" and final not in finals:
                        finals.add(final)
                        out.append(SitemapGold(url, final, method, parent, depth, "invalid", missing_status, 0, 0,
                                               False, False, False, False,
                                               "http_status" if missing_status == 404 else "not_sitemap"))
                    continue
                if final in finals:
                    continue
                finals.add(final)
                error = "too_large" if f.delivery == "oversize" else None
                count = f.count if f.count is not None else len(f.locs)
                lineage = ancestors | {url, final}
                children = [c for c in f.children if c not in lineage]  # references back up are loops
                out.append(SitemapGold(url, final, method, parent, depth, f.kind, 200, count, len(children),
                                       f.gzip, f.images, f.videos, f.news, error, f.delivery))
                for child in children:
                    if child not in claimed and child not in finals:
                        claimed.add(child)
                        nxt.append((child, "index", final, depth + 1, lineage))
            level = nxt

    roots = [spec.url(p) for p in plan.robots_lines]
    methods = ["robots"] * len(roots)
    if plan.link:
        roots.append(spec.url(plan.link))
        methods.append("html_link")
    first: list[tuple[str, str, str | None, int, frozenset[str]]] = []
    for url, method in zip(roots, methods):
        if url not in claimed:
            claimed.add(url)
            first.append((url, method, None, 0, frozenset()))
    walk(first)
    probes = []
    for path in KNOWN_SITEMAP_PATHS:
        url = spec.url(path)
        if url not in claimed and url not in finals:
            claimed.add(url)
            probes.append((url, "known_path", None, 0, frozenset()))
    walk(probes)
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Site


def _server_headers(spec: _Spec) -> tuple[tuple[str, str], ...]:
    ids = random.Random(f"hdr:{spec.seed}:{spec.domain}")
    if spec.cloudflare:
        return (("Server", "cloudflare"), ("CF-RAY", f"{ids.randrange(16**16):016x}-IAD"))
    match spec.platform:
        case "squarespace":
            return (("Server", "Squarespace"),)
        case "wordpress" | "wordpress-elementor":
            return (("Server", "Apache"),)
        case "wix":
            return (("Server", "Pepyaka"), ("X-Wix-Request-Id", f"{ids.randrange(10**10)}.{ids.randrange(10**6)}"))
    return (("Server", "nginx"),)


def _html_headers(spec: _Spec) -> tuple[tuple[str, str], ...]:
    ctype = f"text/html; charset={spec.charset.upper() if spec.charset != 'utf-8' else 'utf-8'}"
    if not spec.header_charset and spec.charset == "utf-8":
        ctype = "text/html"
    headers = [("Content-Type", ctype), *_server_headers(spec)]
    match spec.platform:
        case "wordpress" | "wordpress-elementor":
            headers += [("X-Powered-By", "PHP/8.2.18"), ("Link", f'<{spec.base}/wp-json/>; rel="https://api.w.org/"')]
        case "shopify":
            headers += [("X-ShopId", str(10**7 + zlib.crc32(spec.domain.encode()) % 10**7))]
        case "drupal":
            headers += [("X-Generator", "Drupal 10 (https://www.drupal.org)")]
    return tuple(headers)


_ASSETS = {
    "/favicon.ico": ("image/x-icon", _ICO), "/img/favicon-32x32.png": ("image/png", _PNG),
    "/img/favicon.png": ("image/png", _PNG), "/img/apple-touch-icon.png": ("image/png", _PNG),
    "/img/logo.png": ("image/png", _PNG), "/img/logo@2x.png": ("image/png", _PNG),
    "/img/hero.jpg": ("image/jpeg", _JPEG), "/css/style.css": ("text/css", b"body{font-family:sans-serif}\n"),
}


class Site(Mapping[str, Response]):
    """A healthy synthetic site: canonical path -> Response, rendered on first access.

    `respond` adds what a real server does around the mapping: apex -> www redirects on sites that
    live on www, trailing-slash redirects on WordPress sites, and (soft) 404 pages. `answer` is the
    full story for any host name of the site (``www.`` and the ``cdn.`` host that serves sitemaps
    on cross-host sites), including how the body must be delivered.
    """

    def __init__(self, spec: _Spec) -> None:
        self._spec = spec
        self._cache: dict[str, Response] = {}
        plan = _sitemap_plan(spec)
        routes: dict[str, Callable[[], Response]] = {}
        cdn_routes: dict[str, Callable[[], Response]] = {}
        self._deliveries: dict[tuple[bool, str], str] = {}
        for page in spec.pages:
            if page.kind != "dead":
                routes[page.path] = lambda page=page: Response(200, _html_headers(spec), _render(spec, page)[0])
        if plan.robots:
            routes["/robots.txt"] = lambda: Response(
                200, (*_robots_headers(spec), *_server_headers(spec)), _robots_body(spec, plan.robots_lines))
        cdn_base = spec.cdn_url("")
        for url, f in plan.files.items():
            on_cdn = url.startswith(cdn_base + "/")
            path = url[len(cdn_base if on_cdn else spec.base):]
            (cdn_routes if on_cdn else routes)[path] = lambda f=f: Response(
                f.response.status, (*f.response.headers, *_server_headers(spec)), f.response.body)
            if f.delivery != "plain":
                self._deliveries[(on_cdn, path)] = f.delivery
        for url, target in plan.redirects.items():
            routes[url[len(spec.base):]] = lambda target=target: _redirect(target, 301)
        for path, (ctype, body) in _ASSETS.items():
            routes[path] = lambda ctype=ctype, body=body: Response(200, (("Content-Type", ctype),), body)
        self._routes = routes
        self._cdn_routes = cdn_routes

    @property
    def domain(self) -> str:
        return self._spec.domain

    @property
    def base_url(self) -> str:
        return self._spec.base

    @property
    def transport_gzip(self) -> bool:
        """Whether this site gzips text responses for clients that send Accept-Encoding: gzip."""
        return self._spec.transport_gzip

    def __getitem__(self, path: str) -> Response:
        hit = self._cache.get(path)
        if hit is None:
            hit = self._cache[path] = self._routes[path]()
        return hit

    def __iter__(self) -> Iterator[str]:
        return iter(self._routes)

    def __len__(self) -> int:
        return len(self._routes)

    def __contains__(self, path: object) -> bool:
        return path in self._routes

    def respond(self, path: str, www: bool = False) -> Response:
        """The answer to GET `path` (no query) on the apex host, or on ``www.`` when `www`."""
        spec = self._spec
        if spec.www and not www:
            return _redirect(spec.url(path), 301)
        if path in self._routes:
            return self[path]
        if spec.slash and not path.endswith("/") and path + "/" in self._routes:
            return _redirect(spec.url(path + "/"), 301)
        return self.not_found()

    def answer(self, host: str, path: str) -> tuple[Response, str]:
        """(response, delivery) for GET `path` on `host` (any of the site's host names).

        delivery is "plain" (send the response as is), "throttle" (a 429 with Retry-After first,
        see the server), "slow" (drip the body) or "oversize" (stream `oversize_body()` instead).
        """
        host = host.lower()
        if host == f"cdn.{self._spec.domain}":
            make = self._cdn_routes.get(path)
            if make is None:
                return self.not_found(), "plain"
            key = "cdn:" + path
            hit = self._cache.get(key)
            if hit is None:
                hit = self._cache[key] = make()
            return hit, self._deliveries.get((True, path), "plain")
        www = host.startswith("www.")
        response = self.respond(path, www=www)
        canonical = www == self._spec.www
        delivery = self._deliveries.get((False, path), "plain") if canonical and path in self._routes else "plain"
        return response, delivery

    def oversize_body(self) -> OversizeUrlset:
        """The streamed body of the site's oversize sitemap."""
        return _oversize(self._spec)

    def not_found(self) -> Response:
        spec = self._spec
        status = 200 if spec.soft_404 else 404
        body = (f'<!DOCTYPE html><html lang="{spec.html_lang}"><head><meta charset="utf-8">'
                f"<title>Page not found | {_esc(spec.name)}</title></head><body><h1>Page not found</h1>"
                f'<p><a href="/">{_esc(_NAV[spec.lang][0])}</a></p></body></html>\n')
        return Response(status, (("Content-Type", "text/html; charset=utf-8"), *_server_headers(spec)),
                        body.encode("utf-8"))


def _redirect(location: str, status: int) -> Response:
    body = f'<html><body><a href="{_esc(location)}">Moved</a></body></html>\n'.encode()
    return Response(status, (("Location", location), ("Content-Type", "text/html; charset=utf-8")), body)


def build_site(domain: str, seed: int = 0) -> Site:
    """The healthy site for `domain` (raises ValueError for broken or unknown domains)."""
    return Site(_spec(domain.lower().removeprefix("www."), seed))


# --------------------------------------------------------------------------------------------
# Expectations


_BROKEN_STATUS: dict[str, int | None] = {
    "404": 404, "500": 500, "timeout": None, "redirect-loop": 301, "non-html": 200, "oversize": 200,
    "unknown-host": None, "slow-drip": 200, "endless": 200, "content-length-lie": 200, "gzip-bomb": 200,
    "gzip-bomb-sitemap": 200, "billion-laughs": 200, "xxe": 200, "redirect-chain": 301,
    "redirect-loopback": 302, "redirect-metadata": 302, "redirect-localhost": 302, "429": 429, "503": 503,
    "reset": 200, "wrong-content-type": 200, "binary-garbage": 200, "invalid-encoding": 200, "huge-headers": 200,
    "huge-html": 200, "deep-nesting": 200,
}


def _hostile_sitemaps(kind: str, domain: str) -> tuple[SitemapGold, ...]:
    """The one robots-listed sitemap of the hostile sitemap kinds (see hostile.py)."""
    if kind in ("billion-laughs", "xxe"):
        url = f"http://{domain}/sitemap.xml"
        return (SitemapGold(url, url, "robots", None, 0, "invalid", 200, 0, 0, False, False, False, False,
                            "invalid"),)
    if kind == "gzip-bomb-sitemap":
        url = f"http://{domain}/sitemap.xml.gz"
        # one <url> precedes the bomb's filler; any decompression cap stops the parse after it
        return (SitemapGold(url, url, "robots", None, 0, "urlset", 200, 1, 0, True, False, False, False,
                            "too_large"),)
    return ()


@lru_cache(maxsize=4096)
def expected(domain: str, seed: int = 0) -> SiteExpectation:
    """Gold values for a healthy or broken synthetic domain (ValueError for anything else)."""
    domain = domain.lower().removeprefix("www.")
    broken = parse_broken_domain(domain)
    if broken is not None:
        kind, n = broken
        status = _BROKEN_STATUS[kind]
        if kind in ("429", "503") and n == 0:
            status = 200
        return SiteExpectation(domain=domain, kind=kind, status=status, homepage_url=f"http://{domain}/",
                               base_url=f"http://{domain}", sitemaps=_hostile_sitemaps(kind, domain))
    spec = _spec(domain, seed)
    plan = _sitemap_plan(spec)
    gold = _discovery_gold(spec, plan)
    listed = frozenset(loc for g in gold if g.error is None for loc in plan.files[g.final_url].locs)
    contacts: dict[str, PageContacts] = {}
    for page in spec.pages:
        if page.kind != "dead":
            contacts[spec.url(page.path)] = _render(spec, page)[1]
    home = contacts[spec.url("/")]
    share: set[str] = set()
    if spec.share:
        share.update(_share_urls(spec, spec.url("/")))
    if spec.pixel:
        share.add(_pixel_url(spec))
    if spec.youtube_embed:
        share.add(_youtube_embed(spec))
    decoys = {"logo@2x.png"}
    if spec.newsletter:
        decoys.add("your@email.com")
    if spec.platform == "wix":
        decoys.add("605a7baede844d278b89dc95ae0a9123@sentry-next.wixpress.com")
    if spec.bootstrap:
        decoys.add("bootstrap@5.3.3")
    contact = spec.page("contact")
    return SiteExpectation(
        domain=domain, kind="healthy", status=200, index=spec.index, business_name=spec.name,
        trade=spec.trade_slug, city=spec.place.city, country=spec.country, address=spec.address,
        platform=spec.platform, sitemap_shape=spec.shape, homepage_url=f"http://{domain}/",
        final_url=spec.url("/"), base_url=spec.base, title=" ".join(spec.title.split()),
        description=spec.description if spec.desc_mode != "none" else None,
        language=spec.html_lang.split("-")[0].lower(), html_lang=spec.html_lang, favicon_url=_favicon(spec)[1],
        canonical_url=spec.url("/") if spec.canonical else None, generator=_generator(spec)[1], tech=_tech(spec),
        emails=home.emails, phones=home.phones, phone_region=spec.country, socials=dict(spec.socials),
        share_links=frozenset(share), decoy_emails=frozenset(decoys),
        robots_status=200 if plan.robots else (200 if spec.soft_404 else 404),
        robots_sitemaps=tuple(spec.url(p) for p in plan.robots_lines),
        sitemap_link=spec.url(plan.link) if plan.link else None,
        sitemap_urls=tuple(g.final_url for g in gold if g.status == 200 and g.kind != "invalid"),
        sitemaps=gold, sitemap_url_total=sum(g.url_count for g in gold if g.error is None),
        crawl_delay=spec.crawl_delay,
        page_urls=listed,
        missing_pages=frozenset(spec.url(p.path) for p in spec.pages if p.kind == "dead") & listed,
        contact_pages=frozenset({spec.url(contact.path)} if contact else ()),
        page_contacts=contacts,
        site_emails=frozenset(e for pc in contacts.values() for e in pc.emails),
        site_phones=frozenset(p for pc in contacts.values() for p in pc.phones),
        soft_404=spec.soft_404, transport_gzip=spec.transport_gzip,
    )
