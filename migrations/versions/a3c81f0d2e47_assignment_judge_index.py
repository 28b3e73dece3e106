"""assignment: a covering index for one judge's assignments

The judge's dashboard reads a judge's assignments in a few rounds. With only (judge_id) and
(round_id, judge_id) to choose from, SQLite preferred the unique (round_id, entry_id, judge_id)
index and scanned every assignment of the round. (judge_id, round_id, entry_id) answers it from
the index alone and serves every judge_id lookup the old single-column index did.

Revision ID: a3c81f0d2e47
Revises: 5b9117b5c4fe
Create Date: 2026-11-23 18:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3c81f0d2e47'
down_revision = '5b9117b5c4fe'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_judge_round_entry', ['judge_id', 'round_id', 'entry_id'], unique=False)
        batch_op.drop_index('ix_assignment_judge_id')


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_judge_id', ['judge_id'], unique=False)
        batch_op.drop_index('ix_assignment_judge_round_entry')
