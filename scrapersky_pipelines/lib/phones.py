"""Phone numbers from one parsed page, as E.164 via the phonenumbers library.

Order of sources (a duplicate E.164 keeps the first): ``tel:``/``callto:`` links (``tel``), JSON-LD
``telephone`` (``json-ld``), then visible text and microdata ``itemprop=telephone`` values (``text``) scanned
with ``PhoneNumberMatcher(..., Leniency.VALID)``. Every number must be valid for its region.

The default region for national-format numbers is the caller's, else the URL's ccTLD, else ``<html lang>``
(``de`` -> DE, ``en-gb`` -> GB, ``pt-br`` -> BR), else US. Text matches are rejected when they read as
something else: dates, times, ZIP+4, prices (currency next to the number), coordinates, tracking/analytics
IDs glued to letters and hyphens, bare digit runs that look like timestamps, numbers inside URLs, and numbers
labelled as order/invoice/customer/VAT/registration/IBAN/... or as fax (a "Tel./Fax" label still counts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from scrapersky_pipelines.lib.html_text import Page, iter_json_ld_objects
from scrapersky_pipelines.lib.email_filters import registrable_domain

__all__ = ["PhoneHit", "extract_phones", "infer_region", "parse_phone"]


@dataclass(frozen=True, slots=True)
class PhoneHit:
    """One distinct phone number found on a page."""

    e164: str
    raw: str
    extension: str | None
    source: str
    number_type: str | None = None


_SUPPORTED = frozenset(phonenumbers.SUPPORTED_REGIONS)
_TYPE_NAMES = {
    value: name.lower()
    for name, value in vars(phonenumbers.PhoneNumberType).items()
    if name.isupper() and isinstance(value, int)
}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Full-width digits and punctuation (Japanese, Chinese pages) folded one-to-one, so offsets stay valid.
_FOLD = {0xFF10 + d: ord("0") + d for d in range(10)}
_FOLD.update({0xFF0D: "-", 0x2010: "-", 0x2011: "-", 0x2012: "-", 0x2212: "-", 0x30FC: "-", 0xFF08: "(",
              0xFF09: ")", 0xFF0B: "+", 0x3000: " ", 0xFF0E: "."})
# ccTLDs used as generic names (.io, .co, .me, .tv ...) say nothing about where a business is.
_GENERIC_CCTLDS = frozenset("co io me tv fm ai ly gg to ws cc la so sh ac am vc nu tk ms gl im is ag bz sc cx".split())
_CCTLD_REGION = {"uk": "GB", "eu": None}
_LANGUAGE_REGION = {
    "en": "US", "de": "DE", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL", "pt": "PT", "pl": "PL", "sv": "SE",
    "da": "DK", "nb": "NO", "nn": "NO", "no": "NO", "fi": "FI", "cs": "CZ", "sk": "SK", "hu": "HU", "ro": "RO",
    "el": "GR", "tr": "TR", "ru": "RU", "uk": "UA", "ja": "JP", "ko": "KR", "zh": "CN", "he": "IL", "ar": "SA",
    "ca": "ES", "eu": "ES", "gl": "ES", "hr": "HR", "sl": "SI", "bg": "BG", "lt": "LT", "lv": "LV", "et": "EE",
    "is": "IS", "ga": "IE", "cy": "GB", "hi": "IN", "th": "TH", "vi": "VN", "id": "ID", "ms": "MY",
}

_DATE_RE = re.compile(r"^\(?\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\)?$|^\d{4}[./-]\d{2}$")
_ZIP4_RE = re.compile(r"^\d{5}-\d{4}$")
# A lone decimal ("52.520008", "1.299") or a coordinate pair is never a phone number.
_DECIMAL_RE = re.compile(r"^[-+]?\d{1,3}[.,]\d{3,}$|^\d{1,3}\.\d{4,}[,\s]+[-+]?\d{1,3}\.\d{4,}$")
_TIME_RANGE_RE = re.compile(r"^\d{1,2}[.:h]\d{2}\s*[-–—]\s*\d{1,2}[.:h]\d{2}$")
_CURRENCY_BEFORE_RE = re.compile(r"(?:[$€£¥₹₽]|R\$|\b(?:USD|EUR|GBP|CHF|BRL|AUD|CAD|SEK|NOK|DKK|PLN)\b|kr\.?)\s*$", re.I)
_CURRENCY_AFTER_RE = re.compile(r"^\s*(?:[$€£¥₹₽]|,-|\b(?:USD|EUR|GBP|CHF|BRL|AUD|CAD|euros?|dollars?|reais)\b)", re.I)
_GLUED_BEFORE_RE = re.compile(r"(?:[A-Za-z0-9_]-|\d[/.,]|[A-Za-z]/|[=&#_@°]|[A-Za-z0-9]_|[A-Za-z])$")
_GLUED_AFTER_RE = re.compile(r"^(?:-[A-Za-z]|[_@°%]|[.,]\d|/\d|[A-Za-z]{1,3}\d)")
_KEYWORD_RE = re.compile(
    r"(?P<block>order\s*(?:no|nr|number|#|id)|bestellnummer|bestell-?nr|commande|pedido\s*n|n[uú]mero de pedido|"
    r"ordine\s*n|bestelnummer|encomenda|invoice|rechnungsnummer|rechnungs-?nr|facture|factura|fattura|factuur|"
    r"fatura|nota fiscal|\bref\b|reference|referenz|\bsku\b|artikel-?nr|artikelnummer|art\.-?nr|\bitem\b|"
    r"tracking|sendungsnummer|suivi|seguimiento|\bust\b|ust-?id|\bvat\b|\btva\b|\biva\b|p\.\s?iva|partita|"
    r"\bbtw\b|steuer-?nr|steuernummer|steuer-?id|\btax\b|siret|siren|cnpj|\bcpf\b|\bnif\b|\bcif\b|\babn\b|"
    r"\bacn\b|\bhrb\b|\bhra\b|\bkvk\b|\bkbo\b|\brcs\b|(?-i:\bEIN\b)|\buid\b|firmenbuch|codice fiscale|\bc\.\s?f\.|"
    r"company\s*(?:no|number|reg)|\bcro\b|registr|handelsregister|iban|\bbic\b|swift|kontonummer|konto-?nr|"
    r"\bkonto\b|kundennummer|kunden-?nr|customer\s*(?:no|number|#|id)|client\s*(?:no|id|n°)|"
    r"account\s*(?:no|number|#)|isbn|\bean\b|gtin|\bupc\b|serial|\bmodel|licen[cs]e|lizenz|patent|ticket|"
    r"case\s*(?:no|number|#|id)|\bpo box|postfach|\bzip\b|postcode|\bplz\b|\blat\b|\blng\b|\blon\b|"
    r"latitude|longitude|coord|gps|\bid\b)"
    r"|(?P<fax>telefax|\bfax\b|télécopie|telecopie)"
    r"|(?P<phone>\btel\b|telefon|telephone|téléphone|teléfono|telefono|telefoon|phone|\bfon\b|\bcall|"
    r"mobile|mobil|\bcell|handy|portable|móvil|cellulare|whatsapp|\bt:|☎|📞|hotline|\bruf|appel|llam|chiam|\bbel\b)",
    re.I,
)
_PHONE_NEAR_FAX_RE = re.compile(r"(?:tel|phone|fon|telefon)\.?\s*(?:/|&|\+|und|and|et|y|e|en)\s*$", re.I)
_NON_DIGITS_RE = re.compile(r"\D")
# A run that could hold a phone number: >= 6 digits with phone punctuation between them.
_CANDIDATE_RE = re.compile(r"[+(（]?\d[\d\s().\-/–·]{4,}\d")


@lru_cache(maxsize=4096)
def _region_from_host(host: str) -> str | None:
    registrable = registrable_domain(host)
    if registrable is None:
        return None
    tld = registrable.rsplit(".", 1)[-1]
    if tld in _GENERIC_CCTLDS:
        return None
    if tld in _CCTLD_REGION:
        return _CCTLD_REGION[tld]
    region = tld.upper()
    return region if len(region) == 2 and region in _SUPPORTED else None


def _region_from_lang(lang: str | None) -> str | None:
    if not lang:
        return None
    parts = lang.strip().replace("_", "-").split("-")
    if len(parts) > 1 and len(parts[1]) == 2 and parts[1].upper() in _SUPPORTED:
        return parts[1].upper()
    return _LANGUAGE_REGION.get(parts[0].lower())


def infer_region(url: str | None, lang: str | None = None, region: str | None = None) -> str:
    """Default region for national-format numbers: explicit, else URL ccTLD, else html lang, else US."""
    if region and region.upper() in _SUPPORTED:
        return region.upper()
    if url:
        try:
            host = urlsplit(url if "//" in url else f"//{url}").hostname
        except ValueError:
            host = None
        if host:
            found = _region_from_host(host)
            if found:
                return found
    return _region_from_lang(lang) or "US"


def parse_phone(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    """A valid number from a tel:/structured value, or None."""
    text = raw.strip()
    if not text or sum(ch.isdigit() for ch in text) < 5:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _hit(number: phonenumbers.PhoneNumber, raw: str, source: str) -> PhoneHit:
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    kind = _TYPE_NAMES.get(phonenumbers.number_type(number))
    return PhoneHit(e164, raw.strip(), number.extension or None, source, kind)


def _tel_value(href: str) -> str | None:
    lowered = href[:10].lower().lstrip()
    for scheme in ("tel:", "callto:", "phone:"):
        if lowered.startswith(scheme):
            body = unquote(href.strip()[len(scheme) :]).translate(_INVISIBLE).strip().lstrip("/")
            return body or None
    return None


def _parse_tel(value: str, region: str) -> phonenumbers.PhoneNumber | None:
    # RFC 3966 parameters (";ext=12", ";phone-context=+49") are only understood with the scheme in front.
    if ";" in value:
        number = parse_phone("tel:" + value, region)
        if number is not None:
            return number
        value = value.split(";", 1)[0]
    return parse_phone(value, region)


def _label_blocks(window: str) -> bool:
    """True when the nearest label before a number says it is not a (voice) phone number."""
    last = None
    for last in _KEYWORD_RE.finditer(window):
        pass
    if last is None or last.lastgroup == "phone":
        return False
    if last.lastgroup == "fax":
        return not _PHONE_NEAR_FAX_RE.search(window[: last.start()])
    return True


def _label_window(text: str, start: int) -> str:
    """Where a label for the number at `start` can sit: its own line, or, when the number starts its line
    (label and value in neighbouring table cells or list items), the nearest non-blank line before."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip(" \t:|-–"):
        return text[max(line_start, start - 48) : start]
    end = line_start - 1
    for _ in range(8):
        if end <= 0:
            break
        previous = text.rfind("\n", 0, end) + 1
        if text[previous:end].strip():
            return text[max(previous, end - 48) : end]
        end = previous - 1
    return ""


def _text_rejected(text: str, start: int, end: int, raw: str) -> bool:
    compact = raw.strip()
    if ":" in compact or _DATE_RE.match(compact) or _ZIP4_RE.match(compact) or _DECIMAL_RE.search(compact):
        return True
    if _TIME_RANGE_RE.match(compact):
        return True
    digits = _NON_DIGITS_RE.sub("", compact)
    if compact.isdigit() and not compact.startswith("0") and (
        len(digits) >= 12 or (len(digits) >= 10 and digits[0] == "1")
    ):
        return True  # unix timestamps and long IDs printed without any grouping
    before = text[max(0, start - 12) : start]
    after = text[end : end + 8]
    if _GLUED_BEFORE_RE.search(before) or _GLUED_AFTER_RE.match(after):
        return True
    if _CURRENCY_BEFORE_RE.search(before) or _CURRENCY_AFTER_RE.match(after):
        return True
    return _label_blocks(_label_window(text, start))


def _windows(text: str) -> Iterator[tuple[int, int]]:
    """Merged spans around digit runs; the matcher runs on these instead of the whole text."""
    span_start = span_end = -1
    for match in _CANDIDATE_RE.finditer(text):
        if sum(ch.isdigit() for ch in match.group(0)) < 6:
            continue
        # Room for a "+" or "(" lead and an "ext. 1234" tail on either side.
        start, end = max(0, match.start() - 2), min(len(text), match.end() + 16)
        if start <= span_end:
            span_end = max(span_end, end)
            continue
        if span_end > 0:
            yield span_start, span_end
        span_start, span_end = start, end
    if span_end > 0:
        yield span_start, span_end


def _json_ld_telephones(data: Any) -> Iterator[str]:
    for obj in iter_json_ld_objects(data):
        value = obj.get("telephone")
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str):
                yield item


def extract_phones(page: Page, region: str) -> list[PhoneHit]:
    """Distinct valid numbers on a parsed page, tel: links first, then JSON-LD, then visible text."""
    found: dict[str, PhoneHit] = {}

    def keep(hit: PhoneHit) -> None:
        found.setdefault(hit.e164, hit)

    if page.root is None:
        return []
    structured: list[str] = []
    for element in page.elements:
        href = element.get("href")
        if href:
            value = _tel_value(href)
            if value:
                number = _parse_tel(value, region)
                if number is not None:
                    keep(_hit(number, value, "tel"))
        itemprop = element.get("itemprop")
        if itemprop and "telephone" in itemprop.split():
            content = element.get("content")
            if content:
                structured.append(content)
    for data in page.json_ld:
        for value in _json_ld_telephones(data):
            number = parse_phone(value, region)
            if number is not None:
                keep(_hit(number, value, "json-ld"))
    for value in structured:
        number = parse_phone(value, region)
        if number is not None:
            keep(_hit(number, value, "text"))

    text = page.spaced_text.translate(_FOLD)
    for start, end in _windows(text):
        for match in PhoneNumberMatcher(text[start:end], region, leniency=Leniency.VALID):
            absolute_start, absolute_end = start + match.start, start + match.end
            if _text_rejected(text, absolute_start, absolute_end, match.raw_string):
                continue
            keep(_hit(match.number, match.raw_string, "text"))
    return list(found.values())
