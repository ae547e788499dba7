"""Email addresses from one parsed page: find, de-obfuscate, validate, filter, classify.

Sources, most reliable first (a duplicate keeps the first source that found it): ``mailto:`` links
(``mailto``), Cloudflare ``data-cfemail`` / ``/cdn-cgi/l/email-protection#hex`` (``cfemail``), JSON-LD ``email``
(``json-ld``), microdata ``itemprop=email`` (``microdata``), visible text incl. entity-encoded, zero-width-split
and tag-split addresses (``text``), ``[at]``/``(at)``/``{at}``/`` at `` + ``[dot]``/`` dot `` spellings,
``bidi-override`` reversed text and JS string assembly such as Joomla's cloak (``obfuscated``), other
attributes such as ``data-email`` or ``<meta content>`` (``attribute``), and other inline scripts / JSON
(``script``, an addition to the sources named in the brief).

Validation: RFC 5321 practical subset (dot-atom local part <= 64 chars, unicode letters allowed; domain
labels <= 63, total <= 253 after IDNA/punycode), and a registrable domain under a real public suffix
(tldextract's bundled list, offline). Filtered: asset names (``logo@2x.png``), Sentry/Wix DSNs, package
specifiers, CSS at-rules, ``git@github.com``, placeholders (``you@example.com``, ``name@domain.com``,
``email@email.com``, reserved example/test/invalid names), JSON-escape (``u003e``) and percent-escape (``%20``)
debris. Addresses keep the local part's case, lower-case the domain (unicode, NFC) and are deduplicated
case-insensitively.

Kind precedence (first match wins):
  1. ``role``       the local part (or its first/last dotted token, digits stripped) is a role mailbox
                    (info, sales, kontakt, reservas, noreply, ...), whatever the domain;
  2. ``free-mail``  the domain is a free-mail provider (gmail, yahoo.*, outlook.*, gmx, web.de, ...);
  3. ``personal``   same registrable domain as the page and a person-like local part (first.last, f.last,
                    first_last, flast/firstlast with common names, or matching a name the page gives);
  4. ``same-domain`` same registrable domain as the page;
  5. ``third-party`` anything else.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import idna
import lxml.html
import tldextract

from scrapersky_pipelines.lib.html_text import Page, iter_json_ld_objects

__all__ = [
    "EmailHit",
    "classify_email",
    "decode_cfemail",
    "extract_emails",
    "mailto_addresses",
    "name_matches_local",
    "normalize_email",
    "registrable_domain",
]

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@dataclass(frozen=True, slots=True)
class EmailHit:
    """One distinct address found on a page."""

    address: str
    kind: str
    source: str
    context: str | None = None


# --- word lists ----------------------------------------------------------------------------------------------

_ROLE_LOCALS = frozenset(
    """
    info infos information informations office hello hi hey contact contacts contactus contact-us support
    admin administrator administration billing bookings booking book reception enquiries enquiry inquiries
    inquiry help helpdesk service services customerservice customer-service customercare care sales team mail
    email e-mail post noreply no-reply donotreply do-not-reply webmaster hostmaster postmaster marketing press
    media pr news newsletter jobs job careers career hr recruiting recruitment karriere bewerbung accounts
    accounting finance invoices invoice orders order shop store reservations reservation reserve events event
    membership members feedback privacy legal compliance security abuse dpo gdpr datenschutz impressum studio
    clinic practice appointments appointment frontdesk front-desk general management hq headoffice
    kontakt anfrage anfragen buero bureau verkauf vertrieb rechnung rechnungen empfang termin termine praxis
    kanzlei bestellung bestellungen auftrag service-center kundenservice kundendienst zentrale verwaltung
    bonjour accueil commercial direction secretariat secretariado reservation reservations commande commandes
    devis facturation comptabilite
    hola contacto ventas reservas informacion administracion recepcion pedidos citas consultas atencion
    atencionalcliente clientes presupuestos
    ciao informazioni vendite prenotazioni prenotazione ufficio amministrazione segreteria commerciale ordini
    assistenza preventivi
    verkoop klantenservice receptie administratie boekingen bestellingen afspraken offerte
    contato atendimento vendas financeiro comercial agendamento orcamento suporte
    restaurant hotel cafe salon bakery bar kitchen concierge guestservices guest events catering
    hallo welcome enquire support-team helpline customers client clients partners partner
    """.split()
)
# Free-mail providers by registrable-domain label (any suffix) and by full registrable domain.
_FREE_MAIL_LABELS = frozenset(
    "gmail googlemail yahoo ymail rocketmail hotmail outlook live msn aol icloud gmx yandex protonmail "
    "libero tutanota hushmail zohomail".split()
)
_FREE_MAIL_DOMAINS = frozenset(
    """
    me.com mac.com web.de mail.ru inbox.ru list.ru bk.ru ya.ru proton.me pm.me protonmail.ch tuta.io tuta.com
    mail.com zoho.com mailbox.org posteo.de t-online.de freenet.de arcor.de online.de vodafone.de
    orange.fr wanadoo.fr free.fr laposte.net sfr.fr neuf.fr bbox.fr
    virgilio.it alice.it tiscali.it tin.it fastwebnet.it
    btinternet.com sky.com virginmedia.com talktalk.net ntlworld.com blueyonder.co.uk
    bigpond.com bigpond.net.au optusnet.com.au iinet.net.au
    shaw.ca rogers.com sympatico.ca videotron.ca telus.net
    uol.com.br bol.com.br terra.com.br ig.com.br
    ziggo.nl kpnmail.nl hetnet.nl planet.nl home.nl telenet.be skynet.be
    terra.es telefonica.net
    qq.com 163.com 126.com naver.com daum.net seznam.cz wp.pl o2.pl interia.pl fastmail.com fastmail.fm
    """.split()
)
_PLACEHOLDER_DOMAIN_LABELS = frozenset(
    """
    example domain yourdomain your-domain yoursite your-site yourcompany your-company yourwebsite yourbusiness
    yourname mydomain mysite mycompany company website sample beispiel musterfirma mustermann exemple ejemplo
    esempio voorbeeld exemplo domaine dominio tudominio tuempresa tusitio seudominio suaempresa seusite
    votredomaine votresite votreentreprise ihredomain ihrefirma ihre-domain deinedomain email address
    emailaddress mailaddress
    """.split()
)
_PLACEHOLDER_LOCALS = frozenset(
    """
    you your yourname your.name your-name your_name youremail your.email your-email your_email yourmail
    john.doe jane.doe johndoe janedoe john_doe jane_doe j.doe max.mustermann maxmustermann erika.mustermann
    m.mustermann mustermann max firstname.lastname first.last firstname lastname first_last vorname.nachname
    vorname nachname prenom.nom nom.prenom prenom nombre.apellido nome.cognome voornaam.achternaam
    nome.sobrenome seuemail seu.email seunome tuemail tu.email tucorreo tu.correo tunombre votre.email
    votreemail votre.adresse votrenom ihre.email ihreemail ihre-email ihrname deine.email someone somebody
    username user.name noone nobody changeme xxx xxxx xyz abc
    """.split()
)
_PLACEHOLDER_SELF_LOCALS = frozenset("name email e-mail mail user test example sample demo".split())
_RESERVED_TLDS = frozenset("test invalid example localhost local internal lan intranet corp home".split())
_VENDOR_DOMAINS = frozenset(
    "qodeinteractive.com mikado-themes.com select-themes.com elated-themes.com edge-themes.com "
    "themeforest.net".split()
)
_GIT_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org"})
_ASSET_EXTENSIONS = frozenset(
    "png jpg jpeg gif svg webp avif ico bmp tif tiff heic css scss less js mjs cjs ts jsx tsx map json woff "
    "woff2 ttf eot otf mp4 webm mov m4v mp3 wav ogg pdf php html htm xml txt".split()
)
_DSN_SUFFIXES = ("sentry.io", "sentry.wixpress.com", "sentry-next.wixpress.com", "sentry.shopify.com")
# Words that label an address when a label element sits flush against the address element.
_LABEL_WORDS = frozenset(
    "email e-mail mail mailto emailadres e-mailadres courriel mel mél correo correo-e e-post epost posta "
    "contact kontakt contacto contatto adresse address write".split()
)
_FIRST_NAMES = frozenset(
    """
    james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark
    paul steven andrew kenneth joshua kevin brian george edward ronald timothy jason jeffrey ryan jacob gary
    nicholas eric jonathan stephen larry justin scott brandon benjamin samuel frank gregory raymond patrick
    jack dennis jerry tyler aaron adam henry peter oliver harry noah liam ethan lucas mason logan alex
    mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty margaret sandra
    ashley kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie rebecca laura sharon
    cynthia kathleen amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine
    rachel olivia sophie charlotte grace chloe lucy ella mia amelia isabella ava jane kate claire julia
    hans peter klaus jürgen juergen stefan andreas michael thomas wolfgang uwe frank markus christian sebastian
    tobias florian maximilian lukas felix jonas leon finn paul jan tim nils sven dirk jens torsten matthias
    ursula monika petra sabine susanne claudia andrea birgit katrin nicole stefanie julia lena laura lea
    hannah leonie johanna katharina anja silke heike karin renate ingrid gabriele christina
    jean pierre michel philippe alain nicolas christophe patrick laurent sebastien julien olivier francois
    françois antoine hugo louis gabriel arthur raphael marie nathalie isabelle sylvie catherine christine
    sandrine valerie celine camille manon chloe ines juliette elodie aurelie
    jose josé antonio manuel francisco juan javier carlos miguel rafael pedro pablo sergio jorge alberto
    fernando luis alejandro diego maria carmen josefa isabel dolores pilar teresa rosa lucia paula elena
    marta cristina raquel sara beatriz silvia alba
    giuseppe giovanni marco luca andrea francesco alessandro matteo lorenzo davide stefano roberto paolo
    giulia chiara francesca federica valentina alessia sofia elisa silvia martina simona
    johannes willem jeroen pieter hendrik bart sander thijs daan bram ruben joost maarten anouk sanne femke
    lotte eva fleur iris lieke marieke joao joão pedro tiago rodrigo gustavo bruno felipe rafael thiago
    lucas mateus ana beatriz fernanda juliana camila larissa leticia patricia adriana
    """.split()
)
_SURNAMES = frozenset(
    """
    smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson
    anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis
    robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall
    rivera campbell mitchell carter roberts evans turner parker collins edwards stewart morris murphy cook
    rogers morgan cooper peterson bailey reed kelly howard cox ward richardson wood watson brooks bennett gray
    hughes price sanders patel myers long ross foster jenkins perry powell russell sullivan bell coleman
    butler henderson barnes fisher chapman knight walsh byrne ryan murray kennedy doyle
    mueller müller schmidt schneider fischer weber meyer wagner becker schulz hoffmann schaefer koch bauer
    richter klein wolf schroeder neumann schwarz zimmermann braun krueger hofmann hartmann lange schmitt
    werner krause meier lehmann schmid schulze maier koehler herrmann koenig walter mayer huber kaiser fuchs
    peters lang scholz moeller weiss jung hahn vogel keller
    bernard dubois thomas robert richard petit durand leroy moreau simon laurent lefebvre michel david
    bertrand roux vincent fournier morel girard andre lefevre mercier dupont lambert bonnet francois
    martinez rodriguez fernandez gonzalez lopez sanchez perez gomez martin jimenez ruiz hernandez diaz moreno
    munoz alvarez romero alonso gutierrez navarro torres dominguez vazquez ramos gil ramirez serrano blanco
    rossi russo ferrari esposito bianchi romano colombo ricci marino greco bruno gallo conti deluca mancini
    costa giordano rizzo lombardi moretti barbieri fontana santoro mariani rinaldi caruso ferrara galli
    dejong jansen devries vandenberg vandijk bakker janssen visser smit meijer deboer mulder degroot bos vos
    peters hendriks vanleeuwen dekker brouwer dewit dijkstra
    silva santos oliveira souza sousa rodrigues ferreira alves pereira lima gomes ribeiro carvalho almeida
    lopes soares fernandes vieira barbosa rocha dias nascimento andrade moreira nunes marques machado mendes
    freitas cardoso ramos goncalves araujo costa
    """.split()
)

# --- patterns ------------------------------------------------------------------------------------------------

_ADDRESS_RE = re.compile(r"(?<![\w.+-])([\w+-]+(?:\.[\w+-]+)*)@((?:[\w-]+\.)+[\w-]+)")
_LOCAL_ATEXT_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_HEX_RE = re.compile(r"^[0-9a-fA-F]+$")
_DEBRIS_PREFIX_RE = re.compile(r"^(?:u00[0-9a-fA-F]{2})+", re.I)
_ASSET_LABEL_RE = re.compile(r"^\d+(?:[.,_-]\d+)?x$")
_WHITESPACE_RE = re.compile(r"\s+")
_MAILTO_SPLIT_RE = re.compile(r"[,;]")
_ANGLE_RE = re.compile(r"<([^<>]+)>")
_JS_ESCAPE_RE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
_JS_CONCAT_RE = re.compile(r"""(['"])\s*\+\s*\1""")
_JS_STRING_RE = re.compile(r"""'([^'\\\n]*)'|"([^"\\\n]*)\"""")
# Joomla's email cloak: `var addyN = '...' + '&#64;'; addyN = addyN + '...' + '&#46;' + '...';`
_JS_ACCUMULATE_RE = re.compile(
    r"""var\s+(\w+)\s*=\s*((?:'[^'\n]*'|"[^"\n]*"|[\s+])+);\s*\1\s*=\s*\1\s*\+\s*((?:'[^'\n]*'|"[^"\n]*"|[\s+])+);"""
)
_PERCENT_RE = re.compile(r"%[0-9A-Fa-f]{2}")

_AT_BRACKETED = r"(?:\[|\(|\{|<)\s*(?:at|@|ät|arroba|chiocciola)\s*(?:\]|\)|\}|>)"
_DOT_BRACKETED = r"(?:\[|\(|\{|<)\s*(?:dot|punkt|point|punto|ponto|\.)\s*(?:\]|\)|\}|>)"
_DOT_WORD = r"\s+(?:dot|punkt|point|punto|ponto)\s+"
_OBFUSCATED_RE = re.compile(
    r"(?<![\w.+-])(?P<local>[\w+-]+(?:(?:\s*" + _DOT_BRACKETED + r"\s*|" + _DOT_WORD + r"|\.)[\w+-]+)*)"
    r"(?P<at>\s*" + _AT_BRACKETED + r"\s*|\s+(?:at|arroba)\s+|\s+@\s*|\s*@\s+)"
    r"(?P<domain>[\w-]+(?:(?:\s*" + _DOT_BRACKETED + r"\s*|" + _DOT_WORD + r"|\.)[\w-]+)+)",
    re.I,
)
_DOT_FORM_RE = re.compile(r"\s*" + _DOT_BRACKETED + r"\s*|" + _DOT_WORD, re.I)
_SPELLED_DOT_RE = re.compile(_DOT_BRACKETED + r"|" + _DOT_WORD, re.I)
# Prose words that precede " at " in sentences ("find us at", "look at") and are never the intended mailbox.
_PROSE_LOCALS = frozenset(
    "us me you them him her it we they visit find meet located available open here there see look both all "
    "shop stay eat dine call reach arrive arrives arriving is are was be starts start begins begin ends end "
    "live lives work works based online only prices price from and or the a an".split()
)
_NAME_RE = re.compile(
    r"(?<![\w])([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’-]+(?:\s+(?:van|von|de|da|del|der|den|di|le|la|du|dos|das|ter|zu)){0,2}"
    r"(?:\s+[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’-]+){1,2})"
)


# --- validation ----------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _ascii_domain(domain: str) -> str | None:
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        try:
            return domain.encode("idna").decode("ascii")
        except UnicodeError:
            return None


@lru_cache(maxsize=8192)
def registrable_domain(host: str) -> str | None:
    """Registrable domain (eTLD+1) of a host name, lower-case, or None when it has no public suffix."""
    host = host.strip().lower().rstrip(".")
    if not host:
        return None
    parts = _EXTRACT(host)
    if not parts.suffix or not parts.domain:
        return None
    return f"{parts.domain}.{parts.suffix}"


@lru_cache(maxsize=8192)
def _domain_ok(domain: str) -> bool:
    ascii_domain = _ascii_domain(domain)
    if ascii_domain is None or len(ascii_domain) > 253:
        return False
    labels = ascii_domain.split(".")
    if len(labels) < 2 or labels[-1].isdigit() or labels[-1] in _RESERVED_TLDS:
        return False
    if not all(_LABEL_RE.match(label) for label in labels):
        return False
    return registrable_domain(domain) is not None


def _local_ok(local: str) -> bool:
    if not 0 < len(local) <= 64 or local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    if local.isascii():
        return bool(_LOCAL_ATEXT_RE.match(local.replace(".", "")))
    # Internationalised local parts (RFC 6531): letters, digits and the ASCII atext set.
    return all(ch.isalnum() or ch in "!#$%&'*+/=?^_`{|}~-." for ch in local)


def _is_filtered(local: str, domain: str) -> bool:
    """True for look-alikes and placeholders that are syntactically valid addresses."""
    lowered_local = local.lower()
    labels = domain.split(".")
    registrable = registrable_domain(domain) or domain
    if labels[-1] in _ASSET_EXTENSIONS or any(_ASSET_LABEL_RE.match(label) for label in labels):
        return True
    if domain.endswith(_DSN_SUFFIXES) or registrable == "sentry.io":
        return True
    if len(local) >= 16 and _HEX_RE.match(local):
        return True  # DSN public keys and hashes
    if lowered_local == "git" and registrable in _GIT_HOSTS:
        return True
    site_label = registrable.split(".", 1)[0]
    if site_label in _PLACEHOLDER_DOMAIN_LABELS or registrable in _VENDOR_DOMAINS:
        return True
    if lowered_local in _PLACEHOLDER_LOCALS:
        return True
    if lowered_local in _PLACEHOLDER_SELF_LOCALS and (lowered_local == site_label or site_label == "test"):
        return True
    return False


def normalize_email(raw: str) -> str | None:
    """Canonical form of one candidate address, or None when it is invalid or a known false positive."""
    candidate = raw.strip().strip("<>\"'()[]{},;:")
    candidate = unicodedata.normalize("NFC", candidate)
    if candidate.lower().startswith("mailto:"):
        candidate = candidate[7:]
    if candidate.count("@") != 1:
        return None
    local, domain = candidate.split("@")
    local = _DEBRIS_PREFIX_RE.sub("", local)
    domain = domain.lower().rstrip(".")
    if not _local_ok(local) or not _domain_ok(domain) or _is_filtered(local, domain):
        return None
    return f"{local}@{domain}"


def _best_domain(domain: str, cuts: Iterable[int]) -> str | None:
    """Longest valid reading of a matched domain: as matched, then cut at tag boundaries, then fewer labels."""
    domain = domain.lower()
    if _domain_ok(domain):
        return domain
    for cut in sorted(cuts, reverse=True):
        head = domain[:cut].rstrip(".")
        if "." in head and _domain_ok(head):
            return head
    labels = domain.split(".")
    for end in range(len(labels) - 1, 1, -1):
        head = ".".join(labels[:end])
        if _domain_ok(head):
            return head
    return None


def decode_cfemail(hex_payload: str) -> str | None:
    """Decode Cloudflare's XOR-obfuscated address (first byte is the key); the plaintext is UTF-8."""
    payload = hex_payload.strip()
    if len(payload) < 4 or len(payload) % 2 or not _HEX_RE.match(payload):
        return None
    data = bytes.fromhex(payload)
    key = data[0]
    try:
        return bytes(byte ^ key for byte in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def mailto_addresses(href: str) -> list[str]:
    """Raw addresses named by a mailto: URL (RFC 6068): several per link, hfields cut, escapes decoded."""
    body = href.strip()
    if "&" in body:
        body = html_lib.unescape(body)
    lowered = body.lower()
    start = lowered.find("mailto:")
    if start < 0:
        return []
    body = body[start + 7 :].lstrip("/")
    to_part, _, query = body.partition("?")
    raw = [unquote(part) for part in _MAILTO_SPLIT_RE.split(to_part)]
    if query:
        for field in query.split("&"):
            name, _, value = field.partition("=")
            if name.lower() in {"to", "cc"}:
                raw.extend(unquote(part) for part in _MAILTO_SPLIT_RE.split(value))
    out = []
    for item in raw:
        item = item.strip()
        angle = _ANGLE_RE.search(item)
        if angle:
            item = angle.group(1)
        if item:
            out.append(item)
    return out


# --- classification ------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))


def _german_fold(text: str) -> str:
    return _fold(text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss"))


def name_matches_local(name: str, local: str) -> bool:
    """Whether a person's name plausibly produced an address's local part (first.last, flast, ...)."""
    local_folded = re.sub(r"\d+$", "", _fold(local))
    squashed = re.sub(r"[._+-]", "", local_folded)
    for fold in (_fold, _german_fold):
        tokens = [t for t in re.split(r"[^a-z]+", fold(name)) if t]
        if not tokens:
            continue
        first, last = tokens[0], tokens[-1]
        joined_last = "".join(tokens[1:]) if len(tokens) > 1 else last
        forms = {first, first + last, first[0] + last, last + first, first + last[0], last, first + joined_last,
                 first[0] + joined_last, last + first[0]}
        if len(tokens) == 1:
            forms = {first}
        if squashed in forms and len(squashed) >= 3:
            return True
    return False


def _tokens(local: str) -> list[str]:
    return [t for t in re.split(r"[._+-]", re.sub(r"\d+$", "", local.lower())) if t]


def _is_role(local: str) -> bool:
    lowered = local.lower()
    if lowered in _ROLE_LOCALS or re.sub(r"[\d]+$", "", lowered) in _ROLE_LOCALS:
        return True
    tokens = _tokens(local)
    if not tokens:
        return False
    if tokens[0] in _ROLE_LOCALS:
        return True
    return len(tokens) > 1 and tokens[-1] in _ROLE_LOCALS and tokens[0] not in _FIRST_NAMES


def _is_free_mail(domain: str) -> bool:
    registrable = registrable_domain(domain)
    if registrable is None:
        return False
    return registrable in _FREE_MAIL_DOMAINS or registrable.split(".", 1)[0] in _FREE_MAIL_LABELS


def _is_person_like(local: str, name: str | None) -> bool:
    if name and name_matches_local(name, local):
        return True
    folded = _fold(local)
    tokens = [t for t in re.split(r"[._-]", folded) if t]
    if any(not t.isalpha() for t in tokens) or "+" in folded:
        return False
    if len(tokens) in (2, 3):
        return max(len(t) for t in tokens) >= 2 and not any(t in _ROLE_LOCALS for t in tokens)
    if len(tokens) != 1:
        return False
    word = tokens[0]
    if word in _FIRST_NAMES:
        return True
    if len(word) >= 4 and word[1:] in _SURNAMES:
        return True
    return any(word[:i] in _FIRST_NAMES and word[i:] in _SURNAMES for i in range(3, len(word) - 2))


def classify_email(address: str, page_domain: str | None, name: str | None = None) -> str:
    """Kind of an address seen on a page of `page_domain` (registrable domain); see the module docstring."""
    local, _, domain = address.rpartition("@")
    if _is_role(local):
        return "role"
    if _is_free_mail(domain):
        return "free-mail"
    same = page_domain is not None and registrable_domain(domain) == page_domain
    if same and _is_person_like(local, name):
        return "personal"
    return "same-domain" if same else "third-party"


# --- extraction ----------------------------------------------------------------------------------------------


def _snippet(text: str, start: int, end: int, width: int = 40) -> str | None:
    piece = _WHITESPACE_RE.sub(" ", text[max(0, start - width) : end + width]).strip()
    return piece[:160] or None


def _element_text(element: lxml.html.HtmlElement) -> str:
    return _WHITESPACE_RE.sub(" ", element.text_content()).strip()


def _nearest_scope(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    parent = element.getparent()
    while parent is not None:
        if parent.get("itemscope") is not None:
            return parent
        parent = parent.getparent()
    return None


def _itemprop_value(element: lxml.html.HtmlElement) -> str:
    for attribute in ("content", "href", "value"):
        value = element.get(attribute)
        if value:
            return value
    return _element_text(element)


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _json_ld_person_name(obj: dict[str, Any]) -> str | None:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if not any(isinstance(k, str) and k.rsplit("/", 1)[-1] in {"Person", "Employee", "Physician"} for k in kinds):
        return None
    name = obj.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    given, family = obj.get("givenName"), obj.get("familyName")
    if isinstance(given, str) and isinstance(family, str):
        return f"{given.strip()} {family.strip()}"
    return None


def _js_unescape(body: str) -> str:
    if "\\" in body:
        body = _JS_ESCAPE_RE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), body).replace("\\/", "/")
    return body


def _literals(expression: str) -> str:
    return "".join(a or b for a, b in _JS_STRING_RE.findall(expression))


class _Collector:
    """Accumulates hits in discovery order, deduplicating case-insensitively; first source wins."""

    def __init__(self, page_domain: str | None) -> None:
        self.page_domain = page_domain
        self.hits: dict[str, tuple[str, str, str | None]] = {}
        self.names: dict[str, str] = {}

    def add(self, raw: str, source: str, context: str | None = None, name: str | None = None) -> str | None:
        address = normalize_email(raw)
        if address is None:
            return None
        key = address.lower()
        if key not in self.hits:
            self.hits[key] = (address, source, context)
        if name and key not in self.names and not _is_role(address.rpartition("@")[0]):
            self.names[key] = name
        return key

    def result(self) -> tuple[list[EmailHit], dict[str, str]]:
        hits = []
        names = {}
        for key, (address, source, context) in self.hits.items():
            name = self.names.get(key)
            if name:
                names[address] = name
            hits.append(EmailHit(address, classify_email(address, self.page_domain, name), source, context))
        return hits, names


def _scan_text(collector: _Collector, text: str, boundaries: frozenset[int], source: str) -> None:
    if "@" not in text:
        return
    for match in _ADDRESS_RE.finditer(text):
        local, domain = match.group(1), match.group(2)
        start, at = match.start(1), match.end(1)
        if start > 0 and text[start - 1] == "%" and _HEX_RE.match(local[:2]):
            local = local[2:]  # "%20info@..." is URL-encoded debris, not part of the mailbox
        inner = [b - start for b in boundaries if start < b < at] if boundaries else []
        for cut in sorted(inner, reverse=True):
            prefix, rest = local[:cut], local[cut:]
            if prefix.lower().rstrip(":-.") in _LABEL_WORDS or (_is_role(rest) and prefix[:1].isupper()):
                local = rest
                break
        domain_start = at + 1
        cuts = [b - domain_start for b in boundaries if domain_start < b < match.end(2)] if boundaries else []
        best = _best_domain(domain, cuts)
        if best is None:
            continue
        end = domain_start + len(best)
        key = collector.add(f"{local}@{best}", source, _snippet(text, start, end))
        if key and key not in collector.names and not _is_role(local):
            name = _context_name(text, start, local)
            if name:
                collector.names[key] = name


def _context_name(text: str, start: int, local: str) -> str | None:
    window = text[max(0, start - 160) : start]
    best = None
    for match in _NAME_RE.finditer(window):
        if name_matches_local(match.group(1), local):
            best = match.group(1)
    return best


def _scan_obfuscated(collector: _Collector, text: str, source: str = "obfuscated") -> None:
    lowered = text.lower()
    if not any(marker in lowered for marker in (" at ", "at]", "at)", "at}", "@", "arroba", "chiocciola", "ät")):
        return
    for match in _OBFUSCATED_RE.finditer(text):
        at_form = match.group("at").strip().lower()
        raw_local, raw_domain = match.group("local"), match.group("domain")
        spelled_dot = bool(_SPELLED_DOT_RE.search(raw_domain))
        local = _DOT_FORM_RE.sub(".", raw_local).strip()
        domain = _DOT_FORM_RE.sub(".", raw_domain).strip()
        if at_form in {"at", "arroba"}:
            # Bare " at " is prose far more often than an address: demand a spelled-out dot, or a mailbox
            # that reads like one (role or dotted), and never a prose word.
            if local.lower() in _PROSE_LOCALS:
                continue
            if not spelled_dot and not ("." in local or _is_role(local)):
                continue
        best = _best_domain(domain, ())
        if best is None:
            continue
        collector.add(f"{local}@{best}", source, _snippet(text, match.start(), match.end()))


def _scan_script(collector: _Collector, body: str) -> None:
    if "&#" in body or "&commat;" in body:
        body = html_lib.unescape(body)
    body = _js_unescape(body)
    if "@" not in body and "%40" not in body:
        return
    joined = _JS_CONCAT_RE.sub("", body)
    assembled_any = joined != body
    for match in _JS_ACCUMULATE_RE.finditer(body):
        assembled = html_lib.unescape(_literals(match.group(2)) + _literals(match.group(3)))
        for found in _ADDRESS_RE.finditer(assembled):
            collector.add(found.group(0), "obfuscated", None)
    if "%40" in joined:
        joined = _PERCENT_RE.sub(lambda m: unquote(m.group(0)), joined)
    if assembled_any:
        for found in _ADDRESS_RE.finditer(joined):
            if found.group(0) not in body:
                collector.add(found.group(0), "obfuscated", None)
    _scan_text(collector, joined, frozenset(), "script")


_ATTRIBUTES_SKIPPED = frozenset(
    {"href", "src", "srcset", "placeholder", "style", "class", "id", "integrity", "sizes", "data-src",
     "data-srcset", "data-lazy-src", "data-lazy-srcset", "data-bg", "data-background", "data-cfemail", "poster",
     "data-dsn", "data-sentry-dsn", "alt", "title", "aria-label", "pattern"}
)


def extract_emails(page: Page, page_domain: str | None) -> tuple[list[EmailHit], dict[str, str]]:
    """All distinct addresses on a parsed page with their kinds, and email -> person name where known."""
    collector = _Collector(page_domain)
    if page.root is None:
        return collector.result()

    cf_hrefs: list[str] = []
    cf_spans: list[str] = []
    microdata: list[lxml.html.HtmlElement] = []
    attributes: list[str] = []
    reversed_texts: list[str] = []
    for element in page.elements:
        attrib = element.attrib
        if not attrib:
            continue
        href = attrib.get("href") or attrib.get("action")
        if href:
            lowered = href[:40].lower()
            if "mailto:" in lowered or "mailto%3a" in lowered:
                text = _element_text(element)
                for raw in mailto_addresses(href.replace("%3A", ":").replace("%3a", ":")):
                    name = text if text and "@" not in text and name_matches_local(text, raw.split("@")[0]) else None
                    collector.add(raw, "mailto", text[:160] or None, name)
            elif "/cdn-cgi/l/email-protection" in href:
                cf_hrefs.append(href.partition("#")[2])
            elif lowered.startswith("javascript:") and "@" in href:
                attributes.append(html_lib.unescape(href))
        cf = attrib.get("data-cfemail")
        if cf:
            cf_spans.append(cf)
        itemprop = attrib.get("itemprop")
        if itemprop and "email" in itemprop.lower().split():
            microdata.append(element)
        style = attrib.get("style")
        if style and "rtl" in style and "bidi-override" in style:
            reversed_texts.append(element.text_content()[::-1])
        for name, value in attrib.items():
            if "@" in value and name not in _ATTRIBUTES_SKIPPED and not name.startswith("on"):
                if name == "content" or name == "value" or name.startswith("data-"):
                    attributes.append(html_lib.unescape(value))

    for payload in cf_hrefs + cf_spans:
        decoded = decode_cfemail(payload)
        if decoded:
            raws = mailto_addresses(decoded) if "mailto:" in decoded.lower() else mailto_addresses("mailto:" + decoded)
            for raw in raws:
                collector.add(raw, "cfemail")

    for data in page.json_ld:
        for obj in iter_json_ld_objects(data):
            if "email" not in obj:
                continue
            person = _json_ld_person_name(obj)
            for value in _json_strings(obj["email"]):
                for raw in mailto_addresses(value if value.lower().startswith("mailto:") else "mailto:" + value):
                    collector.add(raw, "json-ld", None, person)

    for element in microdata:
        value = _itemprop_value(element)
        scope = _nearest_scope(element)
        person = None
        if scope is not None and "person" in (scope.get("itemtype") or "").lower():
            for candidate in scope.iter():
                props = (candidate.get("itemprop") or "").split()
                if "name" in props and _nearest_scope(candidate) is scope:
                    person = _itemprop_value(candidate)
                    break
        for raw in mailto_addresses(value if value.lower().startswith("mailto:") else "mailto:" + value):
            collector.add(raw, "microdata", None, person)

    _scan_text(collector, page.text, page.boundaries, "text")
    _scan_obfuscated(collector, page.text)
    for text in reversed_texts:
        _scan_text(collector, text, frozenset(), "obfuscated")
    for value in attributes:
        _scan_text(collector, _js_unescape(value), frozenset(), "attribute")
    for body in page.scripts:
        _scan_script(collector, body)
    return collector.result()
