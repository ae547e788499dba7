"""Phone numbers from one parsed page, as E.164 via the phonenumbers library.

Order of sources (a duplicate E.164 keeps the first): ``tel:``/``callto:`` links (``tel``, RFC 3966
parameters such as ``;ext=`` understood), JSON-LD ``telephone`` (``json-ld``), then microdata
``itemprop=telephone`` values and visible text (``text``). Text is scanned with
``PhoneNumberMatcher(..., Leniency.VALID)`` on short windows around digit runs (full-width digits folded first;
repeated windows matched once; at most `MAX_WINDOWS` per page), plus North American vanity numbers
("1-800-ROOTERS"). Every number must be valid for its region; scripts and attributes are never read.

The default region for national-format numbers is the caller's, else the URL's ccTLD, else ``<html lang>``
(``de`` -> DE, ``en-gb`` -> GB, ``pt-br`` -> BR), else US. Text matches are rejected when they read as
something else: dates, time ranges, ZIP+4, prices (currency next to the number), decimals and coordinates,
IDs glued to letters, hyphens or URL punctuation, bare digit runs that look like timestamps, and numbers whose
nearest label (same line, or the line before when the number starts its own line) says order, invoice,
customer, VAT, company/tax registration, IBAN, tracking, GPS... or fax ("Tel./Fax" still counts as a phone).
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

from scrapersky_pipelines.lib.email_filters import registrable_domain
from scrapersky_pipelines.lib.html_text import Page, iter_json_ld_objects

__all__ = ["PhoneHit", "extract_phones", "infer_region", "parse_phone"]


@dataclass(frozen=True, slots=True)
class PhoneHit:
    """One distinct phone number found on a page."""

    e164: str
    raw: str
    extension: str | None
    source: str
    number_type: str | None = None


# Candidate digit runs verified per page: contact numbers sit in headers and footers, and beyond this many
# runs a page is a table of figures; verification (libphonenumber) is the costly step.
MAX_WINDOWS = 2000
_MIN_DIGITS = 6
_MAX_RUN_DIGITS = 40
_MAX_RUN_CHARS = 100
_MAX_WINDOW_CHARS = 300

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
_FOLD_NEEDED_RE = re.compile("[" + "".join(map(chr, _FOLD)) + "]")
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

_DATE_SPLIT_RE = re.compile(r"\s*[./-]\s*")
_ZIP4_RE = re.compile(r"^\d{5}-\d{4}$")
# A lone decimal ("52.520008", "1.299") or a coordinate pair is never a phone number.
_DECIMAL_RE = re.compile(r"^[-+]?[1-9]\d{0,2}[.,]\d{3,}$|^\d{1,3}\.\d{4,}[,\s]+[-+]?\d{1,3}\.\d{4,}$")
_TIME_RANGE_RE = re.compile(r"^\d{1,2}[.:h]\d{2}\s*[-–—]\s*\d{1,2}[.:h]\d{2}$")
_CURRENCY_BEFORE_RE = re.compile(
    r"(?:[$€£¥₹₽]|R\$|\b(?:USD|EUR|GBP|CHF|BRL|AUD|CAD|SEK|NOK|DKK|PLN)\b|kr\.?)\s*$", re.I
)
_CURRENCY_AFTER_RE = re.compile(
    r"^\s*(?:[$€£¥₹₽]|,-|\b(?:USD|EUR|GBP|CHF|BRL|AUD|CAD|euros?|dollars?|reais)\b)", re.I
)
_GLUED_BEFORE_RE = re.compile(r"(?:[A-Za-z0-9_]-|\d[/.,]|[A-Za-z]/|[=&#_@°]|[A-Za-z0-9]_|[A-Za-z])$")
_GLUED_AFTER_RE = re.compile(r"^(?:-[A-Za-z]|[_@°%]|[.,]\d|/\d|[A-Za-z]{1,3}\d)")
_KEYWORD_RE = re.compile(
    r"(?P<block>order\s*(?:no|nr|number|#|id)|bestellnummer|bestell-?nr|commande|pedido\s*n|n[uú]mero de pedido|"
    r"ordine\s*n|bestelnummer|encomenda|invoice|rechnungsnummer|rechnungs-?nr|facture|factura|fattura|factuur|"
    r"fatura|nota fiscal|\bref\b|reference|referenz|\bsku\b|artikel-?nr|artikelnummer|art\.-?nr|\bitem\b|"
    r"tracking|sendungsnummer|suivi|seguimiento|\bust\b|ust-?id|\bvat\b|\btva\b|\biva\b|p\.\s?iva|partita|"
    r"\bbtw\b|steuer-?nr|steuernummer|steuer-?id|\btax\b|siret|siren|cnpj|\bcpf\b|\bnif\b|\bcif\b|\babn\b|"
    r"\bacn\b|\bhrb\b|\bhra\b|\bkvk\b|\bkbo\b|\brcs\b|(?-i:\bEIN\b)|\buid\b|firmenbuch|codice fiscale|\bc\.\s?f\.|"
    r"company\s*(?:no|number|reg)|\bcro\b|\blanr\b|\bbsnr\b|umsatzsteuer|colegiad|\bsra\b|\bregon\b|\bnip\b|"
    r"\bkrs\b|org\.?\s?nr|organisationsnummer|\bcvr\b|y-tunnus|\bi[čc]o\b|\bdi[čc]\b|\bnie\b|"
    r"ondernemingsnummer|registr|handelsregister|iban|\bbic\b|swift|kontonummer|konto-?nr|"
    r"\bkonto\b|kundennummer|kunden-?nr|customer\s*(?:no|number|#|id)|client\s*(?:no|id|n°)|"
    r"account\s*(?:no|number|#)|isbn|\bean\b|gtin|\bupc\b|serial|\bmodel|licen[cs]e|lizenz|patent|ticket|"
    r"case\s*(?:no|number|#|id)|\bpo box|postfach|\bzip\b|postcode|\bplz\b|\blat\b|\blng\b|\blon\b|"
    r"latitude|longitude|coord|gps|\bid\b)"
    r"|(?P<fax>telefax|\bfax\b|t[ée]l[ée]copie|t[ée]l[ée]c\.)"
    r"|(?P<phone>\btel\b|telefon|telephone|téléphone|teléfono|telefono|telefoon|phone|\bfon\b|\bcall|"
    r"mobile|mobil|\bcell|handy|portable|móvil|cellulare|whatsapp|\bt:|☎|📞|hotline|\bruf|appel|llam|chiam|"
    r"\bbel\b)",
    re.I,
)
_PHONE_NEAR_FAX_RE = re.compile(r"(?:tel|phone|fon|telefon)\.?\s*(?:/|&|\+|und|and|et|y|e|en)\s*$", re.I)
_NON_DIGITS_RE = re.compile(r"\D")
_VANITY_RE = re.compile(
    r"(?<![\w-])(?:1[ .-]?)?\(?8(?:00|33|44|55|66|77|88)\)?[ .-]?[A-Z0-9]{3}[ .-]?[A-Z0-9]{4,5}(?![\w-])"
)
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


def _is_year(part: str) -> bool:
    return len(part) == 4 and part[:2] in {"19", "20"}


def _is_date(compact: str) -> bool:
    """2024-03-12, 12.03.2024, 03/12/24, 2024-03: real calendar values, so 0460-85-1234 is not one."""
    parts = _DATE_SPLIT_RE.split(compact.strip("()"))
    if not all(part.isdigit() for part in parts):
        return False
    numbers = [int(part) for part in parts]
    if len(parts) == 2:
        return _is_year(parts[0]) and 1 <= numbers[1] <= 12
    if len(parts) != 3:
        return False
    if _is_year(parts[0]):
        return 1 <= numbers[1] <= 12 and 1 <= numbers[2] <= 31
    if _is_year(parts[2]) or len(parts[2]) == 2:
        first, second = numbers[0], numbers[1]
        return 1 <= first <= 31 and 1 <= second <= 31 and min(first, second) <= 12
    return False


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
    if ":" in compact or _is_date(compact) or _ZIP4_RE.match(compact) or _DECIMAL_RE.search(compact):
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
    """Spans around digit runs that could hold a number (7 to 40 digits), merged while short; the matcher
    runs on these instead of the whole text."""
    span_start = span_end = -1
    for match in _CANDIDATE_RE.finditer(text):
        run = match.group(0)
        if len(run) > _MAX_RUN_CHARS:
            continue  # a table or blob of figures, not a phone number
        digits = sum(ch.isdigit() for ch in run)
        if not _MIN_DIGITS <= digits <= _MAX_RUN_DIGITS:
            continue
        # Room for a "+" or "(" lead and an "ext. 1234" tail on either side.
        start, end = max(0, match.start() - 2), min(len(text), match.end() + 16)
        if start <= span_end and end - span_start <= _MAX_WINDOW_CHARS:
            span_end = max(span_end, end)
            continue
        if span_end > 0:
            yield span_start, span_end
        span_start, span_end = start, end
    if span_end > 0:
        yield span_start, span_end


def _vanity_numbers(text: str) -> Iterator[tuple[str, phonenumbers.PhoneNumber]]:
    """North American toll-free numbers spelled with letters ("1-800-ROOTERS"), which the matcher skips."""
    for match in _VANITY_RE.finditer(text):
        raw = match.group(0)
        if sum(ch.isalpha() for ch in raw) < 3:
            continue
        digits = _NON_DIGITS_RE.sub("", phonenumbers.convert_alpha_characters_in_number(raw))
        digits = digits[1:] if digits.startswith("1") else digits
        number = parse_phone("+1" + digits[:10], "US")
        if number is not None:
            yield raw, number


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

    text = page.spaced_text
    if _FOLD_NEEDED_RE.search(text):
        text = text.translate(_FOLD)
    # Repeated blocks (listings, menus) repeat their windows: match each distinct window text once.
    matched: dict[str, list[tuple[int, int, str, phonenumbers.PhoneNumber]]] = {}
    for count, (start, end) in enumerate(_windows(text)):
        if count >= MAX_WINDOWS:
            break
        window = text[start:end]
        matches = matched.get(window)
        if matches is None:
            matches = [(m.start, m.end, m.raw_string, m.number)
                       for m in PhoneNumberMatcher(window, region, leniency=Leniency.VALID)]
            matched[window] = matches
        for relative_start, relative_end, raw, number in matches:
            if not _text_rejected(text, start + relative_start, start + relative_end, raw):
                keep(_hit(number, raw, "text"))
    if "-8" in text or " 8" in text or "(8" in text:
        for raw, number in _vanity_numbers(text):
            keep(_hit(number, raw, "text"))
    return list(found.values())
