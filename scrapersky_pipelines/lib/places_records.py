"""Records, settings and errors of the Google Places client, plus API-key redaction."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

ApiFlavour = Literal["new", "legacy"]

#: Error kinds carried by `PlacesError.kind`.
ERROR_KINDS = frozenset(
    {
        "invalid_request",  # 400 / INVALID_ARGUMENT / INVALID_REQUEST: our request is wrong
        "denied",  # 401/403 / PERMISSION_DENIED / REQUEST_DENIED: key, API enablement, billing
        "not_found",  # 404 / NOT_FOUND / details ZERO_RESULTS
        "quota",  # 429 / RESOURCE_EXHAUSTED / OVER_QUERY_LIMIT, after retries
        "server",  # 5xx / UNKNOWN_ERROR, after retries
        "network",  # connection errors and timeouts, after retries
        "malformed_response",  # body is not the JSON object we expect
        "response_too_large",
        "http",  # any other unexpected HTTP status
        "api_error",  # any other unexpected legacy status
    }
)

REDACTED = "[REDACTED]"
_KEY_PARAM = re.compile(r"(?i)([?&](?:key|api_key)=)[^&#\s\"'<>]+")
_KEY_HEADER = re.compile(r"(?i)(x-goog-api-key[\"']?\s*[:=]\s*[\"']?)[^\s,\"'}]+")


def redact(text: str, secret: str | None = None) -> str:
    """Remove an API key from free text: the literal secret, and any `key=` URL parameter or key header."""
    if secret:
        text = text.replace(secret, REDACTED)
    text = _KEY_PARAM.sub(r"\1" + REDACTED, text)
    return _KEY_HEADER.sub(r"\1" + REDACTED, text)


def redact_data(value: Any, secret: str) -> Any:
    """Copy of JSON-like data with every string containing `secret` redacted (only called when needed)."""
    if isinstance(value, str):
        return value.replace(secret, REDACTED) if secret in value else value
    if isinstance(value, dict):
        return {redact_data(k, secret): redact_data(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_data(v, secret) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class PlacesSettings:
    """How to reach Google Places. The key is kept out of repr; delays are in seconds."""

    api_key: str = field(repr=False)
    base_url: str = "https://places.googleapis.com"
    legacy_base_url: str = "https://maps.googleapis.com"
    api: ApiFlavour = "new"
    #: Attempts per request for retryable failures (429, 5xx, OVER_QUERY_LIMIT, UNKNOWN_ERROR, network).
    max_attempts: int = 4
    #: Full-jitter backoff: sleep uniform(0, min(backoff_max, backoff_base * 2**(attempt-1))).
    backoff_base: float = 0.5
    backoff_max: float = 16.0
    connect_timeout: float = 5.0
    #: Read/write/pool timeout of one request.
    timeout: float = 15.0
    #: Wall-clock cap on one request, whatever the phase timeouts allow.
    total_timeout: float = 30.0
    max_response_bytes: int = 5_000_000
    max_concurrency: int = 8
    #: Legacy page tokens are not valid at once; wait this long before the first use ...
    legacy_token_delay: float = 2.0
    #: ... then retry a premature INVALID_REQUEST this many times, this far apart.
    token_retries: int = 4
    token_retry_delay: float = 1.0
    #: Delay before using a Places (New) nextPageToken; Google does not require one.
    new_token_delay: float = 0.0
    #: Circle radius used when coordinates come without a radius.
    default_radius_km: float = 10.0
    language_code: str | None = None
    region_code: str | None = None
    user_agent: str = "scrapersky-pipelines/0.1 (places client)"
    #: Field masks (Places API New). Search masks must keep the `places.` prefix.
    search_field_mask: tuple[str, ...] = (
        "places.id",
        "places.displayName",
        "places.formattedAddress",
        "places.location",
        "places.types",
        "places.primaryType",
        "places.rating",
        "places.userRatingCount",
        "places.priceLevel",
        "places.businessStatus",
        "nextPageToken",
    )
    details_field_mask: tuple[str, ...] = (
        "id",
        "displayName",
        "formattedAddress",
        "addressComponents",
        "location",
        "types",
        "primaryType",
        "nationalPhoneNumber",
        "internationalPhoneNumber",
        "websiteUri",
        "rating",
        "userRatingCount",
        "priceLevel",
        "businessStatus",
        "regularOpeningHours",
        "utcOffsetMinutes",
        "timeZone",
    )
    #: `fields=` of legacy Place Details.
    legacy_details_fields: tuple[str, ...] = (
        "place_id",
        "name",
        "formatted_address",
        "address_components",
        "geometry/location",
        "type",
        "formatted_phone_number",
        "international_phone_number",
        "website",
        "rating",
        "user_ratings_total",
        "price_level",
        "business_status",
        "opening_hours",
        "utc_offset",
    )

    def __post_init__(self) -> None:
        if self.api not in ("new", "legacy"):
            raise ValueError(f"api must be 'new' or 'legacy', not {self.api!r}")
        if not self.api_key:
            raise ValueError("api_key is required")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if self.token_retries < 0:
            raise ValueError("token_retries must be >= 0")


@dataclass(frozen=True, slots=True)
class PlaceSummary:
    """One Text Search hit, normalised across the new and legacy APIs."""

    place_id: str
    name: str | None
    formatted_address: str | None
    lat: float | None
    lng: float | None
    types: tuple[str, ...]
    primary_type: str | None
    rating: float | None
    user_ratings_total: int | None
    #: 0 (free) .. 4 (very expensive); None when unknown.
    price_level: int | None
    business_status: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class PlaceDetails:
    """One Place Details answer, normalised across the new and legacy APIs."""

    place_id: str
    name: str | None
    formatted_address: str | None
    street: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    #: ISO 3166-1 alpha-2, upper case.
    country: str | None
    national_phone: str | None
    international_phone: str | None
    website: str | None
    rating: float | None
    reviews_count: int | None
    primary_category: str | None
    categories: tuple[str, ...]
    price_level: int | None
    lat: float | None
    lng: float | None
    #: IANA zone id when Google gives one, else "UTC±HH:MM" from the offset.
    timezone: str | None
    utc_offset_minutes: int | None
    #: Lower-case English weekday name -> Google's text for that day ("8:00 AM – 5:00 PM", "Closed").
    opening_hours: dict[str, str] = field(default_factory=dict, hash=False)
    business_status: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """What a text search produced: the places, how many pages it took, and anything worth saying."""

    places: list[PlaceSummary]
    pages: int
    #: "OK" when places were found, else "ZERO_RESULTS".
    status: str
    query: str = ""
    location_bias: bool = False
    warnings: tuple[str, ...] = ()


class PlacesError(Exception):
    """A Places call failed for good. The message never contains the API key."""

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        operation: str,
        http_status: int | None = None,
        api_status: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.operation = operation
        self.http_status = http_status
        self.api_status = api_status
        self.attempts = attempts

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __repr__(self) -> str:
        return f"PlacesError(kind={self.kind!r}, operation={self.operation!r}, message={self.message!r})"
