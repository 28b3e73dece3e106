"""grant funds and amount fields (DESIGN §3b)

The application form gains the `amount` type (money with a currency, one field marked as the
requested amount, optional limits checked at submit); `fund` holds a nomination's or the
contest's fund; `funding_plan` a finalised round's allocation (rule, cuts, frozen once confirmed).

Revision ID: 0f1f2c271adf
Revises: 15e03ebc454e
Create Date: 2026-12-03 14:25:16.544217

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0f1f2c271adf'
down_revision = '15e03ebc454e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('nomination_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('min_grant', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('max_grant', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_fund_amount')),
    sa.CheckConstraint('max_grant IS NULL OR max_grant > 0', name=op.f('ck_fund_max_grant')),
    sa.CheckConstraint('min_grant IS NULL OR max_grant IS NULL OR min_grant <= max_grant', name=op.f('ck_fund_grant_range')),
    sa.CheckConstraint('min_grant IS NULL OR min_grant >= 0', name=op.f('ck_fund_min_grant')),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_fund_contest_id_contest'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['nomination_id'], ['nomination.id'], name=op.f('fk_fund_nomination_id_nomination'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund')),
    sa.UniqueConstraint('contest_id', 'nomination_id', name=op.f('uq_fund_contest_id_nomination_id'))
    )
    op.create_table('funding_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=16), nullable=False),
    sa.Column('objective', sa.String(length=16), nullable=False),
    sa.Column('cuts', sa.JSON(), nullable=False),
    sa.Column('show_amounts', sa.Boolean(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.CheckConstraint("objective IN ('score', 'count')", name=op.f('ck_funding_plan_objective')),
    sa.CheckConstraint("rule IN ('strict', 'skip', 'best')", name=op.f('ck_funding_plan_rule')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user.id'], name=op.f('fk_funding_plan_confirmed_by_id_user')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_funding_plan_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_plan')),
    sa.UniqueConstraint('round_id', name=op.f('uq_funding_plan_round_id'))
    )
    with op.batch_alter_table('form_field', schema=None) as batch_op:
        batch_op.add_column(sa.Column('currency', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('requested', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('max_amount', sa.Numeric(precision=18, scale=2), nullable=True))
        batch_op.add_column(sa.Column('min_share_of', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('min_share', sa.Numeric(precision=5, scale=2), nullable=True))
        batch_op.drop_constraint(op.f('ck_form_field_type'), type_='check')
        batch_op.create_check_constraint(
            'type', "type IN ('text', 'textarea', 'number', 'date', 'select', 'checkbox', 'file', 'amount')")
        batch_op.create_check_constraint('max_amount', 'max_amount IS NULL OR max_amount > 0')
        batch_op.create_check_constraint('min_share', 'min_share IS NULL OR (min_share > 0 AND min_share <= 100)')



def downgrade():
    op.execute("DELETE FROM form_field WHERE type = 'amount'")
    with op.batch_alter_table('form_field', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_form_field_min_share'), type_='check')
        batch_op.drop_constraint(op.f('ck_form_field_max_amount'), type_='check')
        batch_op.drop_constraint(op.f('ck_form_field_type'), type_='check')
        batch_op.create_check_constraint(
            'type', "type IN ('text', 'textarea', 'number', 'date', 'select', 'checkbox', 'file')")
        batch_op.drop_column('min_share')
        batch_op.drop_column('min_share_of')
        batch_op.drop_column('max_amount')
        batch_op.drop_column('requested')
        batch_op.drop_column('currency')

    op.drop_table('funding_plan')
    op.drop_table('fund')
