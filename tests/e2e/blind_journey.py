"""Blind judging walked in a browser (issue 22): the organiser makes round 1 blind, runs the
anonymity check, marks one finding harmless and asks for one file to be replaced, checks one
title; the judge's pages and the files they download show no identity string.

Set-up, applications, screening and the jury are the whole-contest journey's own steps; this
journey differs in what entrant A writes and attaches: a summary naming the organisation, a PDF
whose author is the entrant and whose text gives the entrant's e-mail, a JPEG with a GPS position.
"""

from __future__ import annotations

import copy
import io
from datetime import timedelta

from PIL import ExifTags, Image
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from tests.e2e.journey import TEXT, Journey, local_input

# Entrant A's summary names the organisation (the answer judges read must come out redacted).
SUMMARY = {"ru": "Занятия для школьников о раздельном сборе отходов; проект ведёт АНО «Зелёный город».",
           "en": "Lessons for school pupils on sorting waste, run by Green City NGO."}
ORGANISATION = {"ru": "АНО «Зелёный город»", "en": "Green City NGO"}
# What must never reach the judge: the organisation's distinctive words, the entrant's name and e-mail.
ORGANISATION_WORDS = {"ru": ("Зелёный город", "Зелёного города"), "en": ("Green City",)}


def pdf_with(text: str, author: str) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(300, 200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 10 Tf 20 100 Td ({text}) Tj ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    writer.add_metadata({"/Author": author, "/Title": "Budget"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "green")
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)}
    exif[ExifTags.Base.Artist] = "Photographer"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


class BlindJourney(Journey):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = {"blind-ru": 4, "blind-en": 5}.get(self.name, 6)
        self.titles = {lang: f"{TEXT[lang]['contest']} {number}" for lang in ("ru", "en")}
        self.title = self.titles[self.language]
        self.text = copy.deepcopy(TEXT[self.language])
        title, _organisation, _summary = self.text["entry_a"]
        self.text["entry_a"] = (title, ORGANISATION[self.language], SUMMARY[self.language])
        entrant = self.people["entrant_a"]
        folder = self.server.workdir / f"blind-files-{self.name}"
        folder.mkdir(parents=True, exist_ok=True)
        self.samples_a = {"pdf": folder / "budget.pdf", "jpg": folder / "photo.jpg"}
        self.samples_a["pdf"].write_bytes(pdf_with(f"Budget. Contact: {entrant.email}", entrant.name))
        self.samples_a["jpg"].write_bytes(jpeg_with_gps())

    # -- set-up: round 1 is blind ---------------------------------------------------------------

    def organiser_makes_round_blind(self) -> None:
        org = self.organiser
        self._tab("Set-up")
        org.click(org.page.get_by_role("link", name=self.text["round1"], exact=True))
        org.click(org.link("Edit the round"))
        org.field("Blind review (judges do not see who the entrant is)").check()
        expect(org.field("Titles are safe: show judges the project titles as entered")).not_to_be_checked()
        org.submit("Save")
        org.expect_flash("The round is saved.")

    # -- entrants: A's files give A away ----------------------------------------------------------

    def entrants_apply(self) -> None:
        nomination = self.text["nominations"][0][1]
        who = self.entrant_a
        who.goto(f"/c/{self.slug}/")
        who.click(who.page.get_by_test_id("apply"))
        self._fill_application(who, self.text["entry_a"], nomination)
        fields = self.text["fields"]
        who.upload(fields["presentation"], self.samples_a["pdf"])
        who.upload(fields["photos"], self.samples_a["jpg"])
        who.click(who.page.get_by_test_id("submit"))
        expect(who.heading("Your application is submitted")).to_be_visible()
        number = who.page.get_by_test_id("entry-number").inner_text()
        self.numbers[self.text["entry_a"][0]] = int("".join(ch for ch in number if ch.isdigit()))
        self.entrant_applies(self.entrant_b, self.text["entry_b"], nomination)

    # -- the anonymity check ----------------------------------------------------------------------

    def _finding(self, text: str):
        return self.organiser.page.locator("li[data-testid^=finding-]").filter(has_text=text)

    def organiser_runs_check(self) -> None:
        org = self.organiser
        self._tab("Anonymity")
        org.click(org.page.get_by_test_id("run-check"), shot="anonymity-check")
        org.expect_flash("The anonymity check is done.")
        entrant = self.people["entrant_a"]
        number_a = self.numbers[self.text["entry_a"][0]]
        card = org.page.locator("[data-testid^=findings-]").filter(has_text=f"{org.t('No.')} {number_a}")
        # The PDF's author and the e-mail in its text (with its page), the photo's GPS position,
        # and the organisation in the summary the judges read.
        expect(card.filter(has_text=entrant.name)).to_have_count(1)
        expect(self._finding(entrant.email)).to_contain_text(org.t("page %(page)s", page=1))
        expect(self._finding("55.75000, 37.61667")).to_have_count(1)
        expect(card).to_contain_text(org.t("Answer “%(key)s”", key=self.text["fields"]["summary"]))
        # Entrant B's files are clean: nothing found for B.
        number_b = self.numbers[self.text["entry_b"][0]]
        expect(org.page.locator("[data-testid^=findings-]").filter(
            has_text=f"{org.t('No.')} {number_b} ·")).to_have_count(0)

    def organiser_decides(self) -> None:
        org = self.organiser
        gps = self._finding("55.75000, 37.61667")
        org.click(gps.locator("[data-testid^=harmless-]"))
        org.expect_flash("The decision is saved.")
        expect(self._finding("55.75000, 37.61667").locator("[data-testid^=status-]")).to_have_text(org.t("harmless"))

        entrant = self.people["entrant_a"]
        org.click(self._finding(entrant.email).locator("[data-testid^=replace-]"), shot="anonymity-replace")
        deadline = self.now + timedelta(days=3)
        org.fill({"Replace the file by": local_input(deadline)})
        org.field("Message to the entrant").fill(
            "Уберите e-mail из бюджета." if self.language == "ru" else "Take the e-mail out of the budget.")
        org.submit("Ask for a new file")
        org.expect_flash("The entrant is asked by e-mail to replace the file.")
        expect(self._finding(entrant.email).locator("[data-testid^=status-]")).to_contain_text(
            org.t("new file asked for by %(deadline)s", deadline="").strip())
        assert self.server.mails(entrant.email), "the entrant got no e-mail about the file"

        # Entry B's title names no one: the organiser says so; A's stays hidden.
        titles = org.page.get_by_test_id("titles")
        row_b = titles.get_by_role("row").filter(has_text=self.text["entry_b"][0])
        org.click(row_b.locator("[data-testid^=title-safe-]"))
        org.expect_flash("The title of entry No. %(number)s is saved.",
                         number=self.numbers[self.text["entry_b"][0]])
        expect(org.page.get_by_test_id("titles")).to_contain_text(self.text["entry_a"][0])
        # Duplicate applications are one click away; these two projects are not alike.
        org.click(org.page.get_by_test_id("duplicates-link"), shot="duplicates")
        expect(org.page.get_by_test_id("no-duplicates")).to_be_visible()

    def entrant_replaces_file(self) -> None:
        """Entrant A follows the e-mail, reads the organisers' message and uploads a new PDF (its
        author still set: the judges' copy drops it)."""
        who = self.entrant_a
        entrant = self.people["entrant_a"]
        link = self.server.link_in_mail(entrant.email, "/entries/")
        who.page.goto(link)
        who.seen()
        request_box = who.page.locator("[data-testid^=replace-request-]")
        expect(request_box).to_contain_text("budget.pdf")
        who.click(request_box.get_by_role("link", name=who.t("Replace the file"), exact=True), shot="replace-file")
        new_pdf = self.samples_a["pdf"].with_name("budget-v2.pdf")
        new_pdf.write_bytes(pdf_with("Budget lines and the plan", entrant.name))
        who.field("New file").set_input_files(str(new_pdf))
        who.submit("Replace the file")
        who.expect_flash("The file is replaced. The organisers will see the new one.")

    # -- the judge ------------------------------------------------------------------------------------

    def judge_sees_blind_entry(self) -> None:
        self.at(self.judging1[0] + timedelta(hours=1))
        title_a, title_b = self.text["entry_a"][0], self.text["entry_b"][0]
        name = sorted(self.assignments[title_a])[0]
        judge = self._judge_by_name(name)
        judge.nav("Jury", shot="blind-dashboard")
        number_a = self.numbers[title_a]
        hidden_title = judge.t("Application No. %(number)s", number=number_a)
        dashboard = judge.page.locator("main")
        expect(dashboard).to_contain_text(hidden_title)
        expect(dashboard).not_to_contain_text(title_a)
        if name in self.assignments[title_b]:
            expect(dashboard).to_contain_text(title_b)  # checked by the organiser: shown
        row = dashboard.get_by_role("row").filter(has_text=hidden_title)
        judge.click(row.get_by_role("link").first, shot="blind-score-page")
        expect(judge.page.get_by_test_id("entry-title")).to_contain_text(hidden_title)
        expect(judge.page.get_by_test_id("blind-note")).to_be_visible()
        entrant = self.people["entrant_a"]
        page_text = judge.page.locator("main").inner_text()
        for secret in (title_a, entrant.name, entrant.email, "budget.pdf", "photo.jpg",
                       *ORGANISATION_WORDS[self.language]):
            assert secret not in page_text, f"the judge's page shows {secret!r}"
        assert "▇" in page_text  # the organisation in the summary is blacked out
        # The files the judge downloads: copies without the metadata, the PDF's text as entered.
        links = judge.page.locator("main li a[href*='/files/']:not([href*='inline'])")
        assert links.count() == 2, links.count()
        downloaded = {}
        for index in range(links.count()):
            response = judge.context.request.get(self.server.url(links.nth(index).get_attribute("href")))
            assert response.ok, response.status
            downloaded[response.headers.get("content-type", "")] = response.body()
        pdf = next(body for kind, body in downloaded.items() if "pdf" in kind)
        reader = PdfReader(io.BytesIO(pdf))
        metadata = reader.metadata or {}
        assert not metadata.get("/Author") and entrant.name not in str(dict(metadata))
        pdf_text = "".join(page.extract_text() for page in reader.pages)
        assert "Budget lines" in pdf_text and entrant.email not in pdf_text  # the replaced file
        jpeg = next(body for kind, body in downloaded.items() if "image" in kind)
        with Image.open(io.BytesIO(jpeg)) as image:
            exif = image.getexif()
            assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and not exif.get(ExifTags.Base.Artist)
        # The application as a PDF (the judge's link): the same redaction.
        href = judge.page.get_by_role("link", name=judge.t("Application as PDF"), exact=True).get_attribute("href")
        response = judge.context.request.get(self.server.url(href))
        assert response.ok, response.status
        application = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body())).pages)
        assert hidden_title in application
        for secret in (title_a, entrant.name, entrant.email, *ORGANISATION_WORDS[self.language]):
            assert secret not in application, f"the judge's application PDF shows {secret!r}"
