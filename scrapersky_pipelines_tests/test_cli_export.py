"""`scrapersky export`: contacts (and any entity) to CSV or Parquet, filtered by domain and text."""

import pandas as pd
import sqlalchemy as sa

from scrapersky_pipelines.cli import main
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.models import Contact, Domain


def seed() -> None:
    with transaction() as s:
        ids = s.execute(sa.insert(Domain).values([{"domain": "acme.com"}, {"domain": "beta.org"}])
                        .returning(Domain.id)).scalars().all()
        s.execute(sa.insert(Contact).values([
            {"domain_id": ids[0], "email": "info@acme.com", "email_kind": "role", "phone": "+16175550100", "name": None},
            {"domain_id": ids[0], "email": "jane.doe@acme.com", "email_kind": "personal", "phone": None, "name": "Jane Doe"},
            {"domain_id": ids[1], "email": "100%_sure@beta.org", "email_kind": "personal", "phone": None, "name": None},
        ]))


def test_csv_to_stdout_with_filters(db, capsys):
    seed()
    assert main(["export", "contacts", "--domain", "ACME.com"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split(",")[:3] == ["id", "domain_id", "page_id"] and "domain" in out[0].split(",")
    assert len(out) == 3
    assert main(["export", "contacts", "--search", "jane"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 2 and "jane.doe@acme.com" in rows[1]
    assert main(["export", "contacts", "--search", "%_"]) == 0  # wildcards are literal text
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 2 and "100%_sure@beta.org" in rows[1]


def test_parquet_file_round_trips(db, tmp_path, capsys):
    seed()
    target = tmp_path / "contacts.parquet"
    assert main(["export", "contacts", "--format", "parquet", "--output", str(target)]) == 0
    frame = pd.read_parquet(target)
    assert sorted(frame["email"]) == ["100%_sure@beta.org", "info@acme.com", "jane.doe@acme.com"]
    assert set(frame["domain"]) == {"acme.com", "beta.org"}
    assert main(["export", "contacts", "--format", "parquet"]) == 2  # needs a file
    assert main(["export", "domains", "--output", str(tmp_path / "d.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "d.csv")) == 2
