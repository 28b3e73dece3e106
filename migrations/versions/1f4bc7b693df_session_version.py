"""user: session_version, to end every session of an account

Each session and remember-me cookie holds "<id>:<session_version>" (User.get_id); raising the
version (log out everywhere, a password changed or reset) makes every cookie of the account stale.
Existing accounts start at 1; their sessions, which hold only the id, end once at the upgrade.

Revision ID: 1f4bc7b693df
Revises: c5e8a1b94d27
Create Date: 2026-12-03 08:01:16.676181

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1f4bc7b693df'
down_revision = 'c5e8a1b94d27'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')

