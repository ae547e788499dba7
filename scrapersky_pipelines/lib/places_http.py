"""HTTP layer of the Places client: key injection, bounded requests, error classification, retries.

The API key is added by a transport wrapper at the last moment, so no `httpx.Request` the client
sees, logs or attaches to an exception ever carries it; error text and returned data are redacted
as a second line of defence.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from scrapersky_pipelines.lib.places_records import PlacesError, PlacesSettings, redact, redact_data

logger = logging.getLogger("scrapersky_pipelines.lib.places")

_KEY_EXTENSION = "scrapersky_places_key"
_TAGS = re.compile(r"<[^>]*>")
_RETRYABLE_LEGACY = {"OVER_QUERY_LIMIT": "quota", "UNKNOWN_ERROR": "server"}
_FINAL_LEGACY = {
    "REQUEST_DENIED": "denied",
    "INVALID_REQUEST": "invalid_request",
    "NOT_FOUND": "not_found",
}


class ApiKeyTransport(httpx.AsyncBaseTransport):
    """Adds the key (header or `key=` query parameter) to a private copy of each outgoing request."""

    def __init__(self, inner: httpx.AsyncBaseTransport, api_key: str) -> None:
        self._inner = inner
        self._key = api_key

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        mode = request.extensions.get(_KEY_EXTENSION)
        if mode is None:
            return await self._inner.handle_async_request(request)
        url, headers = request.url, request.headers.copy()
        if mode == "query":
            url = url.copy_add_param("key", self._key)
        else:
            headers["X-Goog-Api-Key"] = self._key
        extensions = {k: v for k, v in request.extensions.items() if k != _KEY_EXTENSION}
        keyed = httpx.Request(
            request.method, url, headers=headers, stream=request.stream, extensions=extensions
        )
        return await self._inner.handle_async_request(keyed)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __repr__(self) -> str:
        return f"ApiKeyTransport({self._inner!r})"


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One logical request; `legacy` selects key-as-query-param and status-in-body handling."""

    operation: str
    method: str
    url: str
    legacy: bool
    params: Mapping[str, str] | None = None
    json_body: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    #: A legacy page-token request: a premature INVALID_REQUEST is retried after a wait.
    token_request: bool = False


@dataclass(frozen=True, slots=True)
class _Failure:
    kind: str
    detail: str
    retryable: bool
    http_status: int | None = None
    api_status: str | None = None
    retry_after: float | None = None


class _TooLarge(Exception):
    pass


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Full jitter: uniform over [0, min(cap, base * 2**(attempt - 1))]."""
    return rng.uniform(0.0, min(cap, base * (2 ** max(0, attempt - 1))))


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # HTTP-date form: fall back to our own backoff


def _http_failure(status: int, headers: httpx.Headers, data: Any, text: str) -> _Failure:
    detail, api_status = "", None
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict):
        detail = str(err.get("message") or "")
        api_status = str(err["status"]) if err.get("status") else None
    elif isinstance(data, dict) and data.get("error_message"):
        detail, api_status = str(data["error_message"]), data.get("status")
    else:
        detail = " ".join(_TAGS.sub(" ", text).split())[:200]
    if status == 400:
        kind, retryable = "invalid_request", False
    elif status in (401, 403):
        kind, retryable = "denied", False
    elif status == 404:
        kind, retryable = "not_found", False
    elif status == 429:
        kind, retryable = "quota", True
    elif status == 408:
        kind, retryable = "network", True
    elif status >= 500:
        kind, retryable = "server", True
    else:
        kind, retryable = "http", False
    return _Failure(kind, detail, retryable, status, api_status, _retry_after(headers))


class PlacesHttp:
    """Runs `ApiCall`s with timeouts, a concurrency cap and the retry policy; returns JSON objects."""

    def __init__(
        self,
        settings: PlacesSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._s = settings
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._sem = asyncio.Semaphore(max(1, settings.max_concurrency))
        inner = transport or httpx.AsyncHTTPTransport(retries=0, trust_env=False)
        self._client = httpx.AsyncClient(
            transport=ApiKeyTransport(inner, settings.api_key),
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers={"User-Agent": settings.user_agent, "Accept": "application/json"},
            follow_redirects=False,
            trust_env=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _redact(self, text: str) -> str:
        return redact(text, self._s.api_key)

    async def call(self, call: ApiCall) -> dict[str, Any]:
        """The JSON object of a successful answer (legacy OK/ZERO_RESULTS), else PlacesError."""
        s = self._s
        attempts = budget_used = malformed_seen = token_waits = 0
        while True:
            attempts += 1
            outcome = await self._attempt(call)
            if isinstance(outcome, dict):
                return outcome
            f = outcome
            if f.kind == "invalid_request" and call.token_request and token_waits < s.token_retries:
                # Legacy page tokens become valid a moment after they are issued.
                token_waits += 1
                logger.info(
                    "places %s: page token not valid yet, waiting %.2fs (%d/%d)",
                    call.operation, s.token_retry_delay, token_waits, s.token_retries,
                )
                await self._sleep(s.token_retry_delay)
                continue
            budget_used += 1
            if f.kind == "malformed_response":
                malformed_seen += 1
            can_retry = (
                f.retryable
                and budget_used < s.max_attempts
                and not (f.kind == "malformed_response" and malformed_seen > 1)
            )
            if not can_retry:
                raise self._error(call, f, attempts)
            delay = backoff_delay(budget_used, s.backoff_base, s.backoff_max, self._rng)
            if f.retry_after is not None:
                delay = max(delay, min(f.retry_after, s.backoff_max))
            logger.warning(
                "places %s attempt %d failed (%s%s): %s; retrying in %.3fs",
                call.operation, attempts, f.kind,
                f", HTTP {f.http_status}" if f.http_status else "",
                self._redact(f.detail)[:300], delay,
            )
            await self._sleep(delay)

    def _error(self, call: ApiCall, f: _Failure, attempts: int) -> PlacesError:
        where = ", ".join(
            p for p in (f"HTTP {f.http_status}" if f.http_status else "", f.api_status or "") if p
        )
        message = f"Places {call.operation} failed after {attempts} attempt(s): {f.kind}"
        if where:
            message += f" ({where})"
        if f.detail:
            message += f": {f.detail}"
        return PlacesError(
            self._redact(message),
            kind=f.kind,
            operation=call.operation,
            http_status=f.http_status,
            api_status=f.api_status,
            attempts=attempts,
        )

    async def _attempt(self, call: ApiCall) -> dict[str, Any] | _Failure:
        try:
            async with self._sem:
                # The clock starts once a slot is free: waiting for one is not the request's fault.
                async with asyncio.timeout(self._s.total_timeout):
                    status, headers, body = await self._send(call)
        except _TooLarge:
            return _Failure("response_too_large", f"body over {self._s.max_response_bytes} bytes", False)
        except (httpx.TimeoutException, TimeoutError) as exc:
            return _Failure("network", f"timed out ({type(exc).__name__})", True)
        except httpx.TransportError as exc:
            return _Failure("network", f"{type(exc).__name__}: {exc}", True)
        return self._classify(call, status, headers, body)

    async def _send(self, call: ApiCall) -> tuple[int, httpx.Headers, bytes]:
        cap = self._s.max_response_bytes
        async with self._client.stream(
            call.method,
            call.url,
            params=dict(call.params) if call.params else None,
            json=call.json_body,
            headers=dict(call.headers),
            extensions={_KEY_EXTENSION: "query" if call.legacy else "header"},
        ) as resp:
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise _TooLarge
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise _TooLarge
                chunks.append(chunk)
            return resp.status_code, resp.headers, b"".join(chunks)

    def _classify(
        self, call: ApiCall, status: int, headers: httpx.Headers, body: bytes
    ) -> dict[str, Any] | _Failure:
        text = body.decode("utf-8", errors="replace")
        try:
            data: Any = json.loads(text) if text.strip() else None
        except ValueError:
            data = None
        if status != 200:
            return _http_failure(status, headers, data, text)
        if not isinstance(data, dict):
            snippet = " ".join(text.split())[:120]
            return _Failure("malformed_response", f"expected a JSON object, got {snippet!r}", True, status)
        if self._s.api_key in text:
            data = redact_data(data, self._s.api_key)
        if not call.legacy:
            return data
        api_status = data.get("status")
        if api_status in ("OK", "ZERO_RESULTS"):
            return data
        detail = str(data.get("error_message") or "")
        if not isinstance(api_status, str):
            return _Failure("malformed_response", "legacy answer has no status", True, status)
        if api_status in _RETRYABLE_LEGACY:
            return _Failure(_RETRYABLE_LEGACY[api_status], detail, True, status, api_status)
        return _Failure(_FINAL_LEGACY.get(api_status, "api_error"), detail, False, status, api_status)
