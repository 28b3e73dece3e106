"""contest.languages: a contest may be Russian-only or English-only (issue 21)

Revision ID: b7e3c1d9a4f2
Revises: 0f1f2c271adf
Create Date: 2026-12-04 16:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3c1d9a4f2'
down_revision = '0f1f2c271adf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.String(length=8), nullable=False, server_default='ru,en'))


def downgrade():
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_column('languages')
