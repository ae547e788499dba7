"""Launchpad job: submit domains (a list or a CSV path) to be scanned."""


import dagster as dg

from scrapersky_pipelines.db.submit import DomainSubmission
from scrapersky_pipelines.lib.submissions import CsvError, parse_values, read_csv_column


class SubmitDomainsConfig(dg.Config):
    domains: list[str] = []
    csv_path: str | None = None
    batch_name: str | None = None
    rescan_existing: bool = False


@dg.op(out=dg.Out(io_manager_key="pg_io"))
def submit_domains_op(context: dg.OpExecutionContext, config: SubmitDomainsConfig) -> DomainSubmission:
    """Normalise and validate; invalid entries are logged one by one, the valid rest inserted."""
    values, first = list(config.domains), 1
    if config.csv_path:
        try:
            csv_values, first = read_csv_column(config.csv_path)
        except CsvError as exc:
            raise dg.Failure(f"{config.csv_path}: {exc}") from None
        values += csv_values
    parsed = parse_values(values, first_row=first)
    for row, raw, reason in parsed.invalid:
        context.log.warning(f"row {row}: {raw!r}: {reason}")
    for row, value in parsed.duplicates:
        context.log.info(f"row {row}: {value} repeats an earlier row")
    if not parsed.valid:
        raise dg.Failure(f"no valid domain among {parsed.total} entries", metadata={"invalid": len(parsed.invalid)})
    context.add_output_metadata({"valid": len(parsed.valid), "invalid": len(parsed.invalid), "duplicates": len(parsed.duplicates)})
    return DomainSubmission(parsed.valid, "csv" if config.csv_path else "submitted", config.batch_name, config.rescan_existing)


@dg.job(description="Submit domains (a list and/or a CSV file) for the homepage metadata scan.")
def submit_domains():
    submit_domains_op()
