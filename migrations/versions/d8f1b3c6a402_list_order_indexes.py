"""list order indexes: most discussed and most supported

Revision ID: d8f1b3c6a402
Revises: c5e2a7d90b13
Create Date: 2026-11-30 01:30:00

"""
from alembic import op


revision = 'd8f1b3c6a402'
down_revision = 'c5e2a7d90b13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_campaign_comment_count', ['campaign_id', 'comment_count'], unique=False)
        batch_op.create_index('ix_proposals_campaign_support_count', ['campaign_id', 'support_count'], unique=False)


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_campaign_support_count')
        batch_op.drop_index('ix_proposals_campaign_comment_count')
