"""Initial schema (placeholder while the tables settle; replaced by explicit operations before release).

Revision ID: 0001
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    import pix_pdq.tables  # noqa: F401
    import registry.tables  # noqa: F401
    import repository.tables  # noqa: F401
    from xds.db.metadata import metadata

    metadata.create_all(op.get_bind())


def downgrade() -> None:
    from xds.db.metadata import metadata

    metadata.drop_all(op.get_bind())
