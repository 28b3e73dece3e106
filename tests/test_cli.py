"""Command-line tools: create-admin and the demo contest."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Contest, Criterion, Nomination, Round, User
from app.services.platform import accounts


def test_create_admin(runner):
    result = runner.invoke(args=["create-admin", "--email", "Boss@Example.org", "--name", "Boss",
                                 "--password", "secret-pass"])
    assert result.exit_code == 0, result.output
    user = accounts.authenticate("boss@example.org", "secret-pass")
    assert user is not None and user.is_admin and user.is_confirmed


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(args=["create-admin", "--email", "weak@example.org", "--name", "W",
                                 "--password", "password123"])
    assert result.exit_code == 1 and "most common" in result.output
    assert accounts.find_user_by_email("weak@example.org") is None


def test_create_admin_promotes_existing_account(runner, make):
    make.user(email="someone@example.org")
    runner.invoke(args=["create-admin", "--email", "someone@example.org", "--name", "S",
                        "--password", "another-pass"])
    assert accounts.find_user_by_email("someone@example.org").is_admin


def test_demo_seeds_formula_contest(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "organiser@formula-jury.example" in result.output
    assert "demo12345" in result.output
    contest = db.session.scalar(sa.select(Contest).where(Contest.slug == "formula-2026"))
    assert contest.title_ru == "Формула будущего — 2026"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nomination)
                             .where(Nomination.contest_id == contest.id)) == 5
    assert "small-grants-2027" in result.output  # the second, open call (tests/test_first_minutes.py)
    rounds = db.session.scalars(sa.select(Round).where(Round.contest_id == contest.id)
                                .order_by(Round.position)).all()
    assert [r.key for r in rounds] == ["experts", "defence"]
    experts = rounds[0]
    assert experts.blind and experts.reviews_per_entry == 2 and experts.maximum == 100
    assert [c.key for c in experts.tie_break_criteria] == ["relevance", "coherence"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Criterion)
                             .where(Criterion.round_id == rounds[1].id)) == 3
    judges = db.session.scalar(sa.select(sa.func.count()).select_from(User)
                               .where(User.email.like("judge%")))
    assert judges == 12


def test_demo_logins_work_through_the_login_form(runner, client):
    runner.invoke(args=["demo"])
    for email in ("admin@formula-jury.example", "organiser@formula-jury.example",
                  "judge1@formula-jury.example"):
        client.post("/auth/logout")
        response = client.post("/auth/login", data={"email": email, "password": "demo12345"})
        assert response.status_code == 302, email
