"""Status vocabularies, defined once and stored in the database as their string values."""

from enum import StrEnum


class ProcessingStatus(StrEnum):
    """Where a row stands in one stage's work queue."""

    QUEUED = "Queued"
    PROCESSING = "Processing"
    COMPLETE = "Complete"
    ERROR = "Error"
    FILTERED = "Filtered"


TERMINAL_STATUSES = (ProcessingStatus.COMPLETE, ProcessingStatus.ERROR, ProcessingStatus.FILTERED)


class CurationStatus(StrEnum):
    """What a person decided about a row; Selected queues the next stage."""

    NEW = "New"
    SELECTED = "Selected"
    MAYBE = "Maybe"
    NOT_A_FIT = "NotAFit"
    ARCHIVED = "Archived"


class ContactScrapeStatus(StrEnum):
    """Outcome of scraping one page for contacts."""

    NEW = "New"
    CONTACT_FOUND = "ContactFound"
    NO_CONTACT_FOUND = "NoContactFound"
    ERROR = "Error"


class BatchStatus(StrEnum):
    """Lifecycle of one claimed batch of rows."""

    CLAIMED = "Claimed"
    RUNNING = "Running"
    COMPLETE = "Complete"
    FAILED = "Failed"
    REQUEUED = "Requeued"
