"""Coach: usage kept per login identity across account deletion; worker heartbeats so a dead
worker's pending calls are swept while the server runs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coach_identity_usage",
        sa.Column("identity_hash", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("used_units", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("identity_hash", "period", name=op.f("pk_coach_identity_usage")),
    )
    op.create_table(
        "coach_workers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_workers")),
    )
    with op.batch_alter_table("coach_allowances") as batch:
        batch.add_column(
            sa.Column("carried_units", sa.BigInteger(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("coach_ledger") as batch:
        batch.add_column(sa.Column("worker_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("input_bound", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("coach_ledger") as batch:
        batch.drop_column("input_bound")
        batch.drop_column("worker_id")
    with op.batch_alter_table("coach_allowances") as batch:
        batch.drop_column("carried_units")
    op.drop_table("coach_workers")
    op.drop_table("coach_identity_usage")
