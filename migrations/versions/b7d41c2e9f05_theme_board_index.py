"""theme board: one index to page through and count a campaign's proposals

The theme board shows a campaign's proposals newest first, 50 to a page, and counts them
per theme. With (campaign_id, submitted_at, state, id) both databases find a page's ids,
and PostgreSQL counts, from the index alone: the wide proposals table is read only for
the 50 rows shown. It takes over from (campaign_id, submitted_at) for these queries;
that one is left in place for the others.

Revision ID: b7d41c2e9f05
Revises: 7a64a3609189
Create Date: 2026-11-30 12:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d41c2e9f05'
down_revision = '7a64a3609189'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(
            'ix_proposals_campaign_submitted_state_id',
            ['campaign_id', 'submitted_at', 'state', 'id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_campaign_submitted_state_id')
