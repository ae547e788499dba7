"""Deterministic fake places for the fake Google Places server, in Places (New) and legacy JSON.

Every place is a pure function of (normalised text query, index, site pool), so any two servers
with the same settings answer identically, and a place id can be decoded back to its place without
server state. Websites point at the project's synthetic web; a few places have none, a Facebook
page or a Google Sites page instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
from functools import lru_cache
from typing import Any

_ADJECTIVES = (
    "brightsmile", "summit", "bluebird", "riverside", "oakwood", "sunrise", "keystone", "evergreen",
    "lakeside", "redrock", "silverline", "northstar", "maple", "harbor", "cedar", "goldenleaf",
)
_CATEGORIES = (
    "dental", "plumbing", "bakery", "law", "roofing", "auto", "fitness", "salon",
    "vet", "electric", "realty", "cafe", "clinic", "hvac", "florist", "tutoring",
)
_STREETS = (
    ("Main Street", "Main St"), ("Oak Avenue", "Oak Ave"), ("Elm Street", "Elm St"),
    ("Cedar Lane", "Cedar Ln"), ("Maple Drive", "Maple Dr"), ("Park Boulevard", "Park Blvd"),
    ("Lake Road", "Lake Rd"), ("Hill Street", "Hill St"), ("Pine Court", "Pine Ct"),
    ("Washington Avenue", "Washington Ave"), ("Sunset Boulevard", "Sunset Blvd"), ("River Road", "River Rd"),
)
#: code -> (name, IANA zone, standard UTC offset in minutes, area code)
_STATES: dict[str, tuple[str, str, int, str]] = {
    "TX": ("Texas", "America/Chicago", -360, "512"),
    "IL": ("Illinois", "America/Chicago", -360, "217"),
    "CA": ("California", "America/Los_Angeles", -480, "415"),
    "NY": ("New York", "America/New_York", -300, "212"),
    "CO": ("Colorado", "America/Denver", -420, "303"),
    "FL": ("Florida", "America/New_York", -300, "305"),
    "WA": ("Washington", "America/Los_Angeles", -480, "206"),
    "GA": ("Georgia", "America/New_York", -300, "404"),
    "AZ": ("Arizona", "America/Phoenix", -420, "602"),
    "MA": ("Massachusetts", "America/New_York", -300, "617"),
}
_TYPES: dict[str, list[str]] = {
    "dentist": ["dentist", "health"],
    "dental": ["dentist", "health"],
    "plumber": ["plumber"],
    "plumbing": ["plumber"],
    "bakery": ["bakery", "food", "store"],
    "restaurant": ["restaurant", "food"],
    "cafe": ["cafe", "food"],
    "lawyer": ["lawyer"],
    "roofing": ["roofing_contractor"],
    "roofer": ["roofing_contractor"],
    "electrician": ["electrician"],
    "gym": ["gym", "health"],
    "salon": ["hair_care", "beauty_salon"],
    "veterinarian": ["veterinary_care"],
    "vet": ["veterinary_care"],
    "florist": ["florist", "store"],
    "real estate": ["real_estate_agency"],
}
_PRICE_NAMES = (
    "PRICE_LEVEL_FREE", "PRICE_LEVEL_INEXPENSIVE", "PRICE_LEVEL_MODERATE",
    "PRICE_LEVEL_EXPENSIVE", "PRICE_LEVEL_VERY_EXPENSIVE",
)
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
GENERIC_TYPES = ["point_of_interest", "establishment"]
ID_PREFIX = "ChIJ"


def fallback_site_domains(n: int, seed: int = 0) -> list[str]:
    """Domains shaped like the synthetic web's ("brightsmile-dental-0001.com"), for when it is absent."""
    rng = random.Random(f"sites:{seed}")
    return [f"{rng.choice(_ADJECTIVES)}-{rng.choice(_CATEGORIES)}-{i + 1:04d}.com" for i in range(n)]


@lru_cache(maxsize=16)
def site_pool(n: int, seed: int = 0) -> tuple[str, ...]:
    """The synthetic web's domains: the one place that decides where fake places link to."""
    try:
        from scrapersky_pipelines.demo.sites import site_domains  # noqa: PLC0415 - optional sibling
    except ImportError:
        return tuple(fallback_site_domains(n, seed))
    return tuple(site_domains(n, seed))


def normalise_query(query: str) -> str:
    """Case- and whitespace-insensitive key of a text query."""
    return " ".join(query.lower().split())


def _h(*parts: object) -> int:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def encode_place_id(seed: str, index: int) -> str:
    """Stateless place id: the query seed and index, base64url encoded behind Google's usual prefix."""
    token = base64.urlsafe_b64encode(f"{index}|{seed}".encode()).decode().rstrip("=")
    return ID_PREFIX + token


def decode_place_id(place_id: str) -> tuple[str, int] | None:
    if not place_id.startswith(ID_PREFIX):
        return None
    token = place_id[len(ID_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    index, sep, seed = raw.partition("|")
    if not sep or not index.isdigit():
        return None
    return seed, int(index)


def _split_query(seed: str) -> tuple[str, str]:
    business, sep, location = seed.rpartition(" in ")
    if not sep:
        return seed, "springfield, il"
    return business, location


def _types_for(business: str) -> list[str]:
    for word, types in _TYPES.items():
        if word in business:
            return [*types, *GENERIC_TYPES]
    slug = "_".join("".join(c for c in w if c.isalnum()) for w in business.split()) or "business"
    return [slug, *GENERIC_TYPES]


def _clock(hour: int) -> str:
    h12 = hour % 12 or 12
    return f"{h12}:00 {'AM' if hour < 12 else 'PM'}"


def _hours(h: int) -> tuple[list[dict[str, Any]], list[str], list[tuple[int, int, int]]]:
    """(periods in New format, weekday descriptions, (google day, open hour, close hour) triples)."""
    open_h, close_h = 7 + h % 3, 17 + (h >> 3) % 3
    saturday = (h >> 6) % 2 == 0
    spans: list[tuple[int, int, int]] = [(d, open_h, close_h) for d in range(1, 6)]
    if saturday:
        spans.append((6, 9, 13))
    by_day = {d: (o, c) for d, o, c in spans}
    descriptions = []
    for i, name in enumerate(_DAY_NAMES):
        google_day = (i + 1) % 7  # Google counts Sunday as 0
        if google_day in by_day:
            o, c = by_day[google_day]
            descriptions.append(f"{name}: {_clock(o)} – {_clock(c)}")
        else:
            descriptions.append(f"{name}: Closed")
    periods = [
        {"open": {"day": d, "hour": o, "minute": 0}, "close": {"day": d, "hour": c, "minute": 0}}
        for d, o, c in spans
    ]
    return periods, descriptions, spans


def _business_status(index: int) -> str:
    if index % 29 == 5:
        return "CLOSED_TEMPORARILY"
    if index % 53 == 40:
        return "CLOSED_PERMANENTLY"
    return "OPERATIONAL"


def make_place(seed: str, index: int, pool: tuple[str, ...]) -> dict[str, Any]:
    """Full Places (New) Place JSON of result `index` for the query `seed`."""
    business, location = _split_query(seed)
    loc_parts = [p.strip() for p in location.split(",") if p.strip()] or ["springfield"]
    city = loc_parts[0].title()
    state_code = loc_parts[1].upper() if len(loc_parts) > 1 and len(loc_parts[1]) == 2 else None
    if state_code is None:
        state_code = sorted(_STATES)[_h("state", location) % len(_STATES)]
    state_name, zone, offset, area = _STATES.get(
        state_code, (state_code, "America/New_York", -300, str(200 + _h("area", state_code) % 800))
    )
    h = _h(seed, index)
    base = _h("pool", seed)
    domain = pool[(base + index) % len(pool)] if pool else f"business-{index:04d}.com"
    label = domain.split(".", 1)[0]
    name = " ".join(w.capitalize() for w in label.split("-") if not w.isdigit()) or label
    slot = (base + index) % 20
    website: str | None
    if slot in (7, 13):
        website = None
    elif slot == 11:
        website = f"https://www.facebook.com/{label.replace('-', '')}"
    elif slot == 17:
        website = f"https://sites.google.com/view/{label}"
    else:
        website = f"http://{domain}/"
    pid = encode_place_id(seed, index)
    street_long, street_short = _STREETS[h % len(_STREETS)]
    number = str(100 + (h >> 4) % 9800)
    postal = f"{10000 + _h('zip', location) % 89000 + index % 40:05d}"
    center_lat = 26.0 + (_h("lat", location) % 2000) / 100.0
    center_lng = -75.0 - (_h("lng", location) % 4500) / 100.0
    lat = round(center_lat + ((h >> 12) % 1000 - 500) / 10000.0, 7)
    lng = round(center_lng + ((h >> 24) % 1000 - 500) / 10000.0, 7)
    phone_tail = f"01{index % 100:02d}"  # 555-0100..0199 are reserved for fiction
    types = _types_for(business)
    periods, descriptions, _ = _hours(h >> 32)
    county = f"{city} County"
    components = [
        (number, number, ["street_number"]),
        (street_long, street_short, ["route"]),
        (city, city, ["locality", "political"]),
        (county, county, ["administrative_area_level_2", "political"]),
        (state_name, state_code, ["administrative_area_level_1", "political"]),
        ("United States", "US", ["country", "political"]),
        (postal, postal, ["postal_code"]),
    ]
    place: dict[str, Any] = {
        "name": f"places/{pid}",
        "id": pid,
        "types": types,
        "nationalPhoneNumber": f"({area}) 555-{phone_tail}",
        "internationalPhoneNumber": f"+1 {area}-555-{phone_tail}",
        "formattedAddress": f"{number} {street_short}, {city}, {state_code} {postal}, USA",
        "shortFormattedAddress": f"{number} {street_short}, {city}",
        "addressComponents": [
            {"longText": lt, "shortText": st, "types": ts, "languageCode": "en"} for lt, st, ts in components
        ],
        "postalAddress": {
            "regionCode": "US",
            "languageCode": "en",
            "postalCode": postal,
            "administrativeArea": state_code,
            "locality": city,
            "addressLines": [f"{number} {street_short}"],
        },
        "location": {"latitude": lat, "longitude": lng},
        "viewport": {
            "low": {"latitude": round(lat - 0.0013, 7), "longitude": round(lng - 0.0013, 7)},
            "high": {"latitude": round(lat + 0.0013, 7), "longitude": round(lng + 0.0013, 7)},
        },
        "rating": round(3.0 + (h >> 40) % 21 / 10.0, 1),
        "userRatingCount": (h >> 20) % 900,
        "googleMapsUri": f"https://maps.google.com/?cid={h % 10**18}",
        "regularOpeningHours": {"periods": periods, "weekdayDescriptions": descriptions},
        "utcOffsetMinutes": offset,
        "timeZone": {"id": zone},
        "businessStatus": _business_status(index),
        "primaryType": types[0],
        "primaryTypeDisplayName": {"text": types[0].replace("_", " ").title(), "languageCode": "en"},
        "displayName": {"text": name, "languageCode": "en"},
    }
    price = (None, 1, 2, 2, 3)[(h >> 48) % 5]
    if price is not None:
        place["priceLevel"] = _PRICE_NAMES[price]
    if website is not None:
        place["websiteUri"] = website
    return place


def to_legacy(place: dict[str, Any], *, details: bool) -> dict[str, Any]:
    """The same place as the legacy API shows it (Text Search result, or Details result)."""
    loc = place["location"]
    vp = place["viewport"]
    out: dict[str, Any] = {
        "business_status": place["businessStatus"],
        "formatted_address": place["formattedAddress"],
        "geometry": {
            "location": {"lat": loc["latitude"], "lng": loc["longitude"]},
            "viewport": {
                "northeast": {"lat": vp["high"]["latitude"], "lng": vp["high"]["longitude"]},
                "southwest": {"lat": vp["low"]["latitude"], "lng": vp["low"]["longitude"]},
            },
        },
        "icon": "https://maps.gstatic.com/mapfiles/place_api/icons/v1/png_71/generic_business-71.png",
        "name": place["displayName"]["text"],
        "place_id": place["id"],
        "rating": place["rating"],
        "reference": place["id"],
        "types": list(place["types"]),
        "user_ratings_total": place["userRatingCount"],
    }
    if "priceLevel" in place:
        out["price_level"] = _PRICE_NAMES.index(place["priceLevel"])
    if not details:
        return out
    hours = place["regularOpeningHours"]
    out.update(
        {
            "address_components": [
                {"long_name": c["longText"], "short_name": c["shortText"], "types": list(c["types"])}
                for c in place["addressComponents"]
            ],
            "formatted_phone_number": place["nationalPhoneNumber"],
            "international_phone_number": place["internationalPhoneNumber"],
            "url": place["googleMapsUri"],
            "utc_offset": place["utcOffsetMinutes"],
            "vicinity": place["shortFormattedAddress"],
            "opening_hours": {
                "periods": [
                    {
                        k: {"day": p[k]["day"], "time": f"{p[k]['hour']:02d}{p[k]['minute']:02d}"}
                        for k in ("open", "close")
                    }
                    for p in hours["periods"]
                ],
                "weekday_text": list(hours["weekdayDescriptions"]),
            },
        }
    )
    if "websiteUri" in place:
        out["website"] = place["websiteUri"]
    return out
