"""protocol_details: what the organiser types into a protocol (date, place, members present, quorum,
chair, secretary, notes), per round or for the whole contest (round_id NULL)

Revision ID: d0c5a7e19b42
Revises: e41c9b7a2d58
Create Date: 2026-12-03 14:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd0c5a7e19b42'
down_revision = 'e41c9b7a2d58'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('protocol_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('meeting_date', sa.Date(), nullable=True),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('present', sa.Text(), nullable=False),
    sa.Column('quorum', sa.String(length=300), nullable=False),
    sa.Column('chair', sa.String(length=200), nullable=False),
    sa.Column('secretary', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_protocol_details_contest_id_contest'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_protocol_details_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protocol_details')),
    sa.UniqueConstraint('contest_id', 'round_id', name=op.f('uq_protocol_details_contest_id_round_id'))
    )
    with op.batch_alter_table('protocol_details', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protocol_details_contest_id'), ['contest_id'], unique=False)


def downgrade():
    with op.batch_alter_table('protocol_details', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protocol_details_contest_id'))
    op.drop_table('protocol_details')
