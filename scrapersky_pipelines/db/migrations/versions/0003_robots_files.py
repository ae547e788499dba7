"""robots.txt answers kept between runs, so each stage does not fetch them again.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "robots_files",
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("origin", name=op.f("pk_robots_files")),
    )
    op.create_index(op.f("ix_robots_files_host"), "robots_files", ["host"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_robots_files_host"), table_name="robots_files")
    op.drop_table("robots_files")
