"""Google Places resource (key from an EnvVar, configurable base URLs and API flavour) and the curation policy.

The key is only ever handed to `lib.places`, which adds it to requests at the transport layer and
redacts it from every message; Dagster shows `GOOGLE_PLACES_API_KEY` (the variable's name) in the UI.
"""

import os

import dagster as dg

from scrapersky_pipelines.lib.places import PlacesClient, PlacesSettings

API_KEY_ENV = "GOOGLE_PLACES_API_KEY"
BASE_URL_ENV = "SCRAPERSKY_PLACES_BASE_URL"
LEGACY_BASE_URL_ENV = "SCRAPERSKY_PLACES_LEGACY_BASE_URL"
API_ENV = "SCRAPERSKY_PLACES_API"
AUTO_SELECT_ENV = "SCRAPERSKY_AUTO_SELECT"

_DEFAULTS = PlacesSettings(api_key="unused")


class PlacesResource(dg.ConfigurableResource):
    """Google Places: Places API (New) by default, the legacy Text Search / Details API with api="legacy"."""

    api_key: str = ""
    base_url: str = _DEFAULTS.base_url
    legacy_base_url: str = _DEFAULTS.legacy_base_url
    api: str = "new"
    max_attempts: int = _DEFAULTS.max_attempts
    backoff_base: float = _DEFAULTS.backoff_base
    backoff_max: float = _DEFAULTS.backoff_max
    connect_timeout: float = _DEFAULTS.connect_timeout
    timeout: float = _DEFAULTS.timeout
    total_timeout: float = _DEFAULTS.total_timeout
    max_concurrency: int = _DEFAULTS.max_concurrency
    legacy_token_delay: float = _DEFAULTS.legacy_token_delay
    token_retries: int = _DEFAULTS.token_retries
    token_retry_delay: float = _DEFAULTS.token_retry_delay
    default_radius_km: float = _DEFAULTS.default_radius_km
    language_code: str | None = None
    region_code: str | None = None

    def settings(self) -> PlacesSettings:
        if not self.api_key:
            raise dg.Failure(f"no Google Places API key: set {API_KEY_ENV}")
        return PlacesSettings(
            api_key=self.api_key,
            base_url=self.base_url,
            legacy_base_url=self.legacy_base_url,
            api=self.api,  # type: ignore[arg-type]  # validated by PlacesSettings
            max_attempts=self.max_attempts,
            backoff_base=self.backoff_base,
            backoff_max=self.backoff_max,
            connect_timeout=self.connect_timeout,
            timeout=self.timeout,
            total_timeout=self.total_timeout,
            max_concurrency=self.max_concurrency,
            legacy_token_delay=self.legacy_token_delay,
            token_retries=self.token_retries,
            token_retry_delay=self.token_retry_delay,
            default_radius_km=self.default_radius_km,
            language_code=self.language_code,
            region_code=self.region_code,
        )

    def client(self) -> PlacesClient:
        """A client to open with `async with` inside one op's event loop."""
        return PlacesClient(self.settings())


class CurationPolicy(dg.ConfigurableResource):
    """Selections made without a person (default off): lets a demo flow from a search to contacts unattended.

    `auto_select_places`: places found by a search become Selected (their deep scan is queued).
    `auto_select_businesses`: deep-scanned businesses become Selected (domain extraction is queued).
    Rows a person already curated (anything but New) are never touched.
    """

    auto_select_places: bool = False
    auto_select_businesses: bool = False


def _auto_select_flags(raw: str | None) -> tuple[bool, bool]:
    """`SCRAPERSKY_AUTO_SELECT`: "1"/"true"/"all" for both, or a comma list of "places", "businesses"."""
    words = {w.strip().lower() for w in (raw or "").split(",") if w.strip()}
    if words & {"1", "true", "yes", "on", "all"}:
        return True, True
    return "places" in words, bool(words & {"businesses", "local_businesses"})


def build_places_resources() -> dict:
    """The `places` and `curation_policy` resources, configured from the environment."""
    base = os.environ.get(BASE_URL_ENV)
    legacy = os.environ.get(LEGACY_BASE_URL_ENV) or base
    places = PlacesResource(
        # An EnvVar keeps the value out of run config and the UI; unset, stages fail with a clear message.
        api_key=dg.EnvVar(API_KEY_ENV) if os.environ.get(API_KEY_ENV) else "",
        base_url=base or _DEFAULTS.base_url,
        legacy_base_url=legacy or _DEFAULTS.legacy_base_url,
        api=os.environ.get(API_ENV, "new"),
    )
    select_places, select_businesses = _auto_select_flags(os.environ.get(AUTO_SELECT_ENV))
    return {
        "places": places,
        "curation_policy": CurationPolicy(
            auto_select_places=select_places, auto_select_businesses=select_businesses
        ),
    }
