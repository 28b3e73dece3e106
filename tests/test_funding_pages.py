"""The Funds and Funding pages: set-up, the side-by-side proposal, cuts, confirmation, permissions."""

from __future__ import annotations

import re
from decimal import Decimal

from app.extensions import db
from app.models import Fund
from app.services.funding import allocation
from tests.funding_helpers import Funded


def _funding_url(f):
    return f"/manage/{f.contest.slug}/results/{f.round.id}/funding"


def test_fund_set_through_the_page(client, login, app):
    f = Funded([(90, "600")])
    login(f.organiser)
    page = client.get(f"/manage/{f.contest.slug}/funds")
    assert page.status_code == 200
    response = client.post(f"/manage/{f.contest.slug}/funds", data={
        "nomination": str(f.contest.nominations[0].id), "amount": "5 000 000 ₽", "currency": "RUB",
        "min_grant": "100 000", "max_grant": "1 500 000"})
    assert response.status_code == 302
    fund = db.session.query(Fund).one()
    assert (fund.amount, fund.min_grant, fund.max_grant) == (Decimal("5000000"), Decimal("100000"), Decimal("1500000"))
    bad = client.post(f"/manage/{f.contest.slug}/funds", data={"nomination": "", "amount": "пять", "currency": "RUB"})
    assert bad.status_code == 200 and "Enter an amount" in bad.get_data(as_text=True)
    assert "пять" in bad.get_data(as_text=True)
    inverted = client.post(f"/manage/{f.contest.slug}/funds", data={
        "nomination": "", "amount": "100", "currency": "RUB", "min_grant": "50", "max_grant": "10"})
    assert "The minimum grant is above the maximum grant." in inverted.get_data(as_text=True)


def test_funding_page_side_by_side_cut_and_confirm(client, login, app):
    f = Funded([(90, "600"), (80, "500"), (70, "300")])
    f.fund("1000")
    login(f.organiser)
    page = client.get(_funding_url(f)).get_data(as_text=True)
    assert 'data-testid="side-by-side"' in page and "Best use of the fund" in page
    # Each cut form posts exactly one entry_id, its own (an empty one from the form's hidden fields
    # came first and the browser's cut was refused as "This field is required").
    for form in re.findall(r'<form method="post" action="[^"]*/funding/cut".*?</form>', page, re.S):
        assert len(re.findall(r'name="entry_id"', form)) == 1
    assert client.post(_funding_url(f) + "/rule", data={"rule": "strict", "objective": "score"}).status_code == 302
    response = client.post(_funding_url(f) + "/cut", data={"entry_id": f.entries[0].id, "amount": "400",
                                                           "reason": "padded budget"})
    assert response.status_code == 302
    page = client.get(_funding_url(f)).get_data(as_text=True)
    assert "Cut to 400\u00a0₽: padded budget" in page
    assert "allocated 900\u00a0₽, left 100\u00a0₽" in page
    # A cut without a reason is refused and changes nothing.
    client.post(_funding_url(f) + "/cut", data={"entry_id": f.entries[1].id, "amount": "1", "reason": ""})
    assert list(allocation.get_plan(f.round).cuts) == [str(f.entries[0].id)]
    assert client.post(_funding_url(f) + "/confirm").status_code == 302
    assert allocation.granted_amounts(f.round) == {f.entries[0].id: Decimal("400.00"),
                                                   f.entries[1].id: Decimal("500.00")}
    page = client.get(_funding_url(f)).get_data(as_text=True)
    assert 'data-testid="confirmed"' in page and "Cut the grant" not in page
    # Frozen: a cut posted anyway is refused.
    client.post(_funding_url(f) + "/cut", data={"entry_id": f.entries[1].id, "amount": "1", "reason": "x"})
    assert list(allocation.get_plan(f.round).cuts) == [str(f.entries[0].id)]


def test_funding_page_in_russian(client, login, app):
    f = Funded([(90, "1500000")])
    f.fund("5000000")
    f.organiser.locale = "ru"
    db.session.commit()
    login(f.organiser)
    page = client.get(_funding_url(f)).get_data(as_text=True)
    assert "1\u202f500\u202f000\u00a0₽" in page and "Финансирование" in page


def test_funding_page_before_finalising(client, login, app):
    f = Funded([(90, "600")], finalise=False)
    login(f.organiser)
    page = client.get(_funding_url(f)).get_data(as_text=True)
    assert 'data-testid="not-finalised"' in page
    client.post(_funding_url(f) + "/confirm")
    assert allocation.get_plan(f.round) is None


def test_another_contests_organiser_cannot_fund(client, login, app, make):
    f = Funded([(90, "600")])
    f.fund("1000")
    other = make.user()
    make.contest(organiser=other)
    login(other)
    assert client.get(_funding_url(f)).status_code == 403
    assert client.post(_funding_url(f) + "/confirm").status_code == 403
    assert client.post(f"/manage/{f.contest.slug}/funds/delete", data={"fund_id": 1}).status_code == 403
    assert allocation.get_plan(f.round) is None


def test_fund_of_another_contest_cannot_be_deleted(client, login, app, make):
    f = Funded([(90, "600")])
    g = Funded([(90, "600")])
    fund = g.fund("1000")
    login(f.organiser)
    assert client.post(f"/manage/{f.contest.slug}/funds/delete", data={"fund_id": fund.id}).status_code == 404


def test_funding_page_queries_do_not_grow_with_entries(client, login, app, count_queries):
    def measure(count):
        f = Funded([(90 - i, "100") for i in range(count)], [(80 - i, "100") for i in range(count)])
        f.fund("500")
        f.fund("300", nomination=1)
        f.fund("1000", nomination=None)
        login(f.organiser)
        client.get(_funding_url(f))
        with count_queries() as counter:
            assert client.get(_funding_url(f)).status_code == 200
        return counter.count

    assert measure(2) == measure(12)


def _confirm_and_publish(f, *, show: bool):
    from app.services.results import outcomes as results_service

    allocation.set_show_amounts(f.round, show=show, actor=f.organiser)
    allocation.confirm_allocation(f.round, actor=f.organiser)
    results_service.publish_results(f.contest, actor=f.organiser, notify=False)
    db.session.commit()


def test_published_results_show_grants_when_chosen(client, login, app):
    f = Funded([(90, "1 500 000"), (80, "2000000")])
    f.fund("2000000")
    _confirm_and_publish(f, show=True)
    page = client.get(f"/c/{f.contest.slug}/results").get_data(as_text=True)
    assert "grant 1,500,000\u00a0₽" in page
    entrant = f.entries[0].entrant
    login(entrant)
    own = client.get(f"/c/{f.contest.slug}/results/entry/{f.entries[0].id}").get_data(as_text=True)
    assert 'data-testid="granted"' in own and "1,500,000\u00a0₽" in own


def test_published_results_hide_grants_unless_chosen(client, app):
    f = Funded([(90, "1500000")])
    f.fund("2000000")
    _confirm_and_publish(f, show=False)
    page = client.get(f"/c/{f.contest.slug}/results").get_data(as_text=True)
    assert 'data-testid="granted"' not in page


def test_exports_carry_the_granted_amount(client, login, app):
    import io

    from openpyxl import load_workbook

    f = Funded([(90, "1500000"), (80, "2000000")])
    f.fund("2000000")
    allocation.confirm_allocation(f.round, actor=f.organiser)
    db.session.commit()
    login(f.organiser)
    csv_text = client.get(f"/manage/{f.contest.slug}/results/{f.round.id}/export.csv").get_data(as_text=True)
    header, first, second = csv_text.lstrip("\ufeff").splitlines()[:3]
    assert header.endswith(",Granted") and first.endswith(",1500000.00") and second.endswith(",")
    data = client.get(f"/manage/{f.contest.slug}/results/{f.round.id}/export.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.cell(1, sheet.max_column).value == "Granted"
    assert sheet.cell(2, sheet.max_column).value == 1500000


def test_funds_page_queries_do_not_grow_with_funds(client, login, app, make, count_queries):
    from app.services.setup import contests as contest_service

    f = Funded([(90, "100")])
    login(f.organiser)
    f.fund("100")
    with count_queries() as few:
        assert client.get(f"/manage/{f.contest.slug}/funds").status_code == 200
    for index in range(5):
        contest_service.add_nomination(f.contest, key=f"extra{index}", title_ru="Н", title_en="N")
        db.session.commit()
        f.fund("100", nomination=2 + index)
    f.fund("100", nomination=None)
    with count_queries() as many:
        assert client.get(f"/manage/{f.contest.slug}/funds").status_code == 200
    assert many.count == few.count


def test_judge_reads_the_requested_amount_as_their_language_writes_it(client, login, freeze, app):
    """Not the stored «1500000.00»: the one formatter of answers (application_form.display_value)."""
    from app.services.intake import application_form
    from tests import scoring_helpers as sh

    s = sh.scene(entries=1)
    application_form.add_field(s.contest, key="requested", type="amount", label_en="Requested", requested=True)
    s.entry.answers = {**(s.entry.answers or {}), "requested": "1500000.00"}
    db.session.commit()
    freeze(sh.JUDGING)
    login(s.judge)
    english = client.get(s.url()).get_data(as_text=True)
    assert "1,500,000\u00a0₽" in english and "1500000.00" not in english
    s.judge.locale = "ru"  # the judge's own language setting
    db.session.commit()
    russian = client.get(s.url()).get_data(as_text=True)
    assert "1\u202f500\u202f000\u00a0₽" in russian


def test_the_allocation_table_shows_the_edge_and_the_rest_on_request(client, login, app):
    f = Funded([(90 - i, "100") for i in range(30)])
    f.fund("300")  # three funded, then the 20 below the edge; 7 more on request
    login(f.organiser)
    page = client.get(_funding_url(f)).get_data(as_text=True)
    table = page.split('data-testid="allocation"')[1].split("</table>")[0]
    assert table.count("<tr") == 1 + 3 + 20
    assert "7 more candidates below them are not shown." in page
    everything = client.get(_funding_url(f) + "?all=1").get_data(as_text=True)
    assert everything.split('data-testid="allocation"')[1].split("</table>")[0].count("<tr") == 1 + 30
    assert 'data-testid="more-candidates"' not in everything
