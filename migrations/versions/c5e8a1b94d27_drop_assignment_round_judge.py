"""assignment: drop the (round_id, judge_id) index

The unique (round_id, entry_id, judge_id) constraint's index serves every lookup by round, and
(judge_id, round_id, entry_id) every lookup by judge and round, so the (round_id, judge_id) index
served no query on its own. Writing a round's 30,000 assignments updated it too: about a quarter
of the write's time on PostgreSQL.

Revision ID: c5e8a1b94d27
Revises: a3c81f0d2e47
Create Date: 2026-11-23 12:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5e8a1b94d27'
down_revision = 'a3c81f0d2e47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_round_judge')


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_round_judge', ['round_id', 'judge_id'], unique=False)
