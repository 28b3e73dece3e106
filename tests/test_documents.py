"""Documents (issue 18): every file is opened with an independent reader (pypdf, python-docx,
openpyxl) and checked for what the pages show, Cyrillic included; who may open which."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from app.extensions import db
from app.models import Attachment, Review
from app.services.platform import jobs, storage
from tests import entries_helpers as h
from tests import factories
from tests import results_helpers as rh
from tests import scoring_helpers as sh

ORGANISATION = "АНО «Зелёный город»"
TITLE = "Школа юного эколога"


def real_pdf() -> bytes:
    """A one-page PDF as a word processor would save it (with a cross-reference table)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


class World:
    def __init__(self, *, blind: bool = True, entries: int = 2):
        self.organiser = factories.user(name="Организатор Ольга")
        self.contest = factories.contest(organiser=self.organiser)
        h.add_form(self.contest)
        self.round = factories.round_(self.contest, blind=blind, pass_mark=Decimal("5"))
        self.judge = sh.judge(self.round, name="Эксперт Анна")
        self.other_judge = sh.judge(self.round, name="Эксперт Борис")
        self.entrant = factories.user(name="Иван Петров", email="ivan.petrov@example.org")
        self.entries = []
        for index in range(entries):
            entry = factories.entry(
                self.contest, entrant=self.entrant if index == 0 else None, title=f"{TITLE} {index + 1}",
                organisation=ORGANISATION, inn=h.VALID_INN, rounds=[self.round],
                answers={"organisation": ORGANISATION, "inn": h.VALID_INN,
                         "summary": f"Учим школьников сортировать отходы. {ORGANISATION} ведёт проект.",
                         "budget": "1500000", "legal_form": "ano", "consent": True})
            sh.assign(self.round, entry, self.judge)
            sh.assign(self.round, entry, self.other_judge)
            self.entries.append(entry)
        self.entry = self.entries[0]
        self.pdf = self._attach("presentation", "презентация-Петров.pdf", "application/pdf", real_pdf())
        self._attach("photos", "фото.png", "image/png", h.png_bytes())
        rh.review(self.round, self.entry, self.judge, [8, 9], comment="Сильная команда")
        rh.review(self.round, self.entry, self.other_judge, [3, 1])

    def _attach(self, field, name, content_type, data):
        key = storage.new_key("attachments")
        storage.store(key, io.BytesIO(data), content_type=content_type)
        attachment = Attachment(entry_id=self.entry.id, field_key=field, storage_key=key, filename=name,
                                size=len(data), sha256="0" * 64, content_type=content_type,
                                uploaded_at=factories.NOW)
        db.session.add(attachment)
        db.session.commit()
        return attachment

    @property
    def base(self) -> str:
        return f"/manage/{self.contest.slug}"


@pytest.fixture
def world(app, freeze):
    freeze(sh.JUDGING)
    return World()


# --- the application PDF -------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "heading", "label"), [
    ("ru", "Заявка №", "Краткое описание"), ("en", "Application No.", "Summary")])
def test_organiser_application_pdf_has_the_answers_in_the_language(client, login, world, language, heading, label):
    login(world.organiser)
    response = client.get(f"{world.base}/entries/{world.entry.id}/application.pdf?lang={language}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert f"{heading} {world.entry.number}" in text
    assert f"{TITLE} 1" in text
    assert label in text
    assert "Номинация 1" in text or "Nomination 1" in text
    assert ORGANISATION in text and "Иван Петров" in text
    assert "презентация-Петров.pdf" in text


def test_judge_pdf_of_a_blind_round_holds_no_identity(client, login, world):
    login(world.judge)
    response = client.get(f"/jury/rounds/{world.round.id}/entries/{world.entry.id}/application.pdf?lang=ru")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert f"Заявка № {world.entry.number}" in text
    assert "Учим школьников" in text  # the answers are there …
    for identity in (ORGANISATION, "Иван Петров", "ivan.petrov", h.VALID_INN, "Петров"):
        assert identity not in text  # … without who wrote them


def test_judge_pdf_follows_the_score_page_rule(client, login, world, make):
    stranger = sh.judge(world.round, name="Unassigned")
    login(stranger)
    assert client.get(f"/jury/rounds/{world.round.id}/entries/{world.entry.id}/application.pdf").status_code == 404
    sh.conflict(world.entry, world.judge)
    login(world.judge)
    assert client.get(f"/jury/rounds/{world.round.id}/entries/{world.entry.id}/application.pdf").status_code == 403
    login(world.entrant)
    assert client.get(f"{world.base}/entries/{world.entry.id}/application.pdf").status_code == 403


def test_dossier_appends_the_attached_pdf_and_image(client, login, world):
    login(world.organiser)
    form = client.get(f"{world.base}/entries/{world.entry.id}/application.pdf")
    dossier = client.get(f"{world.base}/entries/{world.entry.id}/application.pdf?full=1")
    assert len(PdfReader(io.BytesIO(dossier.data)).pages) == len(PdfReader(io.BytesIO(form.data)).pages) + 2
    assert "фото.png" in pdf_text(dossier.data)


def test_dossier_survives_a_damaged_attachment(client, login, world):
    storage.store(world.pdf.storage_key, io.BytesIO(b"%PDF-1.4 garbage"), content_type="application/pdf")
    login(world.organiser)
    response = client.get(f"{world.base}/entries/{world.entry.id}/application.pdf?full=1")
    assert response.status_code == 200
    assert f"{TITLE} 1" in pdf_text(response.data)


# --- evaluation sheets ---------------------------------------------------------------------------

def test_judge_sheet_shows_own_scores_total_and_declaration(client, login, world):
    login(world.judge)
    response = client.get(f"/jury/rounds/{world.round.id}/sheet.pdf?lang=ru")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Оценочный лист эксперта" in text
    assert "25,00" in text  # 2·8 + 1·9
    assert "Сильная команда" in text and "I declare." in text
    assert "Эксперт Анна" in text
    assert "7,00" not in text  # the other judge's total (2·3 + 1·1) is not on this sheet
    assert ORGANISATION not in text  # a blind round's titles are redacted like the answers


def test_sheet_is_the_judges_own_only(client, login, world, make):
    outsider = make.user(name="Outsider")
    login(outsider)
    assert client.get(f"/jury/rounds/{world.round.id}/sheet.pdf").status_code == 404
    login(world.judge)
    # The organisers' route to any judge's sheet is not a judge's.
    other_sheet = f"{world.base}/rounds/{world.round.id}/judges/{world.other_judge.id}/sheet.pdf"
    assert client.get(other_sheet).status_code == 403
    login(world.organiser)
    response = client.get(f"{world.base}/rounds/{world.round.id}/judges/{world.other_judge.id}/sheet.pdf?lang=en")
    assert response.status_code == 200
    assert "7.00" in pdf_text(response.data)
    assert client.get(f"{world.base}/rounds/{world.round.id}/judges/{outsider.id}/sheet.pdf").status_code == 404


def test_blank_sheet_lists_criteria_weights_and_anchors(client, login, world):
    from app.services.setup import contests as setup

    criterion = world.round.criteria[0]
    criterion.anchors_ru = "0 — полностью не отвечает; 10 — полностью отвечает"
    db.session.commit()
    assert setup is not None
    login(world.organiser)
    text = pdf_text(client.get(f"{world.base}/rounds/{world.round.id}/blank-sheet.pdf?lang=ru").data)
    assert "c1" in text and "2,00" in text and "полностью отвечает" in text and "30,00" in text


def test_sheet_costs_the_same_queries_for_more_entries(app, world, count_queries):
    from app.services.documents.sheets import evaluation_sheet

    with count_queries() as few:
        evaluation_sheet(world.round, world.judge, show_identity=False)
    for _ in range(5):
        sh.assign(world.round, factories.entry(world.contest, rounds=[world.round]), world.judge)
    db.session.expire_all()
    with count_queries() as many:
        assert len(evaluation_sheet(world.round, world.judge, show_identity=False).entries) == 7
    assert many.count == few.count


# --- the score matrix ----------------------------------------------------------------------------

def test_score_matrix_page_and_xlsx_hold_real_numbers(client, login, world):
    login(world.organiser)
    page = client.get(f"{world.base}/rounds/{world.round.id}/matrix")
    assert page.status_code == 200
    assert "Эксперт Анна" in page.text and "25.00" in page.text and "7.00" in page.text and "16.00" in page.text
    response = client.get(f"{world.base}/rounds/{world.round.id}/matrix.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "E2"
    headers = [c.value for c in sheet[1]]
    row = {headers[i]: c.value for i, c in enumerate(sheet[2])}
    assert row["Эксперт Анна"] == 25.0 and row["Эксперт Борис"] == 7.0
    assert row["Score"] == 16.0 and row["Spread"] == 18.0
    assert row["Flagged"] == "yes"  # spread 18 ≥ 30 % of 30


def test_score_matrix_page_fixed_queries(client, login, world, count_queries):
    login(world.organiser)
    path = f"{world.base}/rounds/{world.round.id}/matrix"
    client.get(path)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    for _ in range(6):
        entry = factories.entry(world.contest, rounds=[world.round])
        sh.assign(world.round, entry, world.judge)
        rh.review(world.round, entry, world.judge, [5, 5])
    client.get(path)  # the ranking is cached per round version: compare warm with warm
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert many.count == few.count


# --- the protocol --------------------------------------------------------------------------------

def _finalise(world):
    from app.services.results import finalising, outcomes

    items = finalising.finalise_checklist(world.round)
    outcomes.finalise_round(world.round, actor=world.organiser, confirmed={i.key for i in items},
                            reason="test set-up" if items else "")
    db.session.commit()


def test_protocol_details_are_kept_and_printed_in_docx_and_pdf(client, login, world):
    _finalise(world)
    login(world.organiser)
    url = f"{world.base}/rounds/{world.round.id}/protocol"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"meeting_date": "2026-12-02", "place": "Москва, Тверская ул., 1",
                                      "present": "Эксперт Анна\nЭксперт Борис", "quorum": "2 из 2, кворум есть",
                                      "chair": "Председатель Пётр", "secretary": "Секретарь Светлана",
                                      "notes": "Решили опубликовать итоги."})
    assert response.status_code == 302
    # A reading of the frozen ranking: a change to a review after finalising does not reach it.
    db.session.execute(sa.update(Review).where(Review.judge_id == world.other_judge.id).values(total=Decimal("30")))
    db.session.commit()
    docx = docx_text(client.get(f"{url}.docx?lang=ru").data)
    for text in ("Протокол заседания экспертного совета", "2 декабря 2026 г.", "Москва, Тверская ул., 1",
                 "Председатель Пётр", "Секретарь Светлана", "Эксперт Анна", f"{TITLE} 1", "16,00",
                 "2 из 2", "Решили опубликовать итоги."):
        assert text in docx, text
    assert "27,50" not in docx
    pdf = pdf_text(client.get(f"{url}.pdf?lang=en").data)
    for text in ("Minutes of the expert council meeting", "2 December 2026", "Председатель Пётр", "16.00",
                 f"{TITLE} 1"):
        assert text in pdf, text
    # The reliability section (statistics.report.protocol_lines): agreement, and the seed that makes it come back.
    assert "Krippendorff" in pdf and "seed 2026" in pdf
    assert "Криппендорфа" in docx


def test_contest_protocol_lists_finalised_rounds_and_stays_a_draft_otherwise(client, login, world):
    login(world.organiser)
    draft = docx_text(client.get(f"{world.base}/rounds/{world.round.id}/protocol.docx?lang=en").data)
    assert "Draft" in draft
    _finalise(world)
    text = docx_text(client.get(f"{world.base}/protocol.docx?lang=ru").data)
    assert "Протокол заседания экспертного совета" in text and f"{TITLE} 1" in text and "Draft" not in text


def test_protocol_details_are_audited(client, login, world):
    from app.models import AuditEvent

    login(world.organiser)
    client.post(f"{world.base}/protocol", data={"place": "Казань"})
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "protocol.edit"))
    assert event is not None and event.new == {"place": "Казань"} and event.old == {"place": None}


# --- the jury pack -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["zip", "pdf"])
def test_jury_pack_job_runs_to_completion_in_process(client, login, world, fmt):
    login(world.organiser)
    response = client.post(f"{world.base}/jury-pack", data={"nomination": str(world.round.id), "fmt": fmt})
    assert response.status_code == 302
    job_id = response.headers["Location"].rstrip("/").split("/")[-1]
    status = jobs.get_job(job_id)
    assert status["status"] == "done" and status["progress_done"] == status["progress_total"] == 2
    page = client.get(f"/jobs/{job_id}")
    assert "2 of 2" in page.text
    data = client.get(f"/jobs/{job_id}/download").data
    if fmt == "zip":
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        assert "00000-index.pdf" in names
        folder = f"{world.entry.number:05d}"
        assert f"{folder}/{folder}-application.pdf" in names
        assert archive.read(next(n for n in names if n.startswith(f"{folder}/01-"))) == real_pdf()
        index = pdf_text(archive.read("00000-index.pdf"))
        # A blind round's titles stay hidden from the jury (anonymity.titles): the number stands for it.
        assert f"Application No. {world.entries[1].number}" in index
        assert f"{TITLE} 2" not in index and ORGANISATION not in index
        application = pdf_text(archive.read(f"{folder}/{folder}-application.pdf"))
        assert "Иван Петров" not in application  # a blind round's pack is redacted for the jury
    else:
        reader = PdfReader(io.BytesIO(data), strict=True)
        text = "\n".join(page.extract_text() for page in reader.pages)
        first, second = (f"Application No. {e.number}" for e in world.entries)
        assert text.index("Jury pack") < text.index(first) < text.index(second)
        assert TITLE not in text
        # The first entry's attachments follow its form: the 200 pt PDF page and the image's page.
        sizes = [round(float(page.mediabox.width)) for page in reader.pages]
        assert 200 in sizes and sizes.index(200) < text.count("\x0c") + len(sizes)
        assert any(page.images for page in reader.pages)


def test_jury_pack_of_one_nomination_only_takes_its_entries(client, login, world):
    other = factories.entry(world.contest, nomination=world.contest.nominations[1], rounds=[world.round],
                            title="Другая номинация")
    assert other.id
    login(world.organiser)
    nomination = world.contest.nominations[0]
    response = client.post(f"{world.base}/jury-pack", data={"nomination": f"{world.round.id}:{nomination.id}",
                                                            "fmt": "zip"})
    job_id = response.headers["Location"].rstrip("/").split("/")[-1]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/jobs/{job_id}/download").data))
    assert "Другая номинация" not in pdf_text(archive.read("00000-index.pdf"))


def test_jury_pack_refused_to_others(client, login, world):
    login(world.judge)
    response = client.post(f"{world.base}/jury-pack", data={"nomination": str(world.round.id), "fmt": "zip"})
    assert response.status_code == 403


def test_documents_page_lists_rounds(client, login, world):
    login(world.organiser)
    page = client.get(f"{world.base}/documents")
    assert page.status_code == 200
    assert f"/rounds/{world.round.id}/blank-sheet.pdf" in page.text


# --- the report to the sponsor -------------------------------------------------------------------

def test_sponsor_report_counts_the_funnel_in_pdf_and_xlsx(client, login, world):
    factories.entry(world.contest, status="draft", answers={"legal_form": "fund"})
    factories.entry(world.contest, eligible=False, answers={"legal_form": "ano"})
    login(world.organiser)
    report = client.get(f"{world.base}/sponsor-report.pdf?lang=ru").data
    text = pdf_text(report)
    # The charts are in it: the funnel and the nominations by stage (regions: none in this form).
    images = [image for page in PdfReader(io.BytesIO(report)).pages for image in page.images]
    assert len(images) == 2 and all(image.image.size[0] > 300 for image in images)
    assert "Отчёт для спонсора" in text and "Номинация 1" in text and "Эксперт Анна" in text and "АНО" in text
    workbook = load_workbook(io.BytesIO(client.get(f"{world.base}/sponsor-report.xlsx?lang=en").data))
    funnel = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert funnel == {"Draft": 4, "Submitted": 3, "Eligible": 2, "advanced": 0, "Winners": 0}
    assert workbook.worksheets[0]._charts  # a chart, openpyxl's own
    legal = {row[0]: row[1] for row in workbook["By legal form"].iter_rows(min_row=2, values_only=True)}
    assert legal == {"ANO": 3, "Foundation": 1}


def test_documents_page_fixed_queries(client, login, world, count_queries):
    login(world.organiser)
    path = f"{world.base}/documents"
    client.get(path)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    for _ in range(4):
        factories.round_(world.contest)
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert many.count == few.count


# --- the combined PDF, written as it comes ------------------------------------------------------

def _numbered_pdf(number: int, pages: int) -> bytes:
    from app.services.documents.pdf import PdfDocument

    pdf = PdfDocument(title=f"Документ {number}")
    for page in range(pages):
        if page:
            pdf.add_page()
        pdf.paragraph(f"Документ {number}, страница {page + 1}")
    return pdf.to_bytes()


def test_concatenator_keeps_order_puts_the_front_first_and_writes_a_valid_file(tmp_path):
    from app.services.documents.pdf_stream import PdfConcatenator

    path = tmp_path / "pack.pdf"
    with open(path, "wb") as out:
        pack = PdfConcatenator(out, title="Пакет")
        for number in range(1, 4):
            assert pack.add(PdfReader(io.BytesIO(_numbered_pdf(number, number)))) == number
        pack.add(PdfReader(io.BytesIO(real_pdf())))
        pack.add(PdfReader(io.BytesIO(_numbered_pdf(0, 1))), front=True)
        pack.close()
    reader = PdfReader(str(path), strict=True)
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) == 1 + 1 + 2 + 3 + 1
    assert "Документ 0, страница 1" in texts[0]
    assert "Документ 1, страница 1" in texts[1] and "Документ 3, страница 3" in texts[6]
    assert round(float(reader.pages[7].mediabox.width)) == 200
    assert reader.metadata.title == "Пакет"
    assert all(page["/Parent"].get_object()["/Count"] == 8 for page in reader.pages)


def test_concatenator_memory_does_not_grow_with_the_documents(tmp_path):
    """The pages are written as they come: 8 times the documents, the same Python memory (but for
    one offset per object)."""
    import tracemalloc

    from app.services.documents.pdf_stream import PdfConcatenator

    source = tmp_path / "one.pdf"
    source.write_bytes(_numbered_pdf(1, 3))

    def peak(count: int) -> int:
        tracemalloc.start()
        with open(tmp_path / f"pack-{count}.pdf", "wb") as out:
            pack = PdfConcatenator(out)
            for _ in range(count):
                with open(source, "rb") as handle:
                    pack.add(PdfReader(handle))
            pack.close()
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return result

    small, large = peak(100), peak(800)
    assert len(PdfReader(str(tmp_path / "pack-800.pdf")).pages) == 2400
    assert large < small + 200_000, (small, large)


def test_grid_repeats_its_heading_on_every_page_and_keeps_every_word():
    from app.services.documents.pdf import PdfDocument

    pdf = PdfDocument(title="Протокол")
    long_title = "Очень длинное название проекта о сортировке отходов в школах города " * 3
    pdf.grid(["Место", "№", "Название", "Балл"],
             ([str(n), str(1000 + n), long_title if n % 7 == 0 else f"Проект {n}", "7,25"] for n in range(1, 301)),
             widths=(15, 15, 120, 30))
    reader = PdfReader(io.BytesIO(pdf.to_bytes()))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 5 and all(text.lstrip().startswith("Место № Название Балл") for text in pages)
    text = " ".join(" ".join(pages).split())
    assert all(str(1000 + n) in text for n in range(1, 301))
    assert text.count(" ".join(long_title.split())) == 300 // 7  # wrapped lines, no word lost
