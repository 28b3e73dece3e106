"""assignment and review: covering indexes for one judge's rows in a round

The judge's dashboard reads a judge's assignments in a few rounds; the results page reads the
reviews of a page of judges and which judges reviewed in the round. With a single-column judge_id
index beside a (round_id, …) one, SQLite preferred the round's index and read every assignment
or review of the round (30,000 at contest scale). (judge_id, round_id, …) goes straight to the
judge's rows (covering the dashboard's and the EXISTS's columns), and serves every judge_id lookup
the single-column indexes did, which it replaces.

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
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index('ix_review_judge_round_status', ['judge_id', 'round_id', 'status'], unique=False)
        batch_op.drop_index('ix_review_judge_id')


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index('ix_review_judge_id', ['judge_id'], unique=False)
        batch_op.drop_index('ix_review_judge_round_status')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_judge_id', ['judge_id'], unique=False)
        batch_op.drop_index('ix_assignment_judge_round_entry')
