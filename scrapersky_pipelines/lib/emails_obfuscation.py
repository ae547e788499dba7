"""Undoing the ways sites hide email addresses from scrapers.

- Cloudflare Scrape Shield (`decode_cfemail`): hex payload, first byte is the XOR key, plaintext is UTF-8.
- ``mailto:`` URLs (`mailto_addresses`): RFC 6068 — several addresses per link, ``?subject=``/``body`` cut,
  ``to``/``cc``/``bcc`` kept, percent- and entity-encoding undone, ``Name <addr>`` unwrapped.
- Spelled-out forms in text (`spelled_addresses`): ``[at]``/``(at)``/``{at}``/``(ät)``/``[arroba]``, the
  Scandinavian ``name(a)domain`` written without spaces, and a bare
  `` at `` / `` arroba ``, with ``[dot]``/``(punkt)``/`` dot `` separators, in any case. Bracketed forms are
  taken whenever the result validates; a bare `` at `` is prose far more often than an address, so it also
  needs a spelled dot, an email label right before it, or the page's own domain with a mailbox-like local part.
- JavaScript assembly (`script_text`): ``'info' + '@' + 'acme.com'`` concatenation, Joomla's ``addy`` cloak,
  ``String.fromCharCode(...)``, ``atob('...')`` and ``\\uXXXX``/``\\xXX`` escapes.

All patterns have bounded repetition, so a hostile page costs linear time.
"""

from __future__ import annotations

import base64
import binascii
import html as html_lib
import re
from collections.abc import Iterator
from urllib.parse import unquote

from scrapersky_pipelines.lib.email_filters import best_domain, normalize_email, registrable_domain
from scrapersky_pipelines.lib.email_kinds import is_role
from scrapersky_pipelines.lib.email_words import PROSE_LOCALS

__all__ = ["decode_cfemail", "js_unescape", "mailto_addresses", "script_text", "spelled_addresses", "unspell"]

_HEX_RE = re.compile(r"^[0-9a-fA-F]+$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_MAILTO_SPLIT_RE = re.compile(r"[,;]")
_ANGLE_RE = re.compile(r"<([^<>]{1,320})>")
_HFIELDS_WITH_ADDRESSES = frozenset({"to", "cc", "bcc"})

_AT_WORDS = r"at|ät|arroba|chiocciola|apenstaartje|klammeraffe|chez"
_DOT_WORDS = r"dot|punkt|point|punto|ponto|punt"
_AT_MARKERS = ("at", "@", "arroba", "chiocciola", "ät", "chez", "apenstaartje", "klammeraffe", "(a)", "[a]")
_SP = r"[ \t]"
_AT_BRACKETED = rf"[\[({{<]{_SP}{{0,2}}(?:{_AT_WORDS}|@){_SP}{{0,2}}[\])}}>]"
_DOT_BRACKETED = rf"[\[({{<]{_SP}{{0,2}}(?:{_DOT_WORDS}|\.){_SP}{{0,2}}[\])}}>]"
_SEP = rf"{_SP}{{0,3}}{_DOT_BRACKETED}{_SP}{{0,3}}|{_SP}{{1,3}}(?:{_DOT_WORDS}){_SP}{{1,3}}|\."
_SPELLED_RE = re.compile(
    rf"(?<![\w.+-])(?P<local>[\w+-]{{1,64}}(?:(?:{_SEP})[\w+-]{{1,64}}){{0,6}})"
    rf"(?P<at>{_SP}{{0,3}}{_AT_BRACKETED}{_SP}{{0,3}}|{_SP}{{1,3}}(?:at|arroba){_SP}{{1,3}}|{_SP}{{0,3}}@{_SP}{{0,3}}"
    r"|\(a\)|\[a\])"
    rf"(?P<domain>[\w-]{{1,63}}(?:(?:{_SEP})[\w-]{{1,63}}){{1,6}})",
    re.I,
)
_SEP_RE = re.compile(_SEP, re.I)
_SPELLED_DOT_RE = re.compile(rf"{_DOT_BRACKETED}|{_SP}(?:{_DOT_WORDS}){_SP}", re.I)
_AT_FORM_RE = re.compile(rf"{_SP}{{0,3}}{_AT_BRACKETED}{_SP}{{0,3}}|{_SP}{{1,3}}(?:at|arroba){_SP}{{1,3}}", re.I)
_LABEL_BEFORE_RE = re.compile(r"(?:e-?mail|mail|courriel|correo|kontakt|contact|contacto|contatto)\s*[:：]?\s*$", re.I)

_JS_ESCAPE_RE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
_JS_CONCAT_RE = re.compile(r"""['"]\s{0,20}\+\s{0,20}['"]""")
_JS_STRING_RE = re.compile(r"""'([^'\\\n]{0,500})'|"([^"\\\n]{0,500})\"""")
# Joomla's email cloak: `var addyN = '...' + '&#64;'; addyN = addyN + '...' + '&#46;' + '...';`
_JS_ACCUMULATE_RE = re.compile(
    r"""var\s+(\w{1,40})\s*=\s*((?:'[^'\n]{0,200}'|"[^"\n]{0,200}"|[ \t+]){1,60});\s*"""
    r"""\1\s*=\s*\1\s*\+\s*((?:'[^'\n]{0,200}'|"[^"\n]{0,200}"|[ \t+]){1,60});"""
)
# `var u = 'info', d = 'example.com'; ... u + '@' + d`: string variables, then sums that use them.
_JS_ASSIGN_RE = re.compile(r"""(?<![\w$.])([A-Za-z_$][\w$]{0,40})\s*=\s*(?:'([^'\\\n]{0,200})'|"([^"\\\n]{0,200})")\s*[,;\n]""")
_JS_TERM = r"""(?:[A-Za-z_$][\w$]{0,40}|'[^'\\\n]{0,200}'|"[^"\\\n]{0,200}")"""
_JS_TERM_RE = re.compile(_JS_TERM)
_JS_SUM_RE = re.compile(rf"(?<![\w$.]){_JS_TERM}(?:[ \t]{{0,20}}\+[ \t]{{0,20}}{_JS_TERM}){{1,20}}")
_FROM_CHAR_CODE_RE = re.compile(r"String\.fromCharCode\(\s*((?:\d{1,6}\s*,\s*){2,300}\d{1,6})\s*\)")
_ATOB_RE = re.compile(r"""atob\(\s*['"]([A-Za-z0-9+/=]{8,400})['"]\s*\)""")
_PERCENT_RE = re.compile(r"%[0-9A-Fa-f]{2}")


def decode_cfemail(hex_payload: str) -> str | None:
    """Decode Cloudflare's XOR-obfuscated address (first byte is the key); the plaintext is UTF-8."""
    payload = hex_payload.strip()
    if len(payload) < 4 or len(payload) % 2 or len(payload) > 1024 or not _HEX_RE.match(payload):
        return None
    data = bytes.fromhex(payload)
    key = data[0]
    try:
        return bytes(byte ^ key for byte in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def unspell(value: str) -> str:
    """A short value with ``[at]``/``(dot)`` forms folded back (``info(at)acme.de`` -> ``info@acme.de``)."""
    if "@" in value:
        return value
    folded = _AT_FORM_RE.sub("@", value, count=1)
    if folded == value:
        return value
    return _SEP_RE.sub(".", folded)


def mailto_addresses(href: str) -> list[str]:
    """Raw addresses named by a mailto: URL (RFC 6068), in order; not yet validated."""
    body = href.strip().translate(_INVISIBLE)
    if "&" in body:
        body = html_lib.unescape(body)
    lowered = body.lower()
    start = lowered.find("mailto:")
    if start < 0:
        start = lowered.find("mailto%3a")
        if start < 0:
            return []
        body = body[start + 9 :]
    else:
        body = body[start + 7 :]
    body = body.lstrip("/")
    if "%" in body:
        body = unquote(body)
    to_part, _, query = body.partition("?")
    raw = _MAILTO_SPLIT_RE.split(to_part)
    if query:
        for hfield in query.split("&"):
            name, _, value = hfield.partition("=")
            if name.strip().lower() in _HFIELDS_WITH_ADDRESSES:
                raw.extend(_MAILTO_SPLIT_RE.split(value))
    out = []
    for item in raw:
        item = item.strip()
        angle = _ANGLE_RE.search(item)
        if angle:
            item = angle.group(1).strip()
        if item:
            out.append(unspell(item))
    return out


def spelled_addresses(text: str, page_domain: str | None) -> Iterator[tuple[str, int, int]]:
    """(normalised address, start, end) for every spelled-out address in `text` that validates."""
    lowered = text.lower()
    if not any(marker in lowered for marker in _AT_MARKERS):
        return
    position = 0
    # Repeated blocks repeat their matches; only bare " at " forms depend on the text around them.
    decided: dict[str, str | None] = {}
    while True:
        match = _SPELLED_RE.search(text, position)
        if match is None:
            return
        token = match.group(0)
        if token in decided:
            found = decided[token]
        else:
            found = _accept(match, text, page_domain)
            if found is not None or match.group("at").strip().lower() not in {"at", "arroba"}:
                decided[token] = found
        if found is None:
            # The next address may start inside this failed match ("Sarah at sarah dot lee at acme dot com").
            position = match.start("at") + 1
            continue
        yield found, match.start(), match.end()
        position = match.end()


def _accept(match: re.Match[str], text: str, page_domain: str | None) -> str | None:
    at_form = match.group("at").strip().lower()
    raw_local, raw_domain = match.group("local"), match.group("domain")
    if match.group("at") == "@" and not _SPELLED_DOT_RE.search(match.group(0)):
        return None  # a plain address: the text scan has it already
    local = _SEP_RE.sub(".", raw_local)
    domain = best_domain(_SEP_RE.sub(".", raw_domain))
    if domain is None:
        return None
    if at_form in {"at", "arroba"}:
        if local.lower() in PROSE_LOCALS or local.isdigit():
            return None
        labelled = _LABEL_BEFORE_RE.search(text[max(0, match.start() - 24) : match.start()])
        # "lab at westbrook.edu/robotics" is prose even on westbrook.edu: the page's own domain is enough
        # only for a mailbox-looking local part.
        own = page_domain is not None and registrable_domain(domain) == page_domain and (
            "." in local or is_role(local)
        )
        if not (_SPELLED_DOT_RE.search(raw_domain) or own or labelled):
            return None
    return normalize_email(f"{local}@{domain}")


def js_unescape(body: str) -> str:
    """JavaScript/JSON string escapes undone (``\\u0040`` -> ``@``, ``\\/`` -> ``/``)."""
    if "\\" in body:
        body = _JS_ESCAPE_RE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), body).replace("\\/", "/")
    return body


def _literals(expression: str) -> str:
    return "".join(a or b for a, b in _JS_STRING_RE.findall(expression))


def _atob(payload: str) -> str:
    try:
        return base64.b64decode(payload, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""


def _variable_sums(body: str) -> Iterator[str]:
    """Values of `+` expressions that join string variables and literals around an '@'; an
    expression naming a variable that holds no known string is skipped, not guessed."""
    values = {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _JS_ASSIGN_RE.finditer(body)}
    if not values:
        return
    for match in _JS_SUM_RE.finditer(body):
        terms = _JS_TERM_RE.findall(match.group(0))
        names = [t for t in terms if t[0] not in "'\""]
        if not names or any(n not in values for n in names):
            continue
        joined = "".join(t[1:-1] if t[0] in "'\"" else values[t] for t in terms)
        if "@" in joined:
            yield html_lib.unescape(joined)


def script_text(body: str) -> str:
    """Inline-script text with string assembly resolved, for the plain address scan."""
    if "&#" in body or "&commat;" in body:
        body = html_lib.unescape(body)
    body = js_unescape(body)
    extra: list[str] = []
    if "fromCharCode" in body:
        for match in _FROM_CHAR_CODE_RE.finditer(body):
            codes = [int(code) for code in match.group(1).split(",")]
            extra.append("".join(chr(code) for code in codes if 0 < code < 0x110000))
    if "atob(" in body:
        extra.extend(_atob(match.group(1)) for match in _ATOB_RE.finditer(body))
    if "var" in body and "+" in body:
        for match in _JS_ACCUMULATE_RE.finditer(body):
            extra.append(html_lib.unescape(_literals(match.group(2)) + _literals(match.group(3))))
    if "@" in body and "+" in body and "=" in body:
        extra.extend(_variable_sums(body))
    if "+" in body:
        body = _JS_CONCAT_RE.sub("", body)
    if "%40" in body:
        body = _PERCENT_RE.sub(lambda m: unquote(m.group(0)), body)
    if extra:
        body = body + "\n" + "\n".join(extra)
    return body
