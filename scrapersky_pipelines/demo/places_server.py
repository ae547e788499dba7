"""Fake Google Places API (New and legacy) on loopback, with Google's rules and injectable faults.

Rules it enforces: an API key (403 / REQUEST_DENIED otherwise), a field mask on Places (New) calls
(400 when missing or naming an unknown field; only masked fields come back; "*" allowed), page
tokens bound to the request that produced them (400 INVALID_ARGUMENT / INVALID_REQUEST when reused
with different parameters), a not-yet-valid window on fresh tokens, at most 3 pages and 60 results.

Faults on demand, by text query: "quota" answers 429 / OVER_QUERY_LIMIT for the first
`quota_failures` calls of that query and then recovers; "badkey" answers 403 / REQUEST_DENIED (as
does any key other than the server's, e.g. "bad-key"); "boom" answers 500; "garbage" answers
malformed JSON; "nothing" finds nothing. `fail_next(n, status)` makes the next n calls fail.

Run it: ``python -m scrapersky_pipelines.demo.places_server --port 8765``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import secrets
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web

from scrapersky_pipelines.demo.places_data import (
    decode_place_id,
    encode_place_id,
    make_place,
    normalise_query,
    site_pool,
    to_legacy,
)
from scrapersky_pipelines.demo.places_wire import (
    LEGACY_BY_HTTP,
    LEGACY_FIELDS,
    MAX_PAGE_SIZE,
    MAX_PAGES,
    MAX_RESULTS,
    NAMED_FAULTS,
    MaskError,
    apply_mask,
    google_error,
    legacy_status,
    malformed,
    parse_field_mask,
    server_error_page,
)

logger = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """What one call asked for and how the server answered (never the key)."""

    api: str  # "new" | "legacy"
    endpoint: str  # "search" | "details"
    query: str | None
    place_id: str | None
    with_token: bool
    outcome: str  # "ok", "zero", "denied", "quota", "boom", "garbage", "injected", "bad_mask", ...
    http_status: int


@dataclass(slots=True)
class _PageToken:
    api: str
    bound: str  # canonical request parameters the token belongs to
    seed: str
    offset: int
    page_size: int
    valid_from: float
    page: int = 2  # the page number this token unlocks


class _Reject(Exception):
    """Ends a request early with a ready response and an outcome label."""

    def __init__(self, response: web.StreamResponse, outcome: str) -> None:
        super().__init__(outcome)
        self.response = response
        self.outcome = outcome


class FakePlacesServer:
    """The fake API. Use `async with`/`await start()` inside a loop, or `with` to run it in a thread."""

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        api_key: str = "test-key",
        token_delay: float = 2.0,
        new_token_delay: float = 0.0,
        places_per_query: int = MAX_RESULTS,
        quota_failures: int = 2,
        site_count: int = 200,
        site_seed: int = 0,
    ) -> None:
        self.host = host
        self.port = port
        self.api_key = api_key
        #: Seconds before a legacy next_page_token may be used (Google: "a short delay").
        self.token_delay = token_delay
        #: Same for Places (New) nextPageToken; Google enforces none, so 0 by default.
        self.new_token_delay = new_token_delay
        self.places_per_query = places_per_query
        self.quota_failures = quota_failures
        self.site_count = site_count
        self.site_seed = site_seed
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._tokens: dict[str, _PageToken] = {}
        self._quota_seen: dict[str, int] = {}
        self._result_counts: dict[str, int] = {}
        self._injected: deque[tuple[int | str, str | None]] = deque()
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # ----- control API (thread-safe) -------------------------------------------------------

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def fail_next(self, n: int, status: int | str = 500, *, endpoint: str | None = None) -> None:
        """Make the next `n` calls (of `endpoint` "search"/"details", or any) fail with `status`.

        `status` is an HTTP code (legacy calls get the matching legacy status, or the HTTP error for
        5xx), a legacy status name such as "OVER_QUERY_LIMIT" or "UNKNOWN_ERROR", or "garbage" for
        a malformed JSON body.
        """
        if endpoint not in (None, "search", "details"):
            raise ValueError("endpoint must be 'search', 'details' or None")
        with self._lock:
            self._injected.extend([(status, endpoint)] * n)

    def set_result_count(self, query: str, count: int) -> None:
        """How many places a text query finds (default `places_per_query`)."""
        with self._lock:
            self._result_counts[normalise_query(query)] = max(0, count)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._tokens.clear()
            self._quota_seen.clear()
            self._injected.clear()

    def count(
        self, *, outcome: str | None = None, endpoint: str | None = None, query: str | None = None
    ) -> int:
        """Recorded requests matching every given filter (`query` matches the normalised query)."""
        q = normalise_query(query) if query is not None else None
        with self._lock:
            return sum(
                1
                for r in self.requests
                if (outcome is None or r.outcome == outcome)
                and (endpoint is None or r.endpoint == endpoint)
                and (q is None or r.query == q)
            )

    def places_for(self, query: str) -> list[dict[str, Any]]:
        """Every place the query can return, in order, as full Places (New) JSON."""
        seed = normalise_query(query)
        return [make_place(seed, i, self._pool()) for i in range(self._total(seed))]

    # ----- lifecycle ---------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/places:searchText", self._new_search)
        app.router.add_get("/v1/places/{place_id}", self._new_details)
        app.router.add_get("/maps/api/place/textsearch/json", self._legacy_search)
        app.router.add_get("/maps/api/place/details/json", self._legacy_details)
        return app

    async def start(self) -> None:
        # No access log: legacy request lines carry the key as a query parameter.
        runner = web.AppRunner(self._app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakePlacesServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start_in_thread(self) -> None:
        """Serve from a daemon thread with its own event loop (for synchronous callers and tests)."""
        if self._thread is not None:
            raise RuntimeError("already running")
        loop = asyncio.new_event_loop()
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # handed to the starting thread
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        thread = threading.Thread(target=run, name="fake-places-server", daemon=True)
        thread.start()
        started.wait(30)
        if failure:
            thread.join(5)
            raise failure[0]
        self._loop, self._thread = loop, thread

    def stop_thread(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        self._thread = self._loop = None

    def __enter__(self) -> FakePlacesServer:
        self.start_in_thread()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop_thread()

    # ----- shared request logic ----------------------------------------------------------

    def _pool(self) -> tuple[str, ...]:
        return site_pool(self.site_count, self.site_seed)

    def _total(self, seed: str) -> int:
        if "nothing" in seed:
            return 0
        with self._lock:
            return min(MAX_RESULTS, self._result_counts.get(seed, self.places_per_query))

    def _record(
        self, api: str, endpoint: str, query: str | None, place_id: str | None, with_token: bool,
        outcome: str, http_status: int,
    ) -> None:
        with self._lock:
            self.requests.append(
                RecordedRequest(api, endpoint, query, place_id, with_token, outcome, http_status)
            )
        logger.debug(
            "fake places %s %s %s -> %s (%d)", api, endpoint, query or place_id, outcome, http_status
        )

    def _check_key(self, api: str, key: str | None, query: str | None) -> None:
        if not key:
            message = "The request is missing a valid API key."
        elif key != self.api_key or key == "bad-key" or (query and "badkey" in query):
            # Echoes the key on purpose, so clients must prove they redact error text.
            message = f"API key not valid. Please pass a valid API key. (key={key})"
        else:
            return
        if api == "new":
            raise _Reject(google_error(403, message), "denied")
        raise _Reject(legacy_status("REQUEST_DENIED", message), "denied")

    def _take_injected(self, api: str, endpoint: str) -> None:
        with self._lock:
            if not self._injected or self._injected[0][1] not in (None, endpoint):
                return
            status, _ = self._injected.popleft()
        legacy_key = "results" if endpoint == "search" else "result"
        message = f"Injected failure {status}"
        if status == "garbage":
            raise _Reject(malformed(), "injected")
        if isinstance(status, str):
            http, google = NAMED_FAULTS.get(status.upper(), (500, "INTERNAL"))
            if api == "new":
                raise _Reject(google_error(http, message, google), "injected")
            raise _Reject(legacy_status(status.upper(), message, result_key=legacy_key), "injected")
        if api == "new":
            raise _Reject(google_error(status, message), "injected")
        if status in LEGACY_BY_HTTP:
            legacy = LEGACY_BY_HTTP[status]
            raise _Reject(legacy_status(legacy, message, result_key=legacy_key), "injected")
        raise _Reject(server_error_page(status), "injected")

    def _query_faults(self, api: str, seed: str) -> None:
        if "boom" in seed:
            if api == "new":
                raise _Reject(google_error(500, "Internal error encountered."), "boom")
            raise _Reject(server_error_page(500), "boom")
        if "garbage" in seed:
            raise _Reject(malformed(), "garbage")
        if "quota" in seed:
            with self._lock:
                seen = self._quota_seen.get(seed, 0)
                exhausted = seen < self.quota_failures
                if exhausted:
                    self._quota_seen[seed] = seen + 1
            if exhausted:
                message = "Quota exceeded for quota metric 'Text Search requests' and limit 'per minute'."
                if api == "new":
                    raise _Reject(google_error(429, message), "quota")
                raise _Reject(legacy_status("OVER_QUERY_LIMIT", message), "quota")

    def _issue_token(self, api: str, bound: str, seed: str, offset: int, page_size: int, page: int) -> str:
        token = secrets.token_urlsafe(24)
        delay = self.token_delay if api == "legacy" else self.new_token_delay
        with self._lock:
            self._tokens[token] = _PageToken(api, bound, seed, offset, page_size, time.monotonic() + delay, page)
        return token

    def _page(self, seed: str, offset: int, size: int) -> tuple[list[dict[str, Any]], bool]:
        total = self._total(seed)
        end = min(offset + size, total)
        pool = self._pool()
        return [make_place(seed, i, pool) for i in range(offset, end)], end < total

    @staticmethod
    def _parse_mask(request: web.Request, *, search: bool) -> dict[str, Any]:
        raw = request.headers.get("X-Goog-FieldMask") or request.query.get("fields")
        raw = raw or request.query.get("$fields")
        try:
            return parse_field_mask(raw, search=search)
        except MaskError as exc:
            raise _Reject(google_error(400, str(exc)), exc.outcome) from None

    # ----- Places API (New) -------------------------------------------------------------

    async def _new_search(self, request: web.Request) -> web.StreamResponse:
        seed: str | None = None
        with_token = False
        try:
            try:
                body = await request.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                body = None
            if isinstance(body, dict) and isinstance(body.get("textQuery"), str):
                seed = normalise_query(body["textQuery"])
            with_token = isinstance(body, dict) and bool(body.get("pageToken"))
            self._check_key("new", request.headers.get("X-Goog-Api-Key") or request.query.get("key"), seed)
            self._take_injected("new", "search")
            tree = self._parse_mask(request, search=True)
            if not isinstance(body, dict):
                raise _Reject(google_error(400, "Invalid JSON payload received."), "bad_request")
            if not seed:
                message = "Invalid 'text_query'. 'text_query' must not be empty."
                raise _Reject(google_error(400, message), "bad_request")
            page_size = body.get("pageSize", body.get("maxResultCount", 0))
            if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 0:
                message = "Invalid page_size: must be a non-negative integer."
                raise _Reject(google_error(400, message), "bad_request")
            page_size = min(page_size or MAX_PAGE_SIZE, MAX_PAGE_SIZE)
            self._query_faults("new", seed)
            bound = json.dumps({k: v for k, v in body.items() if k != "pageToken"}, sort_keys=True)
            offset, page = self._use_token("new", body.get("pageToken"), bound) if with_token else (0, 1)
            places, more = self._page(seed, offset, page_size)
            payload: dict[str, Any] = {"places": places} if places else {}
            if more and page < MAX_PAGES:
                next_offset = offset + len(places)
                payload["nextPageToken"] = self._issue_token("new", bound, seed, next_offset, page_size, page + 1)
            self._record("new", "search", seed, None, with_token, "ok" if places else "zero", 200)
            return web.json_response(apply_mask(payload, tree))
        except _Reject as rej:
            self._record("new", "search", seed, None, with_token, rej.outcome, rej.response.status)
            return rej.response

    def _use_token(self, api: str, token: Any, bound: str) -> tuple[int, int]:
        """(offset, page number) of a valid token for this request; rejects misuse like Google does."""
        with self._lock:
            entry = self._tokens.get(token) if isinstance(token, str) else None
        if entry is None or entry.api != api:
            raise self._token_error(api, "Invalid page token.", "bad_token")
        if entry.bound != bound:
            raise self._token_error(
                api,
                "The page token does not match the request: only the page token may change between pages.",
                "token_mismatch",
            )
        if time.monotonic() < entry.valid_from:
            raise self._token_error(api, "The page token is not valid yet.", "premature_token")
        return entry.offset, entry.page

    @staticmethod
    def _token_error(api: str, message: str, outcome: str) -> _Reject:
        if api == "new":
            return _Reject(google_error(400, message), outcome)
        return _Reject(legacy_status("INVALID_REQUEST", message), outcome)

    async def _new_details(self, request: web.Request) -> web.StreamResponse:
        place_id = request.match_info["place_id"]
        try:
            self._check_key("new", request.headers.get("X-Goog-Api-Key") or request.query.get("key"), None)
            self._take_injected("new", "details")
            tree = self._parse_mask(request, search=False)
            place = self._lookup(place_id)
            if place is None:
                message = f"Requested entity was not found. (place {place_id})"
                raise _Reject(google_error(404, message), "not_found")
            self._record("new", "details", None, place_id, False, "ok", 200)
            return web.json_response(apply_mask(place, tree))
        except _Reject as rej:
            self._record("new", "details", None, place_id, False, rej.outcome, rej.response.status)
            return rej.response

    def _lookup(self, place_id: str) -> dict[str, Any] | None:
        decoded = decode_place_id(place_id)
        if decoded is None:
            return None
        seed, index = decoded
        if index >= self._total(seed) or encode_place_id(seed, index) != place_id:
            return None
        return make_place(seed, index, self._pool())

    # ----- legacy API --------------------------------------------------------------------

    async def _legacy_search(self, request: web.Request) -> web.StreamResponse:
        q = request.query
        token = q.get("pagetoken")
        params = {k: v for k, v in q.items() if k not in ("key", "pagetoken")}
        with self._lock:
            entry = self._tokens.get(token) if token else None
        seed = entry.seed if entry is not None else normalise_query(q["query"]) if q.get("query") else None
        try:
            self._check_key("legacy", q.get("key"), seed)
            self._take_injected("legacy", "search")
            if token:
                # Only pagetoken (+ key) is needed; anything else sent along must match the original.
                sent = json.dumps(params, sort_keys=True) if params else (entry.bound if entry else "")
                offset, page = self._use_token("legacy", token, sent)
                assert entry is not None
                bound = entry.bound
            else:
                if not seed:
                    response = legacy_status("INVALID_REQUEST", "Missing the query parameter.")
                    raise _Reject(response, "bad_request")
                bound, offset, page = json.dumps(params, sort_keys=True), 0, 1
            assert seed is not None
            self._query_faults("legacy", seed)
            places, more = self._page(seed, offset, MAX_PAGE_SIZE)
            payload: dict[str, Any] = {
                "html_attributions": [],
                "results": [to_legacy(p, details=False) for p in places],
                "status": "OK" if places else "ZERO_RESULTS",
            }
            if more and page < MAX_PAGES:
                payload["next_page_token"] = self._issue_token(
                    "legacy", bound, seed, offset + len(places), MAX_PAGE_SIZE, page + 1
                )
            self._record("legacy", "search", seed, None, bool(token), "ok" if places else "zero", 200)
            return web.json_response(payload)
        except _Reject as rej:
            self._record("legacy", "search", seed, None, bool(token), rej.outcome, rej.response.status)
            return rej.response

    async def _legacy_details(self, request: web.Request) -> web.StreamResponse:
        q = request.query
        place_id = q.get("place_id") or ""
        try:
            self._check_key("legacy", q.get("key"), None)
            self._take_injected("legacy", "details")
            if not place_id:
                response = legacy_status(
                    "INVALID_REQUEST", "Missing the place_id parameter.", result_key="result"
                )
                raise _Reject(response, "bad_request")
            keys: set[str] | None = None
            sub_geometry: set[str] = set()
            if q.get("fields"):
                keys = set()
                for name in (f.strip() for f in q["fields"].split(",")):
                    if name not in LEGACY_FIELDS:
                        raise _Reject(
                            legacy_status(
                                "INVALID_REQUEST",
                                f"Error while parsing 'fields' parameter: Unsupported field name '{name}'.",
                                result_key="result",
                            ),
                            "bad_fields",
                        )
                    keys.update(LEGACY_FIELDS[name])
                    if name.startswith("geometry/"):
                        sub_geometry.add(name.split("/", 1)[1])
                    elif name == "geometry":
                        sub_geometry.update(("location", "viewport"))
            place = self._lookup(place_id)
            if place is None:
                raise _Reject(legacy_status("NOT_FOUND", result_key="result"), "not_found")
            result = to_legacy(place, details=True)
            if keys is not None:
                result = {k: v for k, v in result.items() if k in keys}
                if "geometry" in result:
                    result["geometry"] = {k: v for k, v in result["geometry"].items() if k in sub_geometry}
            self._record("legacy", "details", None, place_id, False, "ok", 200)
            return web.json_response({"html_attributions": [], "result": result, "status": "OK"})
        except _Reject as rej:
            self._record("legacy", "details", None, place_id, False, rej.outcome, rej.response.status)
            return rej.response


async def _serve(args: argparse.Namespace) -> None:
    server = FakePlacesServer(
        args.port,
        host=args.host,
        api_key=args.api_key,
        token_delay=args.token_delay,
        places_per_query=args.places_per_query,
        site_count=args.site_count,
        site_seed=args.site_seed,
    )
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    print(f"fake Google Places API listening on {server.base_url}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Serve a fake Google Places API (New and legacy) on loopback."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--api-key", default="test-key")
    parser.add_argument(
        "--token-delay", type=float, default=2.0, help="seconds before a legacy page token is valid"
    )
    parser.add_argument("--places-per-query", type=int, default=MAX_RESULTS)
    parser.add_argument("--site-count", type=int, default=200, help="size of the synthetic web to link to")
    parser.add_argument("--site-seed", type=int, default=0)
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
