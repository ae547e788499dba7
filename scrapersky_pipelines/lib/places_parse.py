"""Turn Places API (New) and legacy JSON into `PlaceSummary` / `PlaceDetails` records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from scrapersky_pipelines.lib.places_records import PlaceDetails, PlaceSummary

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
GENERIC_TYPES = frozenset({"point_of_interest", "establishment"})
PRICE_LEVELS = {
    "PRICE_LEVEL_FREE": 0,
    "PRICE_LEVEL_INEXPENSIVE": 1,
    "PRICE_LEVEL_MODERATE": 2,
    "PRICE_LEVEL_EXPENSIVE": 3,
    "PRICE_LEVEL_VERY_EXPENSIVE": 4,
}


def price_level(value: Any) -> int | None:
    """0..4 from a legacy integer or a Places (New) `PRICE_LEVEL_*` name; None when unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= 4 else None
    if isinstance(value, str):
        return PRICE_LEVELS.get(value.upper())
    return None


def primary_of(types: Sequence[str], explicit: str | None = None) -> str | None:
    """The explicit primary type, else the first non-generic type, else the first type."""
    if explicit:
        return explicit
    for t in types:
        if t not in GENERIC_TYPES:
            return t
    return types[0] if types else None


def weekday_hours(descriptions: Iterable[Any]) -> dict[str, str]:
    """Map "Monday: 8:00 AM – 5:00 PM" lines to {"monday": "8:00 AM – 5:00 PM"}.

    Google lists the week Monday first, so a line whose day name is not English (a localised
    answer) is keyed by its position.
    """
    lines = [d for d in descriptions if isinstance(d, str)]
    out: dict[str, str] = {}
    for idx, line in enumerate(lines):
        head, sep, tail = line.partition(":")
        name = head.strip().lower()
        if sep and name in WEEKDAYS:
            out[name] = tail.strip()
        elif len(lines) == 7:
            # Localised day name: the part after the first ": " is still the hours text.
            _, sep2, tail2 = line.partition(": ")
            out[WEEKDAYS[idx]] = (tail2 if sep2 else line).strip()
    return out


def timezone_label(zone_id: str | None, offset_minutes: int | None) -> str | None:
    """IANA id when known, else "UTC+05:30" style from the offset, else None."""
    if zone_id:
        return zone_id
    if offset_minutes is None:
        return None
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _components(items: Any, long_key: str, short_key: str) -> dict[str, tuple[str, str]]:
    """First (long, short) text per component type."""
    found: dict[str, tuple[str, str]] = {}
    if not isinstance(items, list):
        return found
    for comp in items:
        if not isinstance(comp, Mapping):
            continue
        long_text = comp.get(long_key) or comp.get(short_key)
        if not isinstance(long_text, str):
            continue
        short_text = comp.get(short_key) or long_text
        for t in comp.get("types") or ():
            found.setdefault(t, (long_text, str(short_text)))
    return found


def address_parts(items: Any, *, long_key: str, short_key: str) -> dict[str, str | None]:
    """street, city, state, postal_code and country (ISO code) from address components."""
    comps = _components(items, long_key, short_key)

    def long(*types: str) -> str | None:
        for t in types:
            if t in comps:
                return comps[t][0]
        return None

    number, route = long("street_number"), long("route")
    street = " ".join(p for p in (number, route) if p) or long("premise")
    state = comps["administrative_area_level_1"][1] if "administrative_area_level_1" in comps else None
    country = comps["country"][1].upper() if "country" in comps else None
    return {
        "street": street,
        "city": long(
            "locality", "postal_town", "sublocality_level_1", "sublocality", "administrative_area_level_3"
        ),
        "state": state,
        "postal_code": long("postal_code"),
        "country": country,
    }


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _types(value: Any) -> tuple[str, ...]:
    return tuple(t for t in value if isinstance(t, str)) if isinstance(value, list) else ()


def _new_id(place: Mapping[str, Any]) -> str | None:
    pid = _str(place.get("id"))
    if pid:
        return pid
    name = _str(place.get("name"))  # resource name "places/<id>"
    return name.split("/", 1)[1] if name and name.startswith("places/") else None


def _display_name(place: Mapping[str, Any]) -> str | None:
    dn = place.get("displayName")
    if isinstance(dn, Mapping):
        return _str(dn.get("text"))
    return _str(dn)


def new_summary(place: Mapping[str, Any]) -> PlaceSummary | None:
    """A Places (New) Place from searchText; None when it has no id (nothing to key it by)."""
    pid = _new_id(place)
    if not pid:
        return None
    loc = place.get("location") if isinstance(place.get("location"), Mapping) else {}
    types = _types(place.get("types"))
    return PlaceSummary(
        place_id=pid,
        name=_display_name(place),
        formatted_address=_str(place.get("formattedAddress")),
        lat=_float(loc.get("latitude")),
        lng=_float(loc.get("longitude")),
        types=types,
        primary_type=primary_of(types, _str(place.get("primaryType"))),
        rating=_float(place.get("rating")),
        user_ratings_total=_int(place.get("userRatingCount")),
        price_level=price_level(place.get("priceLevel")),
        business_status=_str(place.get("businessStatus")),
        raw=dict(place),
    )


def legacy_summary(result: Mapping[str, Any]) -> PlaceSummary | None:
    """A legacy Text Search result; None when it has no place_id."""
    pid = _str(result.get("place_id"))
    if not pid:
        return None
    loc = _legacy_location(result)
    types = _types(result.get("types"))
    return PlaceSummary(
        place_id=pid,
        name=_str(result.get("name")),
        formatted_address=_str(result.get("formatted_address")),
        lat=_float(loc.get("lat")),
        lng=_float(loc.get("lng")),
        types=types,
        primary_type=primary_of(types),
        rating=_float(result.get("rating")),
        user_ratings_total=_int(result.get("user_ratings_total")),
        price_level=price_level(result.get("price_level")),
        business_status=_str(result.get("business_status")),
        raw=dict(result),
    )


def _legacy_location(result: Mapping[str, Any]) -> Mapping[str, Any]:
    geometry = result.get("geometry")
    if isinstance(geometry, Mapping) and isinstance(geometry.get("location"), Mapping):
        return geometry["location"]
    return {}


def new_details(place: Mapping[str, Any], requested_id: str) -> PlaceDetails:
    """A Places (New) Place from GET /v1/places/{id}."""
    loc = place.get("location") if isinstance(place.get("location"), Mapping) else {}
    types = _types(place.get("types"))
    hours = place.get("regularOpeningHours") or place.get("currentOpeningHours")
    descriptions = hours.get("weekdayDescriptions") if isinstance(hours, Mapping) else None
    tz = place.get("timeZone")
    zone_id = _str(tz.get("id")) if isinstance(tz, Mapping) else _str(tz)
    offset = _int(place.get("utcOffsetMinutes"))
    parts = address_parts(place.get("addressComponents"), long_key="longText", short_key="shortText")
    return PlaceDetails(
        place_id=_new_id(place) or requested_id,
        name=_display_name(place),
        formatted_address=_str(place.get("formattedAddress")),
        street=parts["street"],
        city=parts["city"],
        state=parts["state"],
        postal_code=parts["postal_code"],
        country=parts["country"],
        national_phone=_str(place.get("nationalPhoneNumber")),
        international_phone=_str(place.get("internationalPhoneNumber")),
        website=_str(place.get("websiteUri")),
        rating=_float(place.get("rating")),
        reviews_count=_int(place.get("userRatingCount")),
        primary_category=primary_of(types, _str(place.get("primaryType"))),
        categories=types,
        price_level=price_level(place.get("priceLevel")),
        lat=_float(loc.get("latitude")),
        lng=_float(loc.get("longitude")),
        timezone=timezone_label(zone_id, offset),
        utc_offset_minutes=offset,
        opening_hours=weekday_hours(descriptions or ()),
        business_status=_str(place.get("businessStatus")),
        raw=dict(place),
    )


def legacy_details(result: Mapping[str, Any], requested_id: str) -> PlaceDetails:
    """A legacy Place Details `result` object."""
    loc = _legacy_location(result)
    types = _types(result.get("types"))
    hours = result.get("opening_hours") or result.get("current_opening_hours")
    weekday_text = hours.get("weekday_text") if isinstance(hours, Mapping) else None
    offset = _int(result.get("utc_offset_minutes", result.get("utc_offset")))
    parts = address_parts(result.get("address_components"), long_key="long_name", short_key="short_name")
    return PlaceDetails(
        place_id=_str(result.get("place_id")) or requested_id,
        name=_str(result.get("name")),
        formatted_address=_str(result.get("formatted_address")),
        street=parts["street"],
        city=parts["city"],
        state=parts["state"],
        postal_code=parts["postal_code"],
        country=parts["country"],
        national_phone=_str(result.get("formatted_phone_number")),
        international_phone=_str(result.get("international_phone_number")),
        website=_str(result.get("website")),
        rating=_float(result.get("rating")),
        reviews_count=_int(result.get("user_ratings_total")),
        primary_category=primary_of(types),
        categories=types,
        price_level=price_level(result.get("price_level")),
        lat=_float(loc.get("lat")),
        lng=_float(loc.get("lng")),
        timezone=timezone_label(None, offset),
        utc_offset_minutes=offset,
        opening_hours=weekday_hours(weekday_text or ()),
        business_status=_str(result.get("business_status")),
        raw=dict(result),
    )
