"""Duplicate applications (issue 22): near-duplicates by MinHash within the contest and against
earlier contests, listed for the organiser with a similarity score. Real database, no mocks."""

from __future__ import annotations

import time

import numpy as np

from app.services.anonymity import duplicates
from app.services.intake import application_form

PROJECT = ("Мы очищаем берега реки Вохры от мусора силами школьников и волонтёров района, "
           "ставим контейнеры для раздельного сбора, проводим уроки экологии в трёх сёлах "
           "и публикуем карту чистых мест; бюджет уходит на перчатки, мешки и вывоз отходов.")
OTHER = ("Театральная студия для подростков с нарушением слуха: спектакли на жестовом языке, "
         "гастроли по области, мастер-классы для родителей и учителей, запись постановок на видео.")


def _contest(make, organiser=None):
    contest = make.contest(organiser=organiser)
    application_form.add_field(contest, key="summary", type="textarea", label_en="Summary")
    application_form.add_field(contest, key="organisation", type="text", label_en="Organisation")
    return contest


def test_shingles_and_signature_estimate_similarity():
    a = duplicates.shingles(PROJECT)
    b = duplicates.shingles(PROJECT.replace("школьников", "студентов"))
    c = duplicates.shingles(OTHER)
    assert 0.7 < duplicates.jaccard(a, b) < 1.0
    assert duplicates.jaccard(a, c) == 0.0
    sa_, sb = duplicates.signature(a), duplicates.signature(b)
    estimate = float(np.mean(sa_ == sb))
    assert abs(estimate - duplicates.jaccard(a, b)) < 0.25
    assert duplicates.jaccard(duplicates.shingles("Ёлка"), duplicates.shingles("елка")) == 1.0


def test_near_duplicates_in_the_contest_are_found_with_their_score(make):
    contest = _contest(make)
    entrant = make.user(name="Иван Блинов")
    first = make.entry(contest, entrant=entrant, title="Чистая Вохра", answers={"summary": PROJECT})
    again = make.entry(contest, entrant=entrant, title="Чистая Вохра",
                       answers={"summary": PROJECT.replace("трёх сёлах", "пяти сёлах")})
    copied = make.entry(contest, title="Чистая река", answers={"summary": PROJECT})
    make.entry(contest, title="Тихий театр", answers={"summary": OTHER})
    make.entry(contest, title="Черновик", answers={"summary": PROJECT}, status="draft")
    found = duplicates.find_duplicates(contest)
    pairs = {frozenset((d.first.entry_id, d.second.entry_id)): d for d in found}
    assert set(pairs) == {frozenset((first.id, again.id)), frozenset((first.id, copied.id)),
                          frozenset((again.id, copied.id))}
    assert pairs[frozenset((first.id, again.id))].same_entrant
    assert not pairs[frozenset((first.id, copied.id))].same_entrant
    assert all(0.5 <= d.similarity <= 1.0 for d in found)
    assert [d.similarity for d in found] == sorted((d.similarity for d in found), reverse=True)


def test_identifying_answers_do_not_make_a_duplicate(make):
    contest = _contest(make)
    organisation = "Автономная некоммерческая организация содействия развитию гражданских инициатив «Заря»"
    make.entry(contest, title="Один проект", answers={"summary": PROJECT[:60], "organisation": organisation})
    make.entry(contest, title="Совсем другой", answers={"summary": OTHER[:60], "organisation": organisation})
    assert duplicates.find_duplicates(contest) == []


def test_against_earlier_contests_and_only_earlier(make):
    earlier = _contest(make)
    old = make.entry(earlier, title="Чистая Вохра", answers={"summary": PROJECT})
    current = _contest(make)
    new = make.entry(current, title="Чистая Вохра 2", answers={"summary": PROJECT})
    found = duplicates.find_duplicates(current)
    assert [(d.first.entry_id, d.second.entry_id) for d in found] == [(new.id, old.id)]
    assert duplicates.find_duplicates(earlier) == []  # a later contest is not "previous"
    assert duplicates.find_duplicates(current, earlier=False) == []


def test_identical_texts_in_numbers(make):
    contest = _contest(make)
    entries = [make.entry(contest, title="Копия", answers={"summary": PROJECT}) for _ in range(4)]
    found = duplicates.find_duplicates(contest)
    assert len(found) == 6 and all(d.similarity == 1.0 for d in found)
    assert {d.first.entry_id for d in found} | {d.second.entry_id for d in found} == {e.id for e in entries}


def test_organiser_page_lists_duplicates_and_hides_contests_they_do_not_organise(client, make, login):
    someone_else = make.user(name="Other organiser")
    earlier = _contest(make, organiser=someone_else)
    make.entry(earlier, title="Старая Вохра", answers={"summary": PROJECT})
    organiser = make.user(name="Org")
    contest = _contest(make, organiser=organiser)
    first = make.entry(contest, title="Чистая Вохра", answers={"summary": PROJECT})
    second = make.entry(contest, title="Чистая Вохра", answers={"summary": PROJECT})
    login(organiser)
    for page in (f"/manage/{contest.slug}/anonymity", f"/manage/{contest.slug}/entries"):
        assert f"/manage/{contest.slug}/duplicates".encode() in client.get(page).data
    html = client.get(f"/manage/{contest.slug}/duplicates").get_data(as_text=True)
    assert f'data-testid="duplicate-{first.id}-{second.id}"' in html
    assert "100%" in html
    assert "Старая Вохра" not in html  # another organiser's contest: its entry is not named
    assert "An entry of an earlier contest you do not organise" in html


def test_duplicates_page_fixed_queries(client, make, login, count_queries):
    organiser = login(make.user(name="Org"))
    earlier = _contest(make, organiser=organiser)
    contest = _contest(make, organiser=organiser)
    make.entry(earlier, title="Старая", answers={"summary": PROJECT})
    make.entry(contest, title="Новая", answers={"summary": PROJECT})

    def queries():
        with count_queries() as counter:
            assert client.get(f"/manage/{contest.slug}/duplicates").status_code == 200
        return counter.count

    few = queries()
    for index in range(6):
        make.entry(earlier, title=f"Старая {index}", answers={"summary": PROJECT})
        make.entry(contest, title=f"Новая {index}", answers={"summary": PROJECT + f" {index}"})
    assert queries() == few


def test_ten_thousand_entries_within_a_minute(make):
    """Size L: 10,000 entries of varied text with a few planted copies, found in ≤ 60 s."""
    from app.extensions import db
    from app.models import Entry, User
    from tests import factories

    contest = _contest(make)
    rng = np.random.default_rng(7)
    vocabulary = [f"слово{i}" for i in range(5000)]
    db.session.execute(db.insert(User), [{"email": f"bulk{i}@example.org", "name": f"B {i}", "password_hash": "x",
                                          "locale": "ru", "created_at": factories.NOW} for i in range(10_000)])
    user_ids = list(db.session.scalars(db.select(User.id).where(User.email.like("bulk%")).order_by(User.id)))
    texts = [" ".join(rng.choice(vocabulary, size=60)) for _ in range(10_000)]
    for i in range(0, 50, 2):
        texts[i + 5000] = texts[i] + " и ещё немного"
    db.session.execute(db.insert(Entry), [
        {"contest_id": contest.id, "entrant_id": user_ids[i], "nomination_id": contest.nominations[0].id,
         "number": 100_000 + i, "title": f"Проект {i}", "status": "submitted", "submitted_at": factories.NOW,
         "answers": {"summary": texts[i]}, "created_at": factories.NOW, "updated_at": factories.NOW}
        for i in range(10_000)])
    db.session.commit()
    started = time.perf_counter()
    found = duplicates.find_duplicates(contest)
    elapsed = time.perf_counter() - started
    assert elapsed <= 60, elapsed
    assert {(d.first.number, d.second.number) for d in found} == {(100_000 + i, 105_000 + i) for i in range(0, 50, 2)}
    print(f"duplicates over 10,000 entries: {elapsed:.1f} s")
