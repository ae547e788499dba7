"""Async Google Places client: Text Search and Place Details over Places API (New) or the legacy API.

Both flavours return the same records (`PlaceSummary`, `PlaceDetails`). Usage::

    async with PlacesClient(PlacesSettings(api_key=...)) as places:
        outcome = await places.search_text("dentist", "Austin, TX", lat=30.27, lng=-97.74, radius_km=10)
        details = await places.place_details(outcome.places[0].place_id)
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from scrapersky_pipelines.lib.places_http import ApiCall, PlacesHttp
from scrapersky_pipelines.lib.places_parse import legacy_details, legacy_summary, new_details, new_summary
from scrapersky_pipelines.lib.places_records import (
    PlaceDetails,
    PlacesError,
    PlaceSummary,
    PlacesSettings,
    SearchOutcome,
    redact,
)

__all__ = [
    "MAX_RESULTS",
    "PAGE_SIZE",
    "PlaceDetails",
    "PlaceSummary",
    "PlacesClient",
    "PlacesError",
    "PlacesSettings",
    "SearchOutcome",
    "build_text_query",
    "redact",
]

logger = logging.getLogger("scrapersky_pipelines.lib.places")

#: Google returns at most 60 results (3 pages of 20) for one text search.
MAX_RESULTS = 60
PAGE_SIZE = 20
#: Largest circle radius Google accepts, in metres.
MAX_RADIUS_M = 50_000.0


def build_text_query(business_type: str, location: str) -> str:
    """The query the original system sent: "<business type> in <location>"."""
    bt, loc = " ".join(business_type.split()), " ".join(location.split())
    if not bt:
        raise ValueError("business_type is empty")
    if not loc:
        raise ValueError("location is empty")
    return f"{bt} in {loc}"


class PlacesClient:
    """Google Places over one pooled `httpx.AsyncClient`; use as `async with PlacesClient(settings)`."""

    def __init__(
        self,
        settings: PlacesSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._transport = transport
        self._sleep = sleep
        self._rng = rng
        self._http: PlacesHttp | None = None

    def __repr__(self) -> str:
        return f"PlacesClient(api={self.settings.api!r}, open={self._http is not None})"

    async def __aenter__(self) -> PlacesClient:
        if self._http is not None:
            raise RuntimeError("PlacesClient is already open")
        self._http = PlacesHttp(self.settings, transport=self._transport, sleep=self._sleep, rng=self._rng)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    @property
    def _open_http(self) -> PlacesHttp:
        if self._http is None:
            raise RuntimeError("PlacesClient is not open: use `async with PlacesClient(settings) as client`")
        return self._http

    async def search_text(
        self,
        business_type: str,
        location: str,
        *,
        radius_km: float | None = None,
        lat: float | None = None,
        lng: float | None = None,
        max_results: int = MAX_RESULTS,
    ) -> SearchOutcome:
        """Search "<business_type> in <location>", following page tokens until `max_results`.

        A circle bias (lat/lng, radius_km or the default radius) is sent only when coordinates are
        given; a radius alone cannot bias anything, so it is dropped with a warning in the outcome.
        """
        query = build_text_query(business_type, location)
        warnings: list[str] = []
        if isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1:
            raise ValueError(f"max_results must be a positive integer, not {max_results!r}")
        if max_results > MAX_RESULTS:
            warnings.append(f"max_results={max_results} capped at {MAX_RESULTS}: Google returns at most 60")
            max_results = MAX_RESULTS
        bias = self._location_bias(radius_km, lat, lng, warnings)
        for w in warnings:
            logger.info("places search %r: %s", query, w)
        if self.settings.api == "legacy":
            places, pages = await self._search_legacy(query, bias, max_results)
        else:
            places, pages = await self._search_new(query, bias, max_results)
        return SearchOutcome(
            places=places,
            pages=pages,
            status="OK" if places else "ZERO_RESULTS",
            query=query,
            location_bias=bias is not None,
            warnings=tuple(warnings),
        )

    def _location_bias(
        self, radius_km: float | None, lat: float | None, lng: float | None, warnings: list[str]
    ) -> tuple[float, float, float] | None:
        if (lat is None) != (lng is None):
            raise ValueError("lat and lng must be given together")
        if lat is None or lng is None:
            if radius_km is not None:
                warnings.append(
                    f"radius_km={radius_km} ignored: a location bias needs lat/lng and geocoding is out "
                    "of scope; the location is only part of the text query"
                )
            return None
        if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValueError(f"invalid coordinates lat={lat} lng={lng}")
        km = self.settings.default_radius_km if radius_km is None else radius_km
        if not math.isfinite(km) or km <= 0:
            raise ValueError(f"radius_km must be positive, not {radius_km!r}")
        radius_m = km * 1000.0
        if radius_m > MAX_RADIUS_M:
            warnings.append(f"radius {km} km capped at {MAX_RADIUS_M / 1000:g} km (Google's maximum)")
            radius_m = MAX_RADIUS_M
        return (float(lat), float(lng), radius_m)

    async def _search_new(
        self, query: str, bias: tuple[float, float, float] | None, max_results: int
    ) -> tuple[list[PlaceSummary], int]:
        s = self.settings
        mask = list(s.search_field_mask)
        if "nextPageToken" not in mask and "*" not in mask:
            mask.append("nextPageToken")
        body: dict[str, Any] = {"textQuery": query, "pageSize": min(PAGE_SIZE, max_results)}
        if s.language_code:
            body["languageCode"] = s.language_code
        if s.region_code:
            body["regionCode"] = s.region_code
        if bias is not None:
            lat, lng, radius_m = bias
            center = {"latitude": lat, "longitude": lng}
            body["locationBias"] = {"circle": {"center": center, "radius": radius_m}}
        url = f"{s.base_url.rstrip('/')}/v1/places:searchText"
        headers = {"X-Goog-FieldMask": ",".join(mask)}
        places: list[PlaceSummary] = []
        seen: set[str] = set()
        pages = 0
        token: str | None = None
        while True:
            # Google binds a page token to the request that produced it: only pageToken may change.
            page_body = body if token is None else {**body, "pageToken": token}
            data = await self._open_http.call(
                ApiCall("searchText", "POST", url, legacy=False, json_body=page_body, headers=headers)
            )
            pages += 1
            self._collect(data.get("places"), new_summary, places, seen, max_results)
            next_token = data.get("nextPageToken")
            if len(places) >= max_results or not isinstance(next_token, str) or not next_token:
                return places, pages
            token = next_token
            if s.new_token_delay > 0:
                await self._sleep(s.new_token_delay)

    async def _search_legacy(
        self, query: str, bias: tuple[float, float, float] | None, max_results: int
    ) -> tuple[list[PlaceSummary], int]:
        s = self.settings
        url = f"{s.legacy_base_url.rstrip('/')}/maps/api/place/textsearch/json"
        params: dict[str, str] = {"query": query}
        if bias is not None:
            lat, lng, radius_m = bias
            params["location"] = f"{lat:.7f},{lng:.7f}"
            params["radius"] = str(int(round(radius_m)))
        if s.language_code:
            params["language"] = s.language_code
        if s.region_code:
            params["region"] = s.region_code.lower()
        places: list[PlaceSummary] = []
        seen: set[str] = set()
        pages = 0
        call = ApiCall("legacy textsearch", "GET", url, legacy=True, params=params)
        while True:
            data = await self._open_http.call(call)
            pages += 1
            self._collect(data.get("results"), legacy_summary, places, seen, max_results)
            token = data.get("next_page_token")
            if len(places) >= max_results or not isinstance(token, str) or not token:
                return places, pages
            # The token is not valid for a moment after it is issued; waiting first saves a round trip.
            if s.legacy_token_delay > 0:
                await self._sleep(s.legacy_token_delay)
            call = ApiCall(
                "legacy textsearch", "GET", url, legacy=True, params={"pagetoken": token}, token_request=True
            )

    @staticmethod
    def _collect(
        raw: Any,
        parse: Callable[[Any], PlaceSummary | None],
        places: list[PlaceSummary],
        seen: set[str],
        limit: int,
    ) -> None:
        if not isinstance(raw, list):
            return
        for item in raw:
            if len(places) >= limit:
                return
            summary = parse(item) if isinstance(item, dict) else None
            if summary is None or summary.place_id in seen:
                continue
            seen.add(summary.place_id)
            places.append(summary)

    async def place_details(self, place_id: str) -> PlaceDetails:
        """Details of one place; PlacesError(kind="not_found") when Google does not know the id."""
        pid = place_id.strip()
        if pid.startswith("places/"):
            pid = pid[len("places/"):]
        if not pid:
            raise ValueError("place_id is empty")
        s = self.settings
        if s.api == "legacy":
            params = {"place_id": pid, "fields": ",".join(s.legacy_details_fields)}
            if s.language_code:
                params["language"] = s.language_code
            if s.region_code:
                params["region"] = s.region_code.lower()
            url = f"{s.legacy_base_url.rstrip('/')}/maps/api/place/details/json"
            data = await self._open_http.call(
                ApiCall("legacy details", "GET", url, legacy=True, params=params)
            )
            result = data.get("result")
            if data.get("status") == "ZERO_RESULTS" or not isinstance(result, dict):
                raise PlacesError(
                    f"Places legacy details: place {pid} no longer exists ({data.get('status')})",
                    kind="not_found",
                    operation="legacy details",
                    http_status=200,
                    api_status=str(data.get("status")),
                )
            return legacy_details(result, pid)
        query: dict[str, str] = {}
        if s.language_code:
            query["languageCode"] = s.language_code
        if s.region_code:
            query["regionCode"] = s.region_code
        url = f"{s.base_url.rstrip('/')}/v1/places/{quote(pid, safe='')}"
        data = await self._open_http.call(
            ApiCall(
                "details",
                "GET",
                url,
                legacy=False,
                params=query or None,
                headers={"X-Goog-FieldMask": ",".join(s.details_field_mask)},
            )
        )
        return new_details(data, pid)
