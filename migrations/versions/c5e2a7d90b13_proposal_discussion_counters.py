"""proposal discussion counters: comments and supporting organisations kept on the row

Revision ID: c5e2a7d90b13
Revises: b7d41c2e9f05
Create Date: 2026-11-30 00:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c5e2a7d90b13'
down_revision = 'b7d41c2e9f05'
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE proposals SET
  comment_count = (SELECT count(*) FROM comments
                   WHERE comments.proposal_id = proposals.id AND comments.deleted_at IS NULL),
  support_count = (SELECT count(DISTINCT comments.organization_id) FROM comments
                   WHERE comments.proposal_id = proposals.id AND comments.deleted_at IS NULL
                     AND comments.kind = 'support')
"""


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('support_count', sa.Integer(), server_default='0', nullable=False))
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('support_count')
        batch_op.drop_column('comment_count')
