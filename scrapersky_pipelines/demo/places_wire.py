"""Wire shapes the fake Places server speaks: field lists, field masks and Google's error bodies."""

from __future__ import annotations

from typing import Any

from aiohttp import web

MAX_RESULTS = 60
MAX_PAGE_SIZE = 20
#: Google stops issuing page tokens after the third page, whatever the page size.
MAX_PAGES = 3
MALFORMED_BODY = '{"places": [{"id": "ChIJtruncated", "displayName": {"text": "Half'

#: Top-level fields of a Places (New) Place that a field mask may name.
PLACE_FIELDS = frozenset(
    """
    name id displayName types primaryType primaryTypeDisplayName nationalPhoneNumber
    internationalPhoneNumber formattedAddress shortFormattedAddress postalAddress addressComponents
    plusCode location viewport rating googleMapsUri googleMapsLinks websiteUri reviews
    regularOpeningHours currentOpeningHours currentSecondaryOpeningHours regularSecondaryOpeningHours
    utcOffsetMinutes timeZone photos adrFormatAddress businessStatus priceLevel priceRange attributions
    userRatingCount iconMaskBaseUri iconBackgroundColor takeout delivery dineIn curbsidePickup
    reservable servesBreakfast servesLunch servesDinner servesBeer servesWine servesBrunch
    servesVegetarianFood outdoorSeating liveMusic menuForChildren servesCocktails servesDessert
    servesCoffee goodForChildren allowsDogs restroom goodForGroups goodForWatchingSports paymentOptions
    parkingOptions subDestinations accessibilityOptions fuelOptions evChargeOptions generativeSummary
    containingPlaces pureServiceAreaBusiness editorialSummary reviewSummary evChargeAmenitySummary
    neighborhoodSummary movedPlace movedPlaceId
    """.split()
)
SEARCH_TOP_FIELDS = frozenset(
    {"places", "nextPageToken", "searchUri", "contextualContents", "routingSummaries"}
)
#: Legacy `fields=` names -> keys of the legacy result they select.
LEGACY_FIELDS: dict[str, tuple[str, ...]] = {
    "address_component": ("address_components",),
    "address_components": ("address_components",),
    "adr_address": ("adr_address",),
    "business_status": ("business_status",),
    "formatted_address": ("formatted_address",),
    "geometry": ("geometry",),
    "geometry/location": ("geometry",),
    "geometry/viewport": ("geometry",),
    "icon": ("icon",),
    "icon_mask_base_uri": ("icon_mask_base_uri",),
    "icon_background_color": ("icon_background_color",),
    "name": ("name",),
    "photo": ("photos",),
    "photos": ("photos",),
    "place_id": ("place_id",),
    "plus_code": ("plus_code",),
    "type": ("types",),
    "types": ("types",),
    "url": ("url",),
    "utc_offset": ("utc_offset",),
    "vicinity": ("vicinity",),
    "wheelchair_accessible_entrance": ("wheelchair_accessible_entrance",),
    "current_opening_hours": ("current_opening_hours",),
    "formatted_phone_number": ("formatted_phone_number",),
    "international_phone_number": ("international_phone_number",),
    "opening_hours": ("opening_hours",),
    "secondary_opening_hours": ("secondary_opening_hours",),
    "website": ("website",),
    "price_level": ("price_level",),
    "rating": ("rating",),
    "review": ("reviews",),
    "reviews": ("reviews",),
    "user_ratings_total": ("user_ratings_total",),
    "editorial_summary": ("editorial_summary",),
    "reference": ("reference",),
}
#: fail_next status names -> (HTTP status, Google status) for Places (New)
NAMED_FAULTS = {
    "OVER_QUERY_LIMIT": (429, "RESOURCE_EXHAUSTED"),
    "RESOURCE_EXHAUSTED": (429, "RESOURCE_EXHAUSTED"),
    "UNKNOWN_ERROR": (500, "INTERNAL"),
    "REQUEST_DENIED": (403, "PERMISSION_DENIED"),
    "INVALID_REQUEST": (400, "INVALID_ARGUMENT"),
    "NOT_FOUND": (404, "NOT_FOUND"),
}
GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
#: Legacy status that stands for an HTTP error code (5xx stay HTTP errors).
LEGACY_BY_HTTP = {400: "INVALID_REQUEST", 403: "REQUEST_DENIED", 404: "NOT_FOUND", 429: "OVER_QUERY_LIMIT"}


def google_error(status: int, message: str, google_status: str | None = None) -> web.Response:
    """Google AIP-style error, with the real HTTP status."""
    status_name = google_status or GOOGLE_STATUS.get(status, "UNKNOWN")
    body = {"error": {"code": status, "message": message, "status": status_name}}
    return web.json_response(body, status=status)


def legacy_status(status: str, message: str | None = None, *, result_key: str = "results") -> web.Response:
    """Legacy answer carrying a non-OK status (legacy errors are HTTP 200)."""
    body: dict[str, Any] = {"html_attributions": [], result_key: [] if result_key == "results" else {}}
    body["status"] = status
    if message:
        body["error_message"] = message
    return web.json_response(body)


def malformed() -> web.Response:
    return web.Response(text=MALFORMED_BODY, content_type="application/json")


def server_error_page(status: int) -> web.Response:
    return web.Response(
        status=status,
        text=f"<html><body><h1>Error {status}</h1><p>The server hit a temporary error.</p></body></html>",
        content_type="text/html",
    )


def _mask_tree(paths: list[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        segments = path.split(".")
        for seg in segments[:-1]:
            child = node.get(seg)
            if child is True:
                break
            node = node.setdefault(seg, {})
        else:
            node[segments[-1]] = True
    return tree


def apply_mask(value: Any, tree: Any) -> Any:
    if tree is True or "*" in tree:
        return value
    if isinstance(value, list):
        return [apply_mask(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: apply_mask(value[k], sub) for k, sub in tree.items() if k in value}
    return value


class MaskError(ValueError):
    """A field mask Google would refuse; `outcome` labels it in the server's request log."""

    def __init__(self, message: str, outcome: str) -> None:
        super().__init__(message)
        self.outcome = outcome


def parse_field_mask(raw: str | None, *, search: bool) -> dict[str, Any]:
    """Validate a field mask (header or `fields=`) and return the tree `apply_mask` uses.

    Raises `MaskError` (a 400 INVALID_ARGUMENT for the caller) when the mask is missing or names a
    field a Place does not have.
    """
    if not raw or not raw.strip():
        raise MaskError(
            "FieldMask is a required parameter. See https://cloud.google.com/apis/docs/system-parameters "
            "on how to provide it. As an example, you can set the header 'X-Goog-FieldMask' to value "
            "'places.displayName', 'places.id' to ask for the display name and the place id of a place.",
            "missing_mask",
        )
    paths = [p.strip() for p in raw.split(",") if p.strip()]
    for path in paths:
        segs = path.split(".")
        if search:
            ok = segs[0] == "*" or segs[0] in SEARCH_TOP_FIELDS
            if ok and segs[0] == "places" and len(segs) > 1:
                ok = segs[1] == "*" or segs[1] in PLACE_FIELDS
        else:
            ok = segs[0] == "*" or segs[0] in PLACE_FIELDS
        if not ok:
            raise MaskError(f"Invalid field: {path}", "bad_mask")
    return _mask_tree(paths)
