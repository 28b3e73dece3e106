"""Reviews: one judge's scores for one entry in one round."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import limits
from app.models.types import UTCDateTime

REVIEW_STATUSES = ("draft", "submitted")


class Review(db.Model):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    # Σ w_c · s_c, written by services.scoring.review_total when the review is submitted.
    total: Mapped[Decimal | None] = mapped_column(sa.Numeric(limits.TOTAL_DIGITS, limits.TOTAL_PLACES))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    feedback: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Optimistic lock: a stale autosave never overwrites a newer submit.
    version: Mapped[int] = mapped_column(default=1)

    scores: Mapped[list[Score]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )
    entry = relationship("Entry")
    judge = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("round_id", "entry_id", "judge_id"),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        sa.CheckConstraint(
            "status = 'draft' OR (total IS NOT NULL AND submitted_at IS NOT NULL)",
            name="submitted_complete",
        ),
        sa.Index("ix_review_round_entry", "round_id", "entry_id"),
        # A judge's reviews in a round (the results page's judge profiles, the judges of a round):
        # with a judge_id index alone SQLite chose the round index and read the round's 30,000
        # reviews for a page of 25 judges.
        sa.Index("ix_review_judge_round_status", "judge_id", "round_id", "status"),
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Review {self.id} round={self.round_id} entry={self.entry_id} judge={self.judge_id} {self.status}>"


class Score(db.Model):
    __tablename__ = "score"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("review.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column()
    # Copies of the criterion's scale, tied to it by a composite foreign key, so the
    # database itself refuses a score outside the scale.
    scale_min: Mapped[int] = mapped_column()
    scale_max: Mapped[int] = mapped_column()
    value: Mapped[int | None] = mapped_column()
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")

    __table_args__ = (
        sa.UniqueConstraint("review_id", "criterion_id"),
        sa.ForeignKeyConstraint(
            ["criterion_id", "scale_min", "scale_max"],
            ["criterion.id", "criterion.min_score", "criterion.max_score"],
            name="fk_score_criterion_scale",
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.CheckConstraint(
            "value IS NULL OR (value >= scale_min AND value <= scale_max)", name="in_scale"
        ),
        sa.Index("ix_score_criterion", "criterion_id"),
    )

    def __repr__(self) -> str:
        return f"<Score {self.id} review={self.review_id} criterion={self.criterion_id} {self.value}>"


# A written submitted review (inserted submitted, revised, reopened, or its draft submitted)
# raises its round's ranking_version in the same statement's transaction, whichever way it is
# written (the ORM, a Core INSERT … ON CONFLICT, COPY, an import): the ranking cache
# (results.cache) is keyed by that version. On PostgreSQL a statement-level trigger (transition
# tables) raises each round at most once per transaction (the rounds done are kept in the
# transaction-local setting fj.ranking_rounds): an executemany of 30,000 reviews runs 30,000
# statements, and updating the one round row 30,000 times in a transaction made the benchmark's
# data load ten times slower. Once is enough: a ranking made by a transaction that writes is
# never kept, and other transactions see the new version only with all of the writes. Deletions
# go through the ORM and are caught by results.cache's flush hook. The migration
# 7d2e5f1a9c30_round_ranking_version creates the same triggers.
RANKING_TRIGGERS = {
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


def _create_ranking_triggers(target, connection, **_kw) -> None:
    for statement in RANKING_TRIGGERS.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


sa.event.listen(Review.__table__, "after_create", _create_ranking_triggers)
