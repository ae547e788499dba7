"""What kind of mailbox an address is, seen from the page that lists it.

Precedence (first match wins):
  1. ``role``        the local part, or its first dotted token, or its last token when the first is not a
                     given name (digits stripped), is a role mailbox (info, sales, kontakt, reservas, noreply...);
  2. ``free-mail``   the domain is a free-mail provider (gmail, yahoo.*, outlook.*, gmx, web.de, orange.fr ...);
  3. ``personal``    same registrable domain as the page and a person-like local part: it matches a name the
                     page gives for it, or reads as first.last / f.last / first_last, or a known given name,
                     flast or firstlast with a known given name or surname;
  4. ``same-domain`` same registrable domain as the page;
  5. ``third-party`` anything else.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from scrapersky_pipelines.lib.email_filters import registrable_domain
from scrapersky_pipelines.lib.email_words import (
    FIRST_NAMES,
    FREE_MAIL_DOMAINS,
    FREE_MAIL_LABELS,
    ROLE_LOCALS,
    SURNAMES,
)

__all__ = ["KINDS", "classify_email", "is_free_mail", "is_role", "name_matches_local"]

KINDS = ("role", "free-mail", "personal", "same-domain", "third-party")

_TRAILING_DIGITS_RE = re.compile(r"\d+$")
_TOKEN_SPLIT_RE = re.compile(r"[._+-]")
_NAME_SPLIT_RE = re.compile(r"[^a-z]+")
# Role words long and specific enough to recognise inside a one-word local part.
_COMPOUND_ROLES = frozenset(w for w in ROLE_LOCALS if len(w) >= 5 and w.isalpha())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _german_fold(text: str) -> str:
    return _fold(text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss"))


def _tokens(local: str) -> list[str]:
    return [t for t in _TOKEN_SPLIT_RE.split(_TRAILING_DIGITS_RE.sub("", _fold(local))) if t]


@lru_cache(maxsize=8192)
def is_role(local: str) -> bool:
    """Whether a local part names a function rather than a person (info, sales, reservas, no-reply ...)."""
    lowered = local.lower()
    if lowered in ROLE_LOCALS or _TRAILING_DIGITS_RE.sub("", lowered) in ROLE_LOCALS:
        return True
    tokens = _tokens(local)
    if not tokens:
        return False
    if tokens[0] in ROLE_LOCALS:
        return True  # info.berlin, sales-eu, kontakt2
    if len(tokens) == 2 and tokens[-1] in ROLE_LOCALS and tokens[0] not in FIRST_NAMES:
        return True  # berlin.info, customer.service
    # Compounds written as one word with a short qualifier: csoffice, infodesk, salesteam.
    if len(tokens) != 1 or len(tokens[0]) < 6:
        return False
    word = tokens[0]
    return any(
        word[:size] in _COMPOUND_ROLES or word[-size:] in _COMPOUND_ROLES
        for size in range(max(5, len(word) - 4), len(word))
    )


def is_free_mail(domain: str) -> bool:
    """Whether a mail domain belongs to a free-mail provider."""
    registrable = registrable_domain(domain)
    if registrable is None:
        return False
    return registrable in FREE_MAIL_DOMAINS or registrable.split(".", 1)[0] in FREE_MAIL_LABELS


def name_matches_local(name: str, local: str) -> bool:
    """Whether a person's name plausibly produced an address's local part (first.last, flast, ...)."""
    squashed = _TOKEN_SPLIT_RE.sub("", _TRAILING_DIGITS_RE.sub("", _fold(local)))
    if len(squashed) < 3:
        return False
    for fold in (_fold, _german_fold):
        tokens = [t for t in _NAME_SPLIT_RE.split(fold(name)) if t]
        if not tokens or len(tokens) > 5:
            continue
        first, last = tokens[0], tokens[-1]
        if len(tokens) == 1:
            if squashed == first:
                return True
            continue
        rest = "".join(tokens[1:])
        forms = {first, last, first + last, first[0] + last, last + first, first + last[0], last + first[0],
                 first + rest, first[0] + rest}
        if squashed in forms:
            return True
    return False


def _is_person_like(local: str) -> bool:
    if "+" in local:
        return False
    tokens = [t for t in re.split(r"[._-]", _fold(local)) if t]
    if not tokens or any(not t.isalpha() for t in tokens) or any(t in ROLE_LOCALS for t in tokens):
        return False
    if len(tokens) in (2, 3):
        if tokens[0] in FIRST_NAMES or tokens[-1] in SURNAMES or _german_fold(tokens[-1]) in SURNAMES:
            return True
        if len(tokens[0]) == 1 or len(tokens[-1]) == 1:
            return max(len(t) for t in tokens) >= 3  # j.smith, john.s
        # first.last with names we do not know: dots and underscores join names, hyphens join words.
        return "-" not in local and all(len(t) >= 2 for t in tokens)
    if len(tokens) != 1:
        return False
    word = tokens[0]
    if word in FIRST_NAMES:
        return True
    if len(word) >= 5 and word[1:] in SURNAMES:
        return True
    return any(word[:i] in FIRST_NAMES and word[i:] in SURNAMES for i in range(3, len(word) - 2))


def classify_email(address: str, page_domain: str | None, name: str | None = None) -> str:
    """Kind of an address seen on a page whose registrable domain is `page_domain` (see module docstring)."""
    local, _, domain = address.rpartition("@")
    if is_role(local):
        return "role"
    if is_free_mail(domain):
        return "free-mail"
    same = page_domain is not None and registrable_domain(domain) == page_domain
    if same and ((name and name_matches_local(name, local)) or _is_person_like(local)):
        return "personal"
    return "same-domain" if same else "third-party"
