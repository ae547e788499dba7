"""Turn Places client records into the database rows the Places stages upsert."""

from typing import Any

from scrapersky_pipelines.db.places import BusinessRow, PlaceRow
from scrapersky_pipelines.lib.places import PlaceDetails, PlaceSummary


def place_row(place: PlaceSummary, search: dict[str, Any], query: str) -> PlaceRow:
    """A search hit, stamped with the search that found it (the latest search wins on refresh)."""
    return PlaceRow(
        place_id=place.place_id,
        name=place.name or place.place_id,  # places.name is required; Google omits it only on odd records
        formatted_address=place.formatted_address,
        business_type=search["business_type"],
        primary_type=place.primary_type,
        types=list(place.types),
        lat=place.lat,
        lng=place.lng,
        rating=place.rating,
        user_ratings_total=place.user_ratings_total,
        price_level=place.price_level,
        business_status=place.business_status,
        search_id=search["id"],
        search_query=query,
        search_location=search["location"],
        raw=place.raw,
    )


def business_row(details: PlaceDetails, place_id: str) -> BusinessRow:
    """Place Details as a local business, keyed by the place id we asked for (Google may answer a newer id)."""
    categories = [c for c in details.categories if c != details.primary_category]
    return BusinessRow(
        place_id=place_id,
        business_name=details.name,
        full_address=details.formatted_address,
        street_address=details.street,
        city=details.city,
        state=details.state,
        postal_code=details.postal_code,
        country=details.country,
        national_phone=details.national_phone,
        international_phone=details.international_phone,
        website_url=details.website,
        rating=details.rating,
        reviews_count=details.reviews_count,
        primary_category=details.primary_category,
        categories=categories,
        price_level=details.price_level,
        lat=details.lat,
        lng=details.lng,
        timezone=details.timezone,
        utc_offset_minutes=details.utc_offset_minutes,
        opening_hours=dict(details.opening_hours),
        business_status=details.business_status,
        raw=details.raw,
    )
