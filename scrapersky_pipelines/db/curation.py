"""Curation, the dual-status pattern: set an entity's curation status by ids or by a whitelisted filter.

Setting Selected queues the entity's next stage in the same transaction; any other value never
queues. Filters name whitelisted columns only and their values are bound parameters converted to the
column's type, so nothing a user types is ever interpolated into SQL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from . import queue
from .batches import StageReport
from .enums import CurationStatus
from .models import Base, Domain, LocalBusiness, Page, Place, SitemapFile
from .stages import QUEUES

CHUNK = 5_000


class CurationError(ValueError):
    """A curation request that cannot be run (unknown entity, status or filter); the message says why."""


@dataclass(frozen=True)
class CurationTarget:
    """One curatable entity: its table, the stage Selected queues, and what may be filtered on."""

    entity: str
    model: type[Base]
    next_stage: str
    #: Column matched by non-numeric `ids` (a Google place id, a domain name, a URL).
    natural_key: str
    filters: tuple[str, ...]
    #: Whether Selected queues rows whose next stage already finished (False: only never-run or Error).
    requeue_done: bool = True

    @property
    def table(self) -> sa.Table:
        return self.model.__table__


TARGETS: dict[str, CurationTarget] = {
    t.entity: t
    for t in (
        CurationTarget(
            "places", Place, "deep_scan", "place_id",
            ("curation_status", "deep_scan_status", "search_id", "business_type", "primary_type",
             "business_status", "search_location", "search_query"),
            requeue_done=False,
        ),
        CurationTarget(
            "local_businesses", LocalBusiness, "domain_extraction", "place_id",
            ("curation_status", "extraction_status", "city", "state", "postal_code", "country",
             "primary_category", "business_status", "domain_id"),
        ),
        CurationTarget(
            "domains", Domain, "domain_scan", "domain",
            ("domain", "curation_status", "scan_status", "sitemap_status", "crawl_status", "source",
             "submit_batch", "local_business_id", "language", "http_status"),
        ),
        CurationTarget(
            "sitemap_files", SitemapFile, "sitemap_import", "url",
            ("curation_status", "import_status", "domain_id", "kind", "discovery_method", "parent_id",
             "is_gzip"),
        ),
        CurationTarget(
            "pages", Page, "page_scrape", "url",
            ("curation_status", "scrape_status", "domain_id", "sitemap_file_id", "category",
             "contact_status", "source", "depth"),
        ),
    )
}
for _t in TARGETS.values():  # a wrong pairing would queue the wrong table's ids
    assert QUEUES[_t.next_stage].model is _t.model, _t

ALIASES = {
    "place": "places",
    "local_business": "local_businesses",
    "business": "local_businesses",
    "businesses": "local_businesses",
    "domain": "domains",
    "sitemap_file": "sitemap_files",
    "sitemap": "sitemap_files",
    "sitemaps": "sitemap_files",
    "page": "pages",
}


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-]", "", text).lower()


def target(entity: str) -> CurationTarget:
    name = entity.strip().lower().replace("-", "_")
    name = ALIASES.get(name, name)
    if name not in TARGETS:
        raise CurationError(f"unknown entity {entity!r}; choose one of {', '.join(TARGETS)}")
    return TARGETS[name]


def parse_status(text: str) -> CurationStatus:
    """A curation status from its value or name, ignoring case, spaces, '_' and '-' ("not a fit" works)."""
    key = _squash(text)
    for status in CurationStatus:
        if key in (_squash(status.value), _squash(status.name)):
            return status
    raise CurationError(f"unknown status {text!r}; choose one of {', '.join(s.value for s in CurationStatus)}")


@dataclass(frozen=True)
class Filter:
    """`column = value` (or `column IS NULL` when value is None), value already of the column's type."""

    column: str
    value: Any

    def clause(self, table: sa.Table) -> sa.ColumnElement[bool]:
        col = table.c[self.column]
        return col.is_(None) if self.value is None else col == self.value


def _convert(col: sa.Column, raw: str) -> Any:
    if raw.strip().lower() == "null":
        return None
    kind = col.type
    if isinstance(kind, sa.Enum):
        for value in kind.enums:
            if _squash(value) == _squash(raw):
                return value
        raise CurationError(f"{col.name} must be one of {', '.join(kind.enums)} or null, not {raw!r}")
    if isinstance(kind, sa.Boolean):
        lowered = raw.strip().lower()
        if lowered in ("true", "1", "yes", "t"):
            return True
        if lowered in ("false", "0", "no", "f"):
            return False
        raise CurationError(f"{col.name} must be true or false, not {raw!r}")
    if isinstance(kind, sa.Integer):
        try:
            return int(raw.strip())
        except ValueError:
            raise CurationError(f"{col.name} must be an integer, not {raw!r}") from None
    if isinstance(kind, sa.Float):
        try:
            return float(raw.strip())
        except ValueError:
            raise CurationError(f"{col.name} must be a number, not {raw!r}") from None
    return raw


def parse_filters(entity: str, pairs: Sequence[str]) -> list[Filter]:
    """`FIELD=VALUE` strings (ANDed) checked against the entity's whitelist; "null" means IS NULL."""
    t = target(entity)
    out = []
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CurationError(f"filter {pair!r} is not FIELD=VALUE")
        if name not in t.filters:
            raise CurationError(f"cannot filter {t.entity} on {name!r}; allowed: {', '.join(t.filters)}")
        out.append(Filter(name, _convert(t.table.c[name], raw)))
    return out


@dataclass(frozen=True)
class CurationResult:
    entity: str
    status: CurationStatus
    matched: int
    changed: int
    queued: int
    next_stage: str

    def summary(self) -> str:
        text = f"{self.entity}: {self.matched} matched, {self.changed} changed to {self.status.value}"
        if self.status is CurationStatus.SELECTED:
            text += f", {self.queued} queued for {self.next_stage}"
        return text

    def counts(self) -> dict[str, int]:
        return {"matched": self.matched, "changed": self.changed, "queued": self.queued}


def _selection(t: CurationTarget, ids: Sequence[int | str] | None, filters: Sequence[Filter] | None):
    table = t.table
    if ids is not None:
        if filters:
            raise CurationError("give ids or filters, not both")
        numbers = [int(i) for i in ids if isinstance(i, int) or str(i).strip().isdigit()]
        names = [str(i).strip() for i in ids if not (isinstance(i, int) or str(i).strip().isdigit())]
        parts = []
        if numbers:
            parts.append(table.c.id == sa.any_(sa.bindparam("sel_ids", numbers, type_=ARRAY(sa.BigInteger))))
        if names:
            key = table.c[t.natural_key]
            parts.append(key == sa.any_(sa.bindparam("sel_keys", names, type_=ARRAY(sa.Text))))
        return sa.or_(*parts) if parts else sa.false()
    if not filters:
        raise CurationError("give ids or at least one FIELD=VALUE filter (refusing to curate every row)")
    return sa.and_(*(f.clause(table) for f in filters))


def set_curation(
    session: Session,
    entity: str,
    status: CurationStatus | str,
    *,
    ids: Sequence[int | str] | None = None,
    filters: Sequence[Filter] | None = None,
    requeue: bool = False,
    only_new: bool = False,
) -> CurationResult:
    """Set the curation status of the selected rows; Selected also queues their next stage.

    `requeue` queues even rows whose next stage already finished (places otherwise only queue when
    never scanned or in Error). `only_new` restricts to rows nobody curated yet (policies use it).
    """
    t = target(entity)
    status = parse_status(status) if isinstance(status, str) else status
    table = t.table
    cond = _selection(t, ids, filters)
    if only_new:
        cond = sa.and_(cond, table.c.curation_status == CurationStatus.NEW.value)
    # Lock in id order so two curations of overlapping sets cannot deadlock.
    rows = session.execute(
        sa.select(table.c.id, table.c.curation_status).where(cond).order_by(table.c.id).with_for_update()
    ).all()
    matched = [r.id for r in rows]
    changing = [r.id for r in rows if r.curation_status != status.value]
    changed = queued = 0
    for start in range(0, len(changing), CHUNK):
        chunk = changing[start:start + CHUNK]
        changed += session.execute(
            sa.update(table)
            .where(table.c.id == sa.any_(sa.bindparam("ids", chunk, type_=ARRAY(sa.BigInteger))))
            .values(curation_status=status.value, updated_at=sa.func.now())
        ).rowcount
    if status is CurationStatus.SELECTED:
        q = QUEUES[t.next_stage]
        for start in range(0, len(matched), CHUNK):
            queued += queue.enqueue(session, q, matched[start:start + CHUNK], force=t.requeue_done or requeue)
    return CurationResult(t.entity, status, len(matched), changed, queued, t.next_stage)


@dataclass
class CurationRequest:
    """A validated curation, persisted (run) by the IO manager in one transaction."""

    entity: str
    status: CurationStatus
    ids: list[int | str] | None = None
    filters: list[Filter] | None = None
    requeue: bool = False
    result: CurationResult | None = field(default=None, init=False)

    def persist(self, session: Session) -> dict[str, int]:
        self.result = set_curation(
            session, self.entity, self.status, ids=self.ids, filters=self.filters, requeue=self.requeue
        )
        return self.result.counts()


# ----- policies: selections made without a person -----------------------------------------


@dataclass
class AutoSelectPlaces:
    """Select the still-New places found by these searches (queues their deep scans)."""

    search_ids: list[int]

    def persist(self, session: Session) -> dict[str, int]:
        ids = list(
            session.execute(
                sa.select(Place.id).where(
                    Place.search_id == sa.any_(sa.bindparam("s", self.search_ids, type_=ARRAY(sa.BigInteger)))
                )
            ).scalars()
        )
        result = set_curation(session, "places", CurationStatus.SELECTED, ids=ids, only_new=True)
        return {"auto_selected_places": result.changed, "queued_deep_scan": result.queued}


@dataclass
class AutoSelectBusinesses:
    """Select the still-New local businesses of these places (queues their domain extraction)."""

    place_row_ids: list[int]

    def persist(self, session: Session) -> dict[str, int]:
        ids = list(
            session.execute(
                sa.select(LocalBusiness.id)
                .join(Place, Place.place_id == LocalBusiness.place_id)
                .where(Place.id == sa.any_(sa.bindparam("p", self.place_row_ids, type_=ARRAY(sa.BigInteger))))
            ).scalars()
        )
        result = set_curation(session, "local_businesses", CurationStatus.SELECTED, ids=ids, only_new=True)
        return {"auto_selected_businesses": result.changed, "queued_domain_extraction": result.queued}


@dataclass
class PolicyReport(StageReport):
    """A stage report whose policies may also select rows (and so queue their next stage)."""

    selections: list[Any] = field(default_factory=list)

    def persist(self, session: Session) -> dict[str, int]:
        out = dict(super().persist(session))
        for selection in self.selections:
            out.update(selection.persist(session))
        return out
