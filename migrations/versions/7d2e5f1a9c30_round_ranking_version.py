"""round: ranking_version, raised with every change of the round's ranking (the ranking cache's key)

The review triggers raise it whenever a submitted review is written (models.review.RANKING_TRIGGERS,
copied here as they are on this date); other changes raise it through results.cache's flush hook.

Revision ID: 7d2e5f1a9c30
Revises: b7d2e4f9a1c3
Create Date: 2026-12-03 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d2e5f1a9c30'
down_revision = 'b7d2e4f9a1c3'
branch_labels = None
depends_on = None

TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER review_ranking_insert AFTER INSERT ON review WHEN NEW.status = 'submitted' "
        "BEGIN UPDATE round SET ranking_version = ranking_version + 1 WHERE id = NEW.round_id; END",
        "CREATE TRIGGER review_ranking_update AFTER UPDATE ON review "
        "WHEN OLD.status = 'submitted' OR NEW.status = 'submitted' "
        "BEGIN UPDATE round SET ranking_version = ranking_version + 1 WHERE id = NEW.round_id; END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION review_ranking_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE done text := coalesce(current_setting('fj.ranking_rounds', true), ''); todo int[]; "
        "BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        "SELECT array_agg(DISTINCT round_id) INTO todo FROM new_rows WHERE status = 'submitted'; "
        "ELSE "
        "SELECT array_agg(DISTINCT round_id) INTO todo FROM (SELECT round_id FROM new_rows WHERE status = 'submitted' "
        "UNION SELECT round_id FROM old_rows WHERE status = 'submitted') AS changed; "
        "END IF; "
        "todo := ARRAY(SELECT r FROM unnest(todo) AS r WHERE position(',' || r || ',' IN done) = 0); "
        "IF cardinality(todo) > 0 THEN "
        "UPDATE round SET ranking_version = ranking_version + 1 WHERE id = ANY(todo); "
        "PERFORM set_config('fj.ranking_rounds', "
        "CASE WHEN done = '' THEN ',' ELSE done END || array_to_string(todo, ',') || ',', true); "
        "END IF; RETURN NULL; END $$",
        "CREATE TRIGGER review_ranking_insert AFTER INSERT ON review REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION review_ranking_version()",
        "CREATE TRIGGER review_ranking_update AFTER UPDATE ON review "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION review_ranking_version()",
    ],
}


def upgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ranking_version', sa.BigInteger(), server_default='0', nullable=False))
    for statement in TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS review_ranking_insert" + (" ON review" if op.get_bind().dialect.name == "postgresql" else ""))
    op.execute("DROP TRIGGER IF EXISTS review_ranking_update" + (" ON review" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS review_ranking_version()")
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('ranking_version')
