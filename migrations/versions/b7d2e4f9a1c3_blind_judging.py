"""blind judging: identifying form fields, safe titles, checked titles, anonymity findings

The organiser now marks each form field as identifying; until this revision a blind round hid the
fields whose key held a word such as "org", "inn" or "name". Existing fields keep what that guess
hid, so no blind round shows more after the upgrade than before; the organiser may change each.

Revision ID: b7d2e4f9a1c3
Revises: 1f4bc7b693df
Create Date: 2026-12-03 14:30:00

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e4f9a1c3'
down_revision = '1f4bc7b693df'
branch_labels = None
depends_on = None

# The key words of the guess this revision replaces (app/services/anonymity/redaction.py before it).
_OLD_IDENTITY_WORDS = frozenset({"organisation", "organization", "org", "inn", "ogrn", "kpp", "website", "site",
                                 "url", "email", "phone", "contact", "contacts", "address", "leader", "director",
                                 "head", "author", "applicant", "name"})


def upgrade():
    with op.batch_alter_table('form_field', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identifying', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('titles_safe', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_checked', sa.String(length=500), nullable=True))
    op.create_table(
        'anonymity_finding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contest_id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('attachment_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('location', sa.String(length=200), nullable=False),
        sa.Column('page', sa.Integer(), nullable=True),
        sa.Column('snippet', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('replace_by', sa.DateTime(timezone=True), nullable=True),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('title', 'answer', 'file_text', 'file_meta', 'file_name')",
                           name=op.f('ck_anonymity_finding_source')),
        sa.CheckConstraint("status IN ('open', 'harmless', 'replace', 'accepted')",
                           name=op.f('ck_anonymity_finding_status')),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'],
                                name=op.f('fk_anonymity_finding_attachment_id_attachment'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['contest_id'], ['contest.id'],
                                name=op.f('fk_anonymity_finding_contest_id_contest'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_anonymity_finding_decided_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['entry_id'], ['entry.id'],
                                name=op.f('fk_anonymity_finding_entry_id_entry'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_anonymity_finding')),
    )
    with op.batch_alter_table('anonymity_finding', schema=None) as batch_op:
        batch_op.create_index('ix_anonymity_finding_contest_status', ['contest_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_anonymity_finding_entry_id'), ['entry_id'], unique=False)

    form_field = sa.table('form_field', sa.column('id', sa.Integer), sa.column('key', sa.String),
                          sa.column('identifying', sa.Boolean))
    connection = op.get_bind()
    ids = [row.id for row in connection.execute(sa.select(form_field.c.id, form_field.c.key))
           if any(word in _OLD_IDENTITY_WORDS for word in re.split(r"[_\-]+", row.key.lower()))]
    if ids:
        connection.execute(sa.update(form_field).where(form_field.c.id.in_(ids)).values(identifying=True))


def downgrade():
    with op.batch_alter_table('anonymity_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_anonymity_finding_entry_id'))
        batch_op.drop_index('ix_anonymity_finding_contest_status')
    op.drop_table('anonymity_finding')
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_column('title_checked')
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('titles_safe')
    with op.batch_alter_table('form_field', schema=None) as batch_op:
        batch_op.drop_column('identifying')
