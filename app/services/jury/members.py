"""The jury: invitations, declarations, conflicts of interest and judges' loads (DESIGN §1, §4)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Assignment,
    Conflict,
    Contest,
    Declaration,
    Entry,
    JuryExpertise,
    JuryMember,
    Nomination,
    Review,
    Round,
    User,
)
from app.services.platform import accounts, permissions
from app.services.platform.audit import record_event
from app.services.platform.clock import now
from app.services.platform.links import external_url
from app.services.platform.mail import send_mail


class JuryError(Exception):
    """A jury action that breaks a rule; the message is translated and meant for the user."""


# ---------------------------------------------------------------------------------------------
# Access for judges (used by the scoring pages too).
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class JudgeAccess:
    """What decides whether a judge may see and score an entry (judge_access asks it all at once)."""

    member: bool  # an accepted member of the round's jury
    signed: bool  # has signed the contest's declaration
    assigned: bool = False  # the entry is assigned to them in the round
    conflicted: bool = False  # they have a conflict of interest with the entry
    # May they see who the entrant is (permissions.entrant_identity_clause), when asked with it.
    identity: bool | None = None

    @property
    def problem(self) -> str | None:
        """Why they may not judge in the round yet (translated), or None when they may."""
        if not self.member:
            return _("You are not a member of this round's jury.")
        if not self.signed:
            return _("Sign the declaration of conflicts of interest and confidentiality first.")
        return None

    @property
    def allows_entry(self) -> bool:
        """May they see the entry (its page, its scores, its files): the score page's rule."""
        return self.problem is None and self.assigned and not self.conflicted


def judge_access_questions(user_id, round_: type[Round] | Round,
                           entry: type[Entry] | Entry | None = None) -> list[sa.Exists]:
    """The questions of JudgeAccess, in its order, as SQL: the jury membership and declaration of
    the account `user_id` in `round_`, and, with an `entry`, its assignment to them and their
    conflict with it.

    `round_` and `entry` may be objects, or the mapped classes Round and Entry themselves (and
    `user_id` a bound parameter): then the questions are asked of the rows a query reads, and a
    page loads its round, its entry and the judge's access in one query (every score page and
    submit does)."""
    questions = [permissions.judge_in_round_clause(user_id, round_.id),
                 declaration_signed_clause(round_.contest_id, user_id)]
    if entry is not None:
        questions += [
            sa.exists().where(Assignment.round_id == round_.id, Assignment.entry_id == entry.id,
                              Assignment.judge_id == user_id),
            declared_conflict_clause(entry.id, user_id),
        ]
    return questions


def declared_conflict_clause(entry_id, user_id) -> sa.Exists:
    """Whether the account has a declared (or organiser-given) conflict with the entry, as SQL
    (ids as in judge_access_questions): such an entry is neither shown to the judge nor counted."""
    return sa.exists().where(Conflict.entry_id == entry_id, Conflict.user_id == user_id)


def judge_access(user: User, round_: Round, entry: Entry | None = None) -> JudgeAccess:
    """What decides whether `user` may judge in `round_` (and score `entry`), in one query."""
    return JudgeAccess(*db.session.execute(sa.select(*judge_access_questions(user.id, round_, entry))).one())


def judge_may_open_entry(user_id: int, entry_id: int) -> bool:
    """Whether the account may see the entry as its judge in at least one round where it is
    assigned to them: JudgeAccess.allows_entry, the rule of the score page, in one query."""
    assigned_rounds = sa.select(Assignment.round_id).where(Assignment.entry_id == entry_id,
                                                          Assignment.judge_id == user_id)
    rows = db.session.execute(
        sa.select(*judge_access_questions(user_id, Round, Entry)).select_from(Round)
        .join(Entry, Entry.contest_id == Round.contest_id)
        .where(Entry.id == entry_id, Round.id.in_(assigned_rounds))).all()
    return any(JudgeAccess(*row).allows_entry for row in rows)


def judge_access_problem(user: User | None, round_: Round) -> str | None:
    """Why `user` may not judge in `round_` yet (a translated reason), or None when they may.

    A judge must be an accepted member of the round's jury and must have signed the
    contest's conflict-of-interest and confidentiality declaration before seeing any entry.
    """
    if user is None or not user.is_authenticated:
        return _("Please log in to open this page.")
    return judge_access(user, round_).problem


# ---------------------------------------------------------------------------------------------
# Organisations: the same organisation or registration number as the entrant is a conflict.
# ---------------------------------------------------------------------------------------------

# Legal forms and generic words that do not tell organisations apart (whole words, lower-case).
LEGAL_FORMS = (
    "благотворительный фонд", "общественная организация", "некоммерческая организация",
    "автономная некоммерческая организация", "общество с ограниченной ответственностью",
    "индивидуальный предприниматель",
    "ооо", "оао", "зао", "пао", "нао", "ао", "ано", "нко", "нп", "ип", "оо", "роо", "мро", "ро",
    "тос", "бф", "фонд", "фгбоу", "фгаоу", "фгоу", "фгбу", "фгау", "фгуп", "гбу", "гау", "гку",
    "гбоу", "гаоу", "гоу", "гуп", "мбу", "мау", "мку", "мбоу", "маоу", "моу", "муп", "во",
    "llc", "ltd", "inc", "ngo", "jsc", "plc", "gmbh", "foundation",
)
_QUOTES = re.compile(r"[«»\"'“”„‘’`]")
_NON_WORD = re.compile(r"[^\w]+")
_LEGAL = re.compile(r"\b(?:" + "|".join(sorted((re.escape(f) for f in LEGAL_FORMS), key=len, reverse=True))
                    + r")\b")


def normalise_organisation(name: str | None) -> str | None:
    """«ООО "Ромашка"» and "ромашка, ооо" give the same key; None when nothing distinctive is left."""
    if not name:
        return None
    text = _QUOTES.sub(" ", name.lower().replace("ё", "е"))
    text = _NON_WORD.sub(" ", text)
    text = _LEGAL.sub(" ", text)
    text = " ".join(text.split())
    return text or None


def normalise_inn(inn: str | None) -> str | None:
    digits = re.sub(r"\D", "", inn or "")
    return digits or None


def judge_organisation_keys(member: JuryMember | None, user: User | None) -> tuple[set[str], set[str]]:
    """The normalised organisation names and INNs a judge is tied to (member data and account)."""
    names, inns = set(), set()
    for source in (member, user):
        if source is None:
            continue
        name = normalise_organisation(source.organisation)
        inn = normalise_inn(source.inn)
        if name:
            names.add(name)
        if inn:
            inns.add(inn)
    return names, inns


def conflict_problem(entry: Entry, user: User, member: JuryMember | None = None) -> str | None:
    """Why `user` may not judge `entry` (a translated reason), or None: a declared conflict, being
    its entrant, or the same organisation or INN as the entrant."""
    if entry.entrant_id == user.id:
        return _("The judge is the entrant of this entry.")
    declared = db.session.scalar(sa.select(Conflict).where(
        Conflict.entry_id == entry.id, Conflict.user_id == user.id))
    if declared is not None:
        return _("The judge has a declared conflict of interest with this entry.")
    names, inns = judge_organisation_keys(member, user)
    if normalise_inn(entry.inn) and normalise_inn(entry.inn) in inns:
        return _("The judge has the same INN as the entrant's organisation.")
    if normalise_organisation(entry.organisation) and normalise_organisation(entry.organisation) in names:
        return _("The judge belongs to the entrant's organisation.")
    return None


# ---------------------------------------------------------------------------------------------
# Invitations.
# ---------------------------------------------------------------------------------------------

EMAIL_PATTERN = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def parse_email_list(text: str) -> tuple[list[str], list[str]]:
    """Addresses pasted one per line (or separated by commas, semicolons, spaces).

    Returns (valid addresses without duplicates, in order; pieces that are not addresses).
    "Name <address>" is accepted.
    """
    valid: list[str] = []
    invalid: list[str] = []
    for piece in re.split(r"[\s,;]+", re.sub(r"[^<>\s,;]*<([^>]*)>", r" \1 ", text or "")):
        piece = piece.strip().strip("<>")
        if not piece:
            continue
        if EMAIL_PATTERN.match(piece):
            address = accounts.normalise_email(piece)
            if address not in valid:
                valid.append(address)
        else:
            invalid.append(piece)
    return valid, invalid


def is_entrant_email(contest: Contest, email: str) -> bool:
    user = accounts.find_user_by_email(email)
    return user is not None and permissions.is_entrant_in_contest(user, contest)


def invite_judge(*, round_: Round, email: str, organisation: str | None = None, inn: str | None = None,
                 max_load: int | None = None, nomination_ids: Iterable[int] = (),
                 actor: User | None = None, send: bool = True) -> JuryMember:
    """Adds `email` to the round's jury as invited and mails the invitation link."""
    email = accounts.normalise_email(email)
    contest = round_.contest
    if is_entrant_email(contest, email):
        raise JuryError(_("%(email)s has an application in this contest and cannot be a judge in it.",
                          email=email))
    taken = db.session.scalar(sa.select(JuryMember).where(
        JuryMember.round_id == round_.id, JuryMember.email == email))
    if taken is not None:
        raise JuryError(_("%(email)s is already invited to this round's jury.", email=email))
    existing_user = accounts.find_user_by_email(email)
    member = JuryMember(
        round_id=round_.id, email=email, status="invited", token=secrets.token_urlsafe(32),
        organisation=(organisation or "").strip() or None, inn=normalise_inn(inn), max_load=max_load,
        invited_at=now(),
    )
    db.session.add(member)
    db.session.flush()
    _set_expertise(member, contest, nomination_ids)
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None, action="jury.invite",
                 object_type="jury_member", object_id=member.id,
                 new={"round": round_.key, "email": email})
    if send:
        send_invitation(member, language=existing_user.locale if existing_user else None)
    return member


def invite_judges(*, round_: Round, text: str, nomination_ids: Iterable[int] = (),
                  actor: User | None = None) -> tuple[list[JuryMember], list[tuple[str, str]]]:
    """Invites every address in a pasted list. Returns (invited members, [(piece, why skipped)])."""
    addresses, invalid = parse_email_list(text)
    skipped = [(piece, _("This is not an e-mail address.")) for piece in invalid]
    invited = []
    nomination_ids = list(nomination_ids)
    for address in addresses:
        try:
            invited.append(invite_judge(round_=round_, email=address, nomination_ids=nomination_ids,
                                        actor=actor))
        except JuryError as error:
            skipped.append((address, str(error)))
    return invited, skipped


def send_invitation(member: JuryMember, *, language: str | None = None) -> None:
    round_ = db.session.get(Round, member.round_id)
    language = language or _recipient_language(member.email)
    # the link carries the mail's language: a logged-out invitee lands in it, and registers in it
    link = external_url("jury.invitation", token=member.token, lang=language)
    with force_locale(language):
        send_mail(
            to=member.email,
            subject=_("Invitation to the jury of %(contest)s", contest=round_.contest.loc("title")),
            body=render_template("jury/invitation_mail.txt", member=member, round=round_,
                                 contest=round_.contest, link=link),
        )


def resend_invitation(*, member: JuryMember, actor: User | None = None) -> None:
    if member.status == "accepted":
        raise JuryError(_("%(email)s has already accepted.", email=member.email))
    round_ = db.session.get(Round, member.round_id)
    send_invitation(member)
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None, action="jury.resend",
                 object_type="jury_member", object_id=member.id)


def _recipient_language(email: str) -> str:
    user = accounts.find_user_by_email(email)
    if user is not None:
        return user.locale
    from app.i18n import current_language

    return current_language()


def member_for_token(token: str) -> JuryMember | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        sa.select(JuryMember).where(JuryMember.token == token).options(selectinload(JuryMember.user)))


def acceptance_problem(member: JuryMember, user: User) -> str | None:
    """Why `user` may not accept this invitation (translated), or None."""
    round_ = db.session.get(Round, member.round_id)
    if permissions.is_entrant_in_contest(user, round_.contest):
        return _("You have an application in this contest, so you cannot be a judge in it.")
    if member.user_id is not None and member.user_id != user.id:
        return _("This invitation has already been answered from another account.")
    other = db.session.scalar(sa.select(JuryMember).where(
        JuryMember.round_id == member.round_id, JuryMember.user_id == user.id,
        JuryMember.id != member.id))
    if other is not None:
        return _("Your account is already on this round's jury.")
    return None


def accept_invitation(*, member: JuryMember, user: User) -> JuryMember:
    problem = acceptance_problem(member, user)
    if problem:
        raise JuryError(problem)
    member.user_id = user.id
    member.status = "accepted"
    member.responded_at = now()
    if user.email == member.email and user.email_confirmed_at is None:
        # The link came to this address, which proves it.
        user.email_confirmed_at = now()
    round_ = db.session.get(Round, member.round_id)
    record_event(contest_id=round_.contest_id, actor_id=user.id, action="jury.accept",
                 object_type="jury_member", object_id=member.id)
    db.session.flush()
    return member


def decline_invitation(*, member: JuryMember, user: User | None = None) -> JuryMember:
    """Declines with the link alone (no account needed); refused once the judge has work in the round."""
    if user is not None and member.user_id is not None and member.user_id != user.id:
        raise JuryError(_("This invitation has already been answered from another account."))
    if member.user_id is not None and db.session.scalar(sa.select(sa.exists().where(
            Assignment.round_id == member.round_id, Assignment.judge_id == member.user_id))):
        raise JuryError(_("You already have assignments in this round; please write to the "
                          "organisers to leave the jury."))
    member.status = "declined"
    member.responded_at = now()
    round_ = db.session.get(Round, member.round_id)
    record_event(contest_id=round_.contest_id, actor_id=user.id if user else None,
                 action="jury.decline", object_type="jury_member", object_id=member.id)
    db.session.flush()
    return member


def _set_expertise(member: JuryMember, contest: Contest, nomination_ids: Iterable[int]) -> None:
    valid = {n.id for n in contest.nominations}
    wanted = {int(n) for n in nomination_ids} & valid
    current = {e.nomination_id for e in member.expertise}
    for expertise in list(member.expertise):
        if expertise.nomination_id not in wanted:
            member.expertise.remove(expertise)
    for nomination_id in sorted(wanted - current):
        member.expertise.append(JuryExpertise(nomination_id=nomination_id))


def update_member(*, member: JuryMember, organisation: str | None, inn: str | None,
                  max_load: int | None, nomination_ids: Iterable[int], actor: User | None = None) -> JuryMember:
    round_ = db.session.get(Round, member.round_id)
    old = {"organisation": member.organisation, "inn": member.inn, "max_load": member.max_load,
           "expertise": sorted(e.nomination_id for e in member.expertise)}
    member.organisation = (organisation or "").strip() or None
    member.inn = normalise_inn(inn)
    member.max_load = max_load
    _set_expertise(member, round_.contest, nomination_ids)
    db.session.flush()
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None,
                 action="jury.update", object_type="jury_member", object_id=member.id, old=old,
                 new={"organisation": member.organisation, "inn": member.inn, "max_load": max_load,
                      "expertise": sorted(e.nomination_id for e in member.expertise)})
    return member


def remove_member(*, member: JuryMember, actor: User | None = None) -> None:
    """Takes a person off the round's jury; refused while they have assignments in the round."""
    if member.user_id is not None and db.session.scalar(sa.select(sa.exists().where(
            Assignment.round_id == member.round_id, Assignment.judge_id == member.user_id))):
        raise JuryError(_("Remove this judge's assignments first."))
    round_ = db.session.get(Round, member.round_id)
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None,
                 action="jury.remove", object_type="jury_member", object_id=member.id,
                 old={"email": member.email, "status": member.status})
    db.session.delete(member)
    db.session.flush()


def jury_members(round_: Round) -> list[JuryMember]:
    """The round's jury, accepted first, with accounts and expertise loaded."""
    order = sa.case({"accepted": 0, "invited": 1, "declined": 2}, value=JuryMember.status)
    return list(db.session.scalars(
        sa.select(JuryMember).where(JuryMember.round_id == round_.id)
        .options(selectinload(JuryMember.user), selectinload(JuryMember.expertise))
        .order_by(order, JuryMember.email)))


def accepted_members(round_: Round) -> list[JuryMember]:
    return list(db.session.scalars(
        sa.select(JuryMember).where(JuryMember.round_id == round_.id, JuryMember.status == "accepted",
                                    JuryMember.user_id.is_not(None))
        .options(selectinload(JuryMember.user), selectinload(JuryMember.expertise))
        .order_by(JuryMember.email)))


def current_loads(round_: Round) -> dict[int, int]:
    """Assignments per judge (user id) in the round."""
    return dict(db.session.execute(
        sa.select(Assignment.judge_id, sa.func.count()).where(Assignment.round_id == round_.id)
        .group_by(Assignment.judge_id)).all())


def signed_user_ids(contest: Contest) -> set[int]:
    return set(db.session.scalars(sa.select(Declaration.user_id).where(Declaration.contest_id == contest.id)))


# ---------------------------------------------------------------------------------------------
# The declaration.
# ---------------------------------------------------------------------------------------------

def declaration_text(contest: Contest, language: str | None = None) -> str:
    """The contest's declaration in the language (falling back to the other one, then a default)."""
    text = contest.loc("declaration", language)
    if text:
        return text
    if language:
        with force_locale(language):
            return _default_declaration()
    return _default_declaration()


def _default_declaration() -> str:
    return _("I confirm that I have no conflict of interest with the entries assigned to me and will "
             "declare one at once if it arises. I will keep the entries and the results of the review "
             "confidential.")


def has_signed_declaration(contest: Contest, user: User | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(sa.select(declaration_signed_clause(contest.id, user.id)))


def declaration_signed_clause(contest_id, user_id) -> sa.Exists:
    """Whether the account has signed the contest's declaration, as SQL (ids as in judge_access_questions)."""
    return sa.exists().where(Declaration.contest_id == contest_id, Declaration.user_id == user_id)


def sign_declaration(*, contest: Contest, user: User, language: str) -> Declaration:
    """Records that `user` signed the declaration, shown in `language`; signing again keeps the first."""
    existing = db.session.get(Declaration, (contest.id, user.id))
    if existing is not None:
        return existing
    declaration = Declaration(contest_id=contest.id, user_id=user.id, signed_at=now(),
                              text=declaration_text(contest, language))
    db.session.add(declaration)
    record_event(contest_id=contest.id, actor_id=user.id, action="jury.declaration.sign",
                 object_type="user", object_id=user.id, new={"language": language})
    db.session.flush()
    return declaration


# ---------------------------------------------------------------------------------------------
# Conflicts of interest.
# ---------------------------------------------------------------------------------------------

def declare_conflict(*, entry: Entry, user: User, reason: str, source: str = "judge",
                     actor: User | None = None) -> Conflict:
    """Records a conflict between `user` (a judge) and `entry`; withdraws the judge's assignments
    and reviews of the entry in every round not yet finalised, and tells the organisers.

    The entry is then short of a judge and the next automatic assignment fills the place.
    """
    actor = actor or user
    conflict = db.session.scalar(sa.select(Conflict).where(
        Conflict.entry_id == entry.id, Conflict.user_id == user.id))
    if conflict is None:
        conflict = Conflict(entry_id=entry.id, user_id=user.id, source=source,
                            reason=(reason or "").strip(), created_at=now())
        db.session.add(conflict)
    open_rounds = sa.select(Round.id).where(Round.contest_id == entry.contest_id,
                                            Round.finalised_at.is_(None))
    withdrawn = list(db.session.scalars(sa.select(Assignment.round_id).where(
        Assignment.entry_id == entry.id, Assignment.judge_id == user.id,
        Assignment.round_id.in_(open_rounds))))
    # Load and delete the reviews through the ORM so their scores and version lock are handled.
    for review in db.session.scalars(sa.select(Review).where(
            Review.entry_id == entry.id, Review.judge_id == user.id, Review.round_id.in_(open_rounds))):
        db.session.delete(review)
    db.session.execute(sa.delete(Assignment).where(
        Assignment.entry_id == entry.id, Assignment.judge_id == user.id,
        Assignment.round_id.in_(open_rounds)).execution_options(synchronize_session="fetch"))
    db.session.flush()
    record_event(contest_id=entry.contest_id, actor_id=actor.id, action="conflict.declare",
                 object_type="entry", object_id=entry.id,
                 new={"judge": user.id, "source": source, "withdrawn_rounds": withdrawn},
                 reason=conflict.reason)
    if source == "judge":
        _notify_organisers_of_conflict(entry, user, conflict.reason, withdrawn)
    return conflict


def _notify_organisers_of_conflict(entry: Entry, judge: User, reason: str, round_ids: list[int]) -> None:
    from app.services.setup.contests import contest_organisers

    contest = db.session.get(Contest, entry.contest_id)
    rounds = [db.session.get(Round, round_id) for round_id in round_ids]
    for organiser in contest_organisers(contest):
        with force_locale(organiser.locale):
            links = [external_url("manage.assign", slug=contest.slug, round_id=r.id)
                     for r in rounds]
            send_mail(
                to=organiser.email,
                subject=_("%(judge)s declared a conflict of interest with entry %(number)s",
                          judge=judge.name, number=entry.number or entry.id),
                body=render_template("jury/conflict_mail.txt", contest=contest, entry=entry,
                                     judge=judge, reason=reason, rounds=rounds, links=links),
            )


def nominations_by_id(contest: Contest) -> dict[int, Nomination]:
    return {n.id: n for n in contest.nominations}
