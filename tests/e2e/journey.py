"""The whole contest, walked in a browser by the people who run it, enter it and judge it.

One `Journey` is one contest on the shared server, in one language (and at one viewport).
Each step is a method; the test calls them in order. Everything is done by clicking and
typing: the only shortcuts are reading e-mails from the outbox folder and moving the clock
by writing the clock file.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.checks import Findings
from tests.e2e.files import write_samples
from tests.e2e.pages import Actor, Person, labelled
from tests.e2e.server import ADMIN_EMAIL, ADMIN_NAME, LiveServer

MOSCOW = ZoneInfo("Europe/Moscow")

# Content typed by people, in the journey's language (so the translation check sees only
# the interface's own words on a Russian page).
TEXT = {
    "ru": {
        "contest": "Формула будущего — проверка",
        "description": "Конкурс социальных проектов для проверки в браузере.",
        "declaration": "Я подтверждаю отсутствие конфликта интересов и сохраню конфиденциальность.",
        "nominations": [("education", "Образование и профориентация"),
                        ("ecology", "Экология и городская среда")],
        "round1": "Заочная экспертиза",
        "round2": "Публичная защита",
        "criteria1": [("relevance", "Актуальность и социальная значимость", "2"),
                      ("feasibility", "Логическая связность и реализуемость", "2"),
                      ("team", "Опыт и компетенции команды", "1")],
        "criteria2": [("pitch", "Ясность презентации", "1"),
                      ("readiness", "Готовность к запуску", "1")],
        "fields": {"organisation": "Организация", "summary": "Краткое описание проекта",
                   "requested": "Запрашиваемая сумма",
                   "presentation": "Презентация проекта", "photos": "Фотографии"},
        "entry_a": ("Школа юного эколога", "АНО «Зелёный город»",
                    "Занятия для школьников о раздельном сборе отходов."),
        "entry_a_edit": "Занятия для школьников и их родителей о раздельном сборе отходов.",
        "entry_b": ("Спорт во дворе", "Фонд «Движение»", "Бесплатные тренировки во дворах города."),
        "entry_late": "Зелёные крыши",
        "cut_reason": "Смета завышена на закупке оборудования.",
        "conflict": "Я консультировал эту организацию в прошлом году.",
        "comment_high": "Сильная и продуманная заявка.",
        "comment_low": "Цели не связаны с бюджетом.",
        "comment_mid": "Хороший проект, но команда невелика.",
        "feedback": "Уточните план работ на второй год.",
        "names": {"organiser": "Ольга Организатор", "entrant_a": "Анна Заявитель",
                  "entrant_b": "Борис Заявитель", "judge1": "Иван Эксперт",
                  "judge2": "Мария Эксперт", "judge3": "Пётр Эксперт", "judge4": "Елена Эксперт"},
    },
    "en": {
        "contest": "Formula of the Future — check",
        "description": "A social-project contest walked in a browser.",
        "declaration": "I declare no conflict of interest and will keep everything confidential.",
        "nominations": [("education", "Education and careers"),
                        ("ecology", "Ecology and urban environment")],
        "round1": "Expert review",
        "round2": "Public defence",
        "criteria1": [("relevance", "Relevance and social significance", "2"),
                      ("feasibility", "Logical coherence and feasibility", "2"),
                      ("team", "Team experience and competence", "1")],
        "criteria2": [("pitch", "Clarity of presentation", "1"),
                      ("readiness", "Readiness to launch", "1")],
        "fields": {"organisation": "Organisation", "summary": "Project summary",
                   "requested": "Requested amount",
                   "presentation": "Project presentation", "photos": "Photos"},
        "entry_a": ("Young ecologists' school", "Green City NGO",
                    "Lessons for school pupils on sorting waste."),
        "entry_a_edit": "Lessons for school pupils and their parents on sorting waste.",
        "entry_b": ("Sport in the yard", "Movement Foundation", "Free training sessions in city yards."),
        "entry_late": "Green roofs",
        "cut_reason": "The equipment budget is padded.",
        "conflict": "I advised this organisation last year.",
        "comment_high": "A strong, well thought-out application.",
        "comment_low": "The goals are not tied to the budget.",
        "comment_mid": "A good project, but the team is small.",
        "feedback": "Make the plan for the second year more specific.",
        "names": {"organiser": "Olga Orlova", "entrant_a": "Anna Smith",
                  "entrant_b": "Boris Brown", "judge1": "Ivan Petrov",
                  "judge2": "Maria Lopez", "judge3": "Peter Novak", "judge4": "Elena Fischer"},
    },
}

# Russian titles are always typed too (the contest is bilingual); English ones for both.
TITLES_EN = TEXT["en"]
TITLES_RU = TEXT["ru"]


# What the entrants ask for (typed as people type amounts), and the fund that pays them.
REQUESTED = {TEXT[lang][entry][0]: amount for lang in TEXT
             for entry, amount in (("entry_a", "1 500 000 ₽"), ("entry_b", "900000"))}

# The organiser writes the reason in the language of the journey (an English page shows it as typed).
CORRECTION_REASONS = {"ru": "Приз зрителей был пропущен при публикации",
                      "en": "The audience award was left out at publication"}


def local_input(moment: datetime) -> str:
    """A datetime-local input's value, in the contest's time zone."""
    return moment.astimezone(MOSCOW).strftime("%Y-%m-%dT%H:%M")


class Journey:
    def __init__(self, browser, server: LiveServer, findings: Findings, *, name: str,
                 language: str, phone: bool = False):
        self.browser = browser
        self.server = server
        self.findings = findings
        self.name = name
        self.language = language
        self.phone = phone
        self.text = TEXT[language]
        self.slug = f"e2e-{name}"
        # Journeys share the server, so each contest's title carries the journey's number.
        number = {"full-ru": 1, "full-en": 2}.get(name, 3)
        self.titles = {lang: f"{TEXT[lang]['contest']} {number}" for lang in ("ru", "en")}
        self.title = self.titles[language]
        # The clock: intake is open now; judging, round 2 and results follow on fixed days.
        self.start = datetime(2026, 3, 2, 10, 0, tzinfo=MOSCOW)
        self.intake = (self.start - timedelta(days=1), self.start + timedelta(days=7))
        self.judging1 = (self.start + timedelta(days=8), self.start + timedelta(days=15))
        self.judging2 = (self.start + timedelta(days=16), self.start + timedelta(days=20))
        self.actors: list[Actor] = []
        self.now = self.start
        self.samples = write_samples(server.workdir / "files")
        self.numbers: dict[str, int] = {}
        names = self.text["names"]
        self.people = {role: Person(email=f"{role}.{name}@example.org", name=full_name)
                       for role, full_name in names.items()}
        self.admin = Person(email=ADMIN_EMAIL, name=ADMIN_NAME)
        # A Russian journey starts in an English browser and switches, and the other way round.
        self.browser_locale = "en-US" if language == "ru" else "ru-RU"

    def actor(self, person: Person) -> Actor:
        actor = Actor(self.browser, self.server, self.findings, person, language=self.language,
                      phone=self.phone, browser_locale=self.browser_locale)
        # The browser's clock follows the app's, so scripts (countdowns) agree with the server.
        actor.context.clock.install(time=self.now)
        self.actors.append(actor)
        return actor

    def keep_evidence(self) -> None:
        """After a failure: every open page as a screenshot and as HTML, in the artefacts."""
        for index, actor in enumerate(self.actors):
            stem = self.findings.folder / f"FAILED-{index:02d}-{actor.person.email.split('@')[0]}"
            try:
                actor.page.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(actor.page.content(), encoding="utf-8")
            except Exception:  # noqa: BLE001 - evidence is best effort; the failure is reported anyway
                continue

    def close(self) -> None:
        for actor in self.actors:
            actor.close()

    def at(self, moment: datetime) -> None:
        """Move time for the app (its clock file) and for every browser open."""
        self.now = moment
        self.server.set_clock(moment)
        for actor in self.actors:
            actor.context.clock.set_system_time(moment)

    # -- 1. set-up -----------------------------------------------------------------------------

    def admin_creates_contest(self) -> None:
        self.at(self.start)
        admin = self.admin_actor = self.actor(self.admin)
        admin.log_in(shot="login")
        admin.nav("Administration")
        admin.click(admin.link("New contest"))
        admin.fill({"Address (slug)": self.slug, "Title (Russian)": self.titles["ru"],
                    "Title (English)": self.titles["en"]})
        expect(admin.field("Time zone")).to_have_value("Europe/Moscow")
        admin.submit("Create the contest")
        admin.expect_flash("The contest is created.")
        organiser = self.people["organiser"]
        admin.fill({"E-mail": organiser.email, "Full name (for a new account)": organiser.name})
        admin.submit("Appoint", shot="admin-organisers")
        admin.expect_flash("%(name)s is now an organiser.", name=organiser.name)

    def organiser_sets_up(self) -> None:
        org = self.organiser = self.actor(self.people["organiser"])
        org.goto("/")
        org.use_language()
        org.set_password_from_mail()
        org.log_in()
        org.nav("Manage")
        org.click(org.page.get_by_role("link", name=self.title, exact=True))
        self.manage_path = f"/manage/{self.slug}/"

        org.click(org.link("Settings"))
        org.fill({"Description (Russian)": TITLES_RU["description"],
                  "Description (English)": TITLES_EN["description"],
                  "Judges' declaration (Russian)": TITLES_RU["declaration"],
                  "Judges' declaration (English)": TITLES_EN["declaration"]})
        org.submit("Save")
        org.expect_flash("The settings are saved.")

        for (key, ru), (_key, en) in zip(TITLES_RU["nominations"], TITLES_EN["nominations"],
                                         strict=True):
            org.click(org.link("Add a nomination"))
            org.fill({"Key": key, "Title (Russian)": ru, "Title (English)": en})
            org.submit("Save")
            org.expect_flash("The nomination is added.")

        self._add_round("round1", TITLES_RU["round1"], TITLES_EN["round1"], intake=self.intake,
                        judging=self.judging1, reviews="2", pass_mark="10", weight="0.7",
                        criteria=list(zip(TITLES_RU["criteria1"], TITLES_EN["criteria1"], strict=True)),
                        shot="round")
        # Ties are broken by relevance, then feasibility.
        org.click(org.link("Edit the round"))
        tie_break = org.field("Tie-break criteria, in order")
        tie_break.select_option(label=[self.text["criteria1"][0][1], self.text["criteria1"][1][1]])
        org.submit("Save")
        org.expect_flash("The round is saved.")
        expect(org.page.get_by_text(f"1. {self.text['criteria1'][0][1]}")).to_be_visible()

        self._add_round("round2", TITLES_RU["round2"], TITLES_EN["round2"], intake=None,
                        judging=self.judging2, reviews="2", pass_mark="", weight="0.3",
                        criteria=list(zip(TITLES_RU["criteria2"], TITLES_EN["criteria2"], strict=True)))
        org.goto(self.manage_path, shot="contest-setup")
        for _key, title in self.text["nominations"]:
            expect(org.page.get_by_text(title)).to_be_visible()

    def organiser_builds_form(self) -> None:
        """The application form: organisation, a summary with a limit, the requested amount, a PDF
        and photos."""
        org = self.organiser
        self._tab("Application form")
        ru, en = TITLES_RU["fields"], TITLES_EN["fields"]
        for key, kind, extra in [
            ("organisation", "text", {}),
            ("summary", "textarea", {"Character limit (text fields)": "1000"}),
            ("requested", "amount", {}),
            ("presentation", "file", {"Allowed file types (files)": "pdf"}),
            ("photos", "file", {"Allowed file types (files)": "jpg, png"}),
        ]:
            org.click(org.page.get_by_test_id("add-field"))
            org.fill({"Key": key, "Label (Russian)": ru[key], "Label (English)": en[key], **extra})
            org.field("Type").select_option(kind)
            if key != "photos":
                org.field("Required for submission").check()
            if kind == "amount":
                org.field("This is the amount the entrant requests (amounts; one per form)").check()
            org.submit("Save")
            org.expect_flash("The field is added.")
        table = org.page.get_by_test_id("form-fields")
        labels = ru if self.language == "ru" else en
        for key in ("organisation", "summary", "requested", "presentation", "photos"):
            # people read the field's label, not its key, also in the button's hidden name
            expect(table.get_by_role("link", name=f"{org.t('Edit')} {labels[key]}")).to_be_visible()
        org.seen(shot="form-builder")
        # A new contest is a draft, seen only by its organisers, until they publish it.
        org.goto(self.manage_path)
        expect(org.page.get_by_test_id("contest-draft")).to_be_visible()
        org.click(org.page.get_by_test_id("announce"))
        org.expect_flash("The contest is published: everyone can see it now.")

    def _n(self, number: str) -> str:
        """A number as the journey's language writes it: «45,00» in Russian, "45.00" in English."""
        return number.replace(".", ",") if self.language == "ru" else number

    def _tab(self, msgid: str, shot: str | None = None) -> None:
        """Open a tab of the organiser's contest pages (from the contest page if elsewhere)."""
        org = self.organiser
        if f"/manage/{self.slug}/" not in org.page.url:
            org.goto(self.manage_path)
        tabs = org.page.locator("ul.nav-tabs")
        org.click(tabs.get_by_role("link", name=org.t(msgid), exact=True), shot=shot)

    def _add_round(self, key, title_ru, title_en, *, intake, judging, reviews, pass_mark, weight,
                   criteria, shot=None) -> None:
        org = self.organiser
        self._tab("Set-up")
        org.click(org.link("Add a round"))
        values = {"Key": key, "Title (Russian)": title_ru, "Title (English)": title_en,
                  "Judging opens": local_input(judging[0]), "Judging closes": local_input(judging[1]),
                  "Reviews per entry": reviews, "Pass mark (points)": pass_mark,
                  "Round weight in the final score": weight}
        if intake:
            values.update({"Intake opens": local_input(intake[0]),
                           "Intake closes (deadline)": local_input(intake[1])})
        org.fill(values)
        org.field("Aggregation method").select_option("mean")
        org.submit("Save")
        org.expect_flash("The round is added. Now add its criteria.")
        for (c_key, c_ru, weight_text), (_k, c_en, _w) in criteria:
            org.click(org.link("Add a criterion"))
            org.fill({"Key": c_key, "Title (Russian)": c_ru, "Title (English)": c_en,
                      "Weight": weight_text, "Lowest score": "0", "Highest score": "10"})
            org.submit("Save")
            org.expect_flash("The criterion is added.")
        org.seen(shot=shot)

    # -- the public ----------------------------------------------------------------------------

    def visitor_reads_contest(self) -> None:
        visitor = self.visitor = self.actor(Person(email="visitor", name="visitor"))
        visitor.goto("/")
        visitor.use_language()
        visitor.click(visitor.page.get_by_role("link", name=self.title, exact=True),
                      shot="public-contest")
        expect(visitor.page.get_by_role("heading", name=self.title)).to_be_visible()
        for _key, title in self.text["nominations"]:
            expect(visitor.page.get_by_text(title)).to_be_visible()

    # -- 2. entrants ---------------------------------------------------------------------------

    def entrants_register(self) -> None:
        self.entrant_a = self.actor(self.people["entrant_a"])
        self.entrant_a.register(shot="register")
        self.entrant_b = self.actor(self.people["entrant_b"])
        self.entrant_b.register()

    def _fill_application(self, who: Actor, entry: tuple[str, str, str], nomination: str) -> None:
        title, organisation, summary = entry
        fields = self.text["fields"]
        who.fill({"Project title": title})
        who.field("Nomination").select_option(label=nomination)
        who.page.get_by_label(labelled(fields["organisation"])).fill(organisation)
        who.page.get_by_label(labelled(fields["summary"])).fill(summary)
        # Amounts as people type them; the fund pays entry A cut, entry B in full (organiser_funds).
        who.page.get_by_label(labelled(f"{fields['requested']}, ₽")).fill(REQUESTED.get(title, "500 000 ₽"))
        # The live character counter follows the typing.
        expect(who.page.locator("#a_summary-count")).to_have_text(f"{len(summary)} / 1000")

    def entrant_applies(self, who: Actor, entry, nomination: str, *, shots: bool = False) -> None:
        """Fill the form, attach a PDF and a photo, save a draft, come back later, submit."""
        who.goto(f"/c/{self.slug}/")
        who.click(who.page.get_by_test_id("apply"), shot="application-form" if shots else None)
        self._fill_application(who, entry, nomination)
        fields = self.text["fields"]
        who.upload(fields["presentation"], self.samples["pdf"])
        who.upload(fields["photos"], self.samples["png"])
        who.click(who.page.get_by_test_id("save"))
        who.expect_flash("The draft is saved. You can come back to it at any time before the deadline.")
        expect(who.page.get_by_test_id("files-presentation")).to_contain_text("presentation.pdf")
        expect(who.page.get_by_test_id("files-photos")).to_contain_text("photo.png")

        # Later: back from "My applications", the draft is all there.
        who.goto("/")
        who.nav("My applications", shot="my-applications" if shots else None)
        row = who.page.get_by_role("row").filter(has_text=entry[0])
        expect(row.get_by_test_id("status")).to_have_text(who.t("Draft"))
        who.click(row.get_by_role("link", name=who.t("Continue"), exact=True))
        expect(who.field("Project title")).to_have_value(entry[0])
        expect(who.page.get_by_label(labelled(fields["summary"]))).to_have_value(entry[2])
        who.click(who.page.get_by_test_id("submit"), shot="application-submitted" if shots else None)
        expect(who.heading("Your application is submitted")).to_be_visible()
        number = who.page.get_by_test_id("entry-number").inner_text()
        self.numbers[entry[0]] = int("".join(ch for ch in number if ch.isdigit()))

    def entrants_apply(self) -> None:
        nomination = self.text["nominations"][0][1]
        self.entrant_applies(self.entrant_a, self.text["entry_a"], nomination, shots=True)
        self.entrant_applies(self.entrant_b, self.text["entry_b"], nomination)

    def entrant_edits_after_submitting(self) -> None:
        """Entrant A changes the summary and a file after submitting, before the deadline."""
        who = self.entrant_a
        who.nav("My applications")
        row = who.page.get_by_role("row").filter(has_text=self.text["entry_a"][0])
        who.click(row.get_by_role("link", name=who.t("Edit"), exact=True))
        who.page.get_by_label(labelled(self.text["fields"]["summary"])).fill(self.text["entry_a_edit"])
        who.upload(self.text["fields"]["presentation"], self.samples["pdf2"])
        who.click(who.page.get_by_test_id("submit"))
        expect(who.heading("Your application is submitted")).to_be_visible()
        who.click(who.page.get_by_role("link", name=who.t("Open the application"), exact=True))
        expect(who.page.get_by_test_id("answer-summary")).to_contain_text(self.text["entry_a_edit"])
        expect(who.page.get_by_text("presentation-v2.pdf")).to_be_visible()

    def late_entrant_is_refused(self) -> None:
        """Entrant B starts a second application; the deadline passes before B presses "Submit"."""
        who = self.entrant_b
        who.goto(f"/c/{self.slug}/")
        who.click(who.page.get_by_test_id("apply"))
        who.fill({"Project title": self.text["entry_late"]})
        who.field("Nomination").select_option(label=self.text["nominations"][1][1])
        who.click(who.page.get_by_test_id("save"))
        who.expect_flash("The draft is saved. You can come back to it at any time before the deadline.")
        self.at(self.intake[1] + timedelta(seconds=1))
        who.click(who.page.get_by_test_id("submit"), shot="deadline-refused")
        who.expect_flash("The deadline has passed: this application can no longer be changed.")
        expect(who.page.get_by_test_id("status")).to_have_text(who.t("Draft"))
        # The public page says the call is closed.
        who.goto(f"/c/{self.slug}/")
        expect(who.page.get_by_test_id("call")).not_to_contain_text(who.t("Apply"))

    # -- 3. screening and the jury ---------------------------------------------------------------

    def organiser_screens(self) -> None:
        org = self.organiser
        self._tab("Entries", shot="entries")
        for title in (self.text["entry_a"][0], self.text["entry_b"][0]):
            org.click(org.page.get_by_test_id("entries").get_by_role("link", name=title))
            org.page.get_by_label(org.t("Eligible: the entry takes part in the first round")).check()
            org.click(org.page.get_by_test_id("screen"))
            org.expect_flash("The decision on application No. %(number)s is saved.",
                             number=self.numbers[title])
            expect(org.page.get_by_test_id("status")).to_have_text(org.t("Submitted · eligible"))
            org.click(org.link("Back to the entries"))
        # The late draft is not in the default list (submitted and withdrawn only).
        expect(org.page.get_by_test_id("entries")).not_to_contain_text(self.text["entry_late"])

    def organiser_invites_jury(self) -> None:
        org = self.organiser
        self._tab("Jury")
        emails = [self.people[f"judge{i}"].email for i in (1, 2, 3)]
        region = org.page.get_by_role("region", name=org.t("Invite a list"))
        region.get_by_label(org.t("E-mail addresses")).fill("\n".join(emails))
        org.click(region.get_by_role("button", name=org.t("Invite everyone on the list")))
        org.expect_flash("Invitations sent: %(count)d.", count=3)
        table = org.page.get_by_test_id("jury-table")
        for email in emails:
            expect(table.get_by_role("row").filter(has_text=email)).to_contain_text(org.t("Invited"))
        org.seen(shot="jury")

    def judge_joins(self, key: str, *, shots: bool = False) -> Actor:
        """A judge follows the e-mailed invitation, creates an account, accepts, signs."""
        judge = self.actor(self.people[key])
        self.judges[key] = judge
        link = self.server.link_in_mail(judge.person.email, "/jury/invitation/")
        judge.page.goto(link)
        judge.seen()
        judge.use_language()
        judge.click(judge.link("Create an account"), shot="invitation" if shots else None)
        judge.fill({"E-mail": judge.person.email, "Full name": judge.person.name,
                    "Password": judge.person.password, "Repeat the password": judge.person.password})
        judge.submit("Register")
        # Registering signs nobody in; the login page brings the judge back to the invitation.
        judge.fill({"E-mail": judge.person.email, "Password": judge.person.password})
        judge.submit("Log in")
        judge.click(judge.page.get_by_test_id("accept"))
        judge.expect_flash("Thank you! You are on the jury of %(round)s.", round=self.text["round1"])
        expect(judge.page.get_by_test_id("declaration-text")).to_have_text(self.text["declaration"])
        judge.seen(shot="declaration" if shots else None)
        judge.field("I have read the declaration and sign it").check()
        judge.submit("Sign the declaration")
        judge.expect_flash("Thank you, the declaration is signed.")
        return judge

    def judges_accept(self) -> None:
        self.judges: dict[str, Actor] = {}
        for index, key in enumerate(("judge1", "judge2", "judge3")):
            self.judge_joins(key, shots=index == 0)

    def organiser_assigns(self) -> None:
        org = self.organiser
        self._tab("Jury")
        org.click(org.page.get_by_test_id("assign-link"))
        org.click(org.page.get_by_test_id("run"), shot="assignment")
        org.expect_flash("New assignments: %(count)d. Entries that could not be fully served: %(unserved)d.",
                         count=4, unserved=0)
        self.assignments = self._read_assignments()

    def _read_assignments(self) -> dict[str, set[str]]:
        """Entry title → names of its judges, as the organiser's assignment table shows them."""
        table = self.organiser.page.get_by_test_id("assign-entries")
        result = {}
        for title in (self.text["entry_a"][0], self.text["entry_b"][0]):
            row = table.get_by_role("row").filter(has_text=title)
            result[title] = {name for key, name in self.text["names"].items()
                             if key.startswith("judge") and row.get_by_text(name).count()}
        return result

    # -- 4. judging ----------------------------------------------------------------------------

    def _judge_by_name(self, name: str) -> Actor:
        return next(j for j in self.judges.values() if j.person.name == name)

    def _open_review(self, judge: Actor, title: str, shot: str | None = None) -> None:
        if judge.page.url.endswith("/jury/"):
            judge.page.reload()  # the dashboard may have been open since before the assignment
            judge.seen()
        else:
            judge.nav("Jury")
        section = judge.page.get_by_role("region", name=f"{self.title} — {self.current_round}")
        row = section.get_by_role("row").filter(has_text=title)
        judge.click(row.get_by_role("link"), shot=shot)
        expect(judge.page.get_by_role("heading", level=1)).to_contain_text(title)

    def _type_scores(self, judge: Actor, values: list[int], comment: str) -> None:
        for (key, _title, _weight), value in zip(self.criteria_of_round, values, strict=True):
            box = judge.page.get_by_test_id(f"criterion-{key}")
            box.get_by_label(labelled(judge.t("Score"))).fill(str(value))
            box.get_by_label(labelled(judge.t("Comment"))).fill(comment)

    def judge_declares_conflict(self) -> None:
        """The first judge given entry A declares a conflict; the organiser reassigns the entry."""
        self.at(self.judging1[0] + timedelta(hours=1))
        self.current_round = self.text["round1"]
        self.criteria_of_round = self.text["criteria1"]
        title_a = self.text["entry_a"][0]
        conflicted = self._judge_by_name(sorted(self.assignments[title_a])[0])
        self._open_review(conflicted, title_a)
        conflicted.click(conflicted.link("Declare a conflict of interest"))
        conflicted.field("Reason").fill(self.text["conflict"])
        conflicted.submit("Declare the conflict and give the entry back", shot="conflict")
        conflicted.expect_flash("The conflict is recorded and the entry is withdrawn from you. "
                                "The organisers are told.")
        expect(conflicted.page.get_by_role("row").filter(has_text=title_a)).to_have_count(0)

        org = self.organiser
        self._tab("Jury")
        org.click(org.page.get_by_test_id("assign-link"))
        org.click(org.page.get_by_test_id("run"))
        org.expect_flash("New assignments: %(count)d. Entries that could not be fully served: %(unserved)d.",
                         count=1, unserved=0)
        before = self.assignments[title_a]
        self.assignments = self._read_assignments()
        assert conflicted.person.name not in self.assignments[title_a]
        assert len(self.assignments[title_a] - before) == 1

    def judges_score_round1(self) -> None:
        """Entry A gets far apart totals (a disagreement); entry B close ones."""
        title_a, title_b = self.text["entry_a"][0], self.text["entry_b"][0]
        high, low = sorted(self.assignments[title_a])
        b_first, b_second = sorted(self.assignments[title_b])
        text = self.text

        # A draft kept by the autosave across a reload.
        judge = self._judge_by_name(high)
        self._open_review(judge, title_a, shot="scoring")
        self._type_scores(judge, [9, 9, 9], text["comment_high"])
        expect(judge.page.get_by_test_id("review-total")).to_have_text(self._n("45.00"))
        saved = judge.t("Draft saved at %(time)s", time="").strip()
        # The page saves a few quiet seconds after the last keystroke: let those seconds pass.
        judge.page.clock.fast_forward(5_000)
        expect(judge.page.get_by_test_id("autosave-status")).to_contain_text(saved, timeout=15_000)
        judge.page.reload()
        judge.seen()
        box = judge.page.get_by_test_id(f"criterion-{self.criteria_of_round[0][0]}")
        expect(box.get_by_label(labelled(judge.t("Score")))).to_have_value("9")
        expect(judge.page.get_by_test_id("review-status")).to_have_text(judge.t("Draft"))
        judge.field("Feedback for the entrant (optional)").fill(text["feedback"])
        judge.click(judge.page.get_by_test_id("submit-review"))
        judge.expect_flash("Your review of entry No. %(number)s is submitted. Total: %(total)s.",
                           number=self.numbers[title_a], total=self._n("45.00"))

        # A draft saved by the button, then submitted.
        judge = self._judge_by_name(low)
        self._open_review(judge, title_a)
        self._type_scores(judge, [3, 3, 3], text["comment_low"])
        judge.click(judge.page.get_by_test_id("save-draft"))
        judge.expect_flash("The draft is saved.")
        judge.click(judge.page.get_by_test_id("submit-review"))
        judge.expect_flash("Your review of entry No. %(number)s is submitted. Total: %(total)s.",
                           number=self.numbers[title_a], total=self._n("15.00"))

        for name, values, total in ((b_first, [6, 6, 6], self._n("30.00")), (b_second, [7, 6, 5], self._n("31.00"))):
            judge = self._judge_by_name(name)
            self._open_review(judge, title_b)
            self._type_scores(judge, values, text["comment_mid"])
            judge.click(judge.page.get_by_test_id("submit-review"))
            judge.expect_flash("Your review of entry No. %(number)s is submitted. Total: %(total)s.",
                               number=self.numbers[title_b], total=total)
        judge.seen(shot="jury-dashboard")

    # -- 5. the organiser resolves the disagreement and closes round 1 ----------------------------

    def organiser_resolves_disagreement(self) -> None:
        """A is flagged; a fourth judge joins the jury, is assigned to A and scores it."""
        title_a = self.text["entry_a"][0]
        org = self.organiser
        self._tab("Judging", shot="progress")
        expect(org.page.get_by_test_id("reviews-done")).to_have_text("4 / 4")
        expect(org.page.get_by_test_id("flagged-count")).to_have_text("1")
        org.click(org.link("Compare the reviews"), shot="disagreements")
        expect(org.page.get_by_role("heading", level=2).filter(has_text=title_a)).to_be_visible()

        org.click(org.link("Jury"))
        region = org.page.get_by_role("region", name=org.t("Invite a judge"))
        region.get_by_label(labelled(org.t("E-mail"))).fill(self.people["judge4"].email)
        org.click(region.get_by_role("button", name=org.t("Invite"), exact=True))
        org.expect_flash("The invitation is sent to %(email)s.", email=self.people["judge4"].email)
        judge4 = self.judge_joins("judge4")

        org.click(org.page.get_by_test_id("assign-link"))
        org.click(org.page.get_by_test_id("extra"))
        org.expect_flash("Flagged entries that got one more judge: %(count)d. Could not get one: %(unserved)d.",
                         count=1, unserved=0)
        self._open_review(judge4, title_a)
        self._type_scores(judge4, [7, 7, 7], self.text["comment_mid"])
        judge4.click(judge4.page.get_by_test_id("submit-review"))
        judge4.expect_flash("Your review of entry No. %(number)s is submitted. Total: %(total)s.",
                            number=self.numbers[title_a], total=self._n("35.00"))

    def organiser_sees_prefinalise_list(self) -> None:
        """While judging is open the organiser opens "Finalise the round…": the list says what is not
        done; finalising without ticking it is refused, and the round stays open."""
        org = self.organiser
        self._results_page()
        org.click(org.page.get_by_test_id("finalise"))
        expect(org.page.get_by_test_id("finalise-item-judging_open")).to_contain_text(
            org.t("The judging window is still open"))
        org.seen(shot="finalise-checklist")
        org.click(org.page.get_by_test_id("finalise-confirm"))
        expect(org.page.get_by_test_id("finalise-checklist")).to_be_visible()
        expect(org.page.get_by_text(org.t("Confirm each open item before finalising: %(items)s.",
                                          items=org.t("The judging window is still open")))).to_be_visible()
        org.click(org.link("Back to the results"))

    def _results_page(self, round_title: str | None = None, shot: str | None = None) -> None:
        org = self.organiser
        self._tab("Results", shot=None if round_title else shot)
        if round_title:
            org.click(org.page.get_by_role("navigation", name=org.t("Rounds"))
                      .get_by_role("link", name=round_title, exact=True), shot=shot)

    def organiser_closes_round1(self) -> None:
        """Judging closes; the organiser finalises round 1 and advances both entries to round 2."""
        self.at(self.judging1[1] + timedelta(minutes=1))
        title_a, title_b = self.text["entry_a"][0], self.text["entry_b"][0]
        org = self.organiser
        self._results_page(shot="results-round1")
        ranking = org.page.get_by_test_id("ranking").first
        expect(ranking.get_by_role("row").filter(has_text=title_a)).to_contain_text(self._n("31.67"))
        expect(ranking.get_by_role("row").filter(has_text=title_b)).to_contain_text(self._n("30.50"))
        org.click(org.page.get_by_test_id("finalise"))
        expect(org.page.get_by_test_id("finalise-checklist-clear")).to_be_visible()
        org.click(org.page.get_by_test_id("finalise-confirm"))
        org.expect_flash("The round is finalised: its ranking is frozen.")
        org.click(org.link("Advance entries to “%(round)s”", round=self.text["round2"]))
        org.page.get_by_label(org.t("The top entries of each nomination")).check()
        org.field("How many per nomination (or what per cent)").fill("2")
        org.submit("Preview", shot="advance")
        expect(org.page.get_by_test_id("preview")).to_contain_text(title_b)
        org.click(org.page.get_by_test_id("advance"))
        org.expect_flash("Entries advanced to “%(round)s”: %(count)s.", count=2, round=self.text["round2"])

    def judge_refused_after_finalise(self) -> None:
        """A judge of round 1 opens a review of the finalised round: it is read-only and says why; the
        dashboard says the round is finalised."""
        title_b = self.text["entry_b"][0]
        judge = self._judge_by_name(sorted(self.assignments[title_b])[0])
        self._open_review(judge, title_b)
        expect(judge.page.get_by_test_id("read-only")).to_contain_text(
            judge.t("This round is finalised: its results are frozen and this review is read-only."))
        expect(judge.page.get_by_test_id("submit-review")).to_have_count(0)
        judge.seen(shot="finalised-review")
        judge.nav("Jury")
        expect(judge.page.get_by_test_id("round-finalised").first).to_have_text(
            judge.t("Finalised: results are frozen"))

    def round2_is_scored(self) -> None:
        """Two judges of round 1 join round 2's jury, are assigned both finalists and score them."""
        org = self.organiser
        self._tab("Jury")
        org.click(org.page.get_by_role("navigation", name=org.t("Rounds"))
                  .get_by_role("link", name=self.text["round2"], exact=True))
        keys = ("judge2", "judge3")
        region = org.page.get_by_role("region", name=org.t("Invite a list"))
        region.get_by_label(org.t("E-mail addresses")).fill("\n".join(self.people[k].email for k in keys))
        org.click(region.get_by_role("button", name=org.t("Invite everyone on the list")))
        org.expect_flash("Invitations sent: %(count)d.", count=2)
        for key in keys:
            judge = self.judges[key]
            judge.page.goto(self.server.link_in_mail(judge.person.email, "/jury/invitation/"))
            judge.seen()
            judge.click(judge.page.get_by_test_id("accept"))
            judge.expect_flash("Thank you! You are on the jury of %(round)s.", round=self.text["round2"])
        org.click(org.page.get_by_test_id("assign-link"))
        org.click(org.page.get_by_test_id("run"))
        org.expect_flash("New assignments: %(count)d. Entries that could not be fully served: %(unserved)d.",
                         count=4, unserved=0)

        self.at(self.judging2[0] + timedelta(hours=1))
        self.current_round = self.text["round2"]
        self.criteria_of_round = self.text["criteria2"]
        title_a, title_b = self.text["entry_a"][0], self.text["entry_b"][0]
        plan = {"judge2": ((title_a, [8, 8], self._n("16.00")), (title_b, [6, 6], self._n("12.00"))),
                "judge3": ((title_a, [9, 7], self._n("16.00")), (title_b, [5, 5], self._n("10.00")))}
        for key, reviews in plan.items():
            judge = self.judges[key]
            for title, values, total in reviews:
                self._open_review(judge, title)
                self._type_scores(judge, values, self.text["comment_mid"])
                judge.click(judge.page.get_by_test_id("submit-review"))
                judge.expect_flash("Your review of entry No. %(number)s is submitted. Total: %(total)s.",
                                   number=self.numbers[title], total=total)

    def organiser_publishes(self) -> None:
        """Round 2 is finalised, the winners named from the final score, the results published."""
        self.at(self.judging2[1] + timedelta(minutes=1))
        org = self.organiser
        self._results_page(self.text["round2"])
        org.click(org.page.get_by_test_id("finalise"))
        org.click(org.page.get_by_test_id("finalise-confirm"))
        org.expect_flash("The round is finalised: its ranking is frozen.")
        org.click(org.link("Final score over rounds"), shot="final-score")
        final = org.page.get_by_test_id("final")
        expect(final.get_by_role("row").filter(has_text=self.text["entry_a"][0])).to_contain_text(self._n("68.33"))
        org.click(org.link("Results"))
        org.click(org.link("Winners and awards"))
        org.field("Places per nomination").fill("1")
        org.submit("Name the winners from the ranking")
        org.expect_flash("Places awarded: %(count)s.", count=1)
        expect(org.page.get_by_test_id("awards")).to_contain_text(self.text["entry_a"][0])
        self.organiser_funds()
        org.click(org.link("Results"))
        org.click(org.page.get_by_test_id("publish"))
        expect(org.page.get_by_test_id("published")).to_be_visible()
        org.seen(shot="published")

    def organiser_downloads_documents(self) -> None:
        """The organiser types the meeting's place on round 1's protocol page and downloads its PDF, then
        asks for a jury pack as one combined PDF; the job page offers the file. Both are read back."""
        import io

        from pypdf import PdfReader

        org = self.organiser
        title_a, title_b = self.text["entry_a"][0], self.text["entry_b"][0]
        place = {"ru": "Казань, ул. Баумана, 1", "en": "Kazan, 1 Bauman Street"}[self.language]

        def download(locator) -> bytes:
            with org.page.expect_download() as info:
                locator.click()
            return Path(info.value.path()).read_bytes()

        def text_of(data: bytes) -> str:
            return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)

        self._tab("Documents", shot="documents")
        rounds = org.page.locator("[data-testid^='documents-round-']")
        org.click(rounds.filter(has_text=self.text["round1"]).get_by_role(
            "link", name=org.t("Protocol of the round")))
        org.field("Place").fill(place)
        org.submit("Save")
        org.expect_flash("The protocol's details are saved.")
        protocol = text_of(download(org.page.get_by_test_id("protocol-pdf")))
        assert org.t("Minutes of the expert council meeting") in protocol
        assert place in protocol and title_a in protocol and title_b in protocol

        org.click(org.link("Back to the documents"))
        org.page.get_by_label(org.t("One combined PDF: applications with their attached PDFs and images")).check()
        org.submit("Build the jury pack", shot="jury-pack-job")
        pack = download(org.page.get_by_test_id("job-download"))
        reader = PdfReader(io.BytesIO(pack))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert org.t("Jury pack: index") in text
        assert str(self.numbers[title_a]) in text and str(self.numbers[title_b]) in text
        assert len(reader.pages) >= 3  # the index, then the applications with their files

    def organiser_funds(self) -> None:
        """A fund of 2 000 000 ₽ for the contest; on the finalised round's Funding page entry A (asks
        1 500 000) is funded and B (900 000) does not fit; A's grant is cut to 1 100 000 with a reason,
        which makes room for B; the allocation is confirmed and shown with the published results."""
        org = self.organiser
        title_a, title_b = self.text["entry_a"][0], self.text["entry_b"][0]
        number_a, number_b = self.numbers[title_a], self.numbers[title_b]
        self._tab("Funds")
        org.field("Fund of").select_option(label=org.t("the whole contest"))
        org.fill({"Amount": "2 000 000"})
        org.submit("Save the fund")
        org.expect_flash("The fund is saved.")
        self._results_page(self.text["round2"])
        org.click(org.page.get_by_test_id("funding"), shot="funding")
        allocation = org.page.get_by_test_id("allocation")
        expect(allocation.get_by_role("row").filter(has_text=title_a)).to_contain_text(self._money("1 500 000"))
        expect(allocation.get_by_role("row").filter(has_text=title_b)).to_contain_text(
            org.t("does not fit in what is left"))
        row_a = allocation.get_by_role("row").filter(has_text=title_a)
        row_a.get_by_text(org.t("Cut…")).click()
        row_a.get_by_label(org.t("Cut to")).fill("1 100 000")
        row_a.get_by_label(org.t("Reason")).fill(self.text["cut_reason"])
        org.click(org.page.get_by_test_id(f"cut-{number_a}"))
        org.expect_flash("The grant is cut; the proposal is recomputed.")
        allocation = org.page.get_by_test_id("allocation")
        expect(allocation.get_by_role("row").filter(has_text=title_a)).to_contain_text(self._money("1 100 000"))
        expect(allocation.get_by_role("row").filter(has_text=title_b)).to_contain_text(self._money("900 000"))
        expect(org.page.get_by_test_id("totals")).to_contain_text(self._money("2 000 000"))
        org.click(org.page.get_by_test_id("confirm-funding"))
        org.expect_flash("The allocation is confirmed and frozen with the round's results.")
        org.field("Show the granted amounts with the published results").check()
        org.click(org.page.get_by_test_id("show-amounts"), shot="funding-confirmed")
        org.expect_flash("Saved.")
        expect(org.page.get_by_test_id("confirmed")).to_be_visible()
        expect(org.page.get_by_text(org.t("No. %(number)s", number=number_b)).first).to_be_visible()

    def _money(self, amount: str) -> str:
        """An amount in roubles as the journey's language shows it («1 100 000 ₽», thin-space thousands)."""
        grouped = amount.replace(" ", "\u202f") if self.language == "ru" else amount.replace(" ", ",")
        return f"{grouped}\u00a0₽"

    def organiser_corrects_after_publication(self) -> None:
        """After publication an award is a correction: its reason is asked, the public page shows a
        "corrected on" note, and the entrant is told by e-mail."""
        org = self.organiser
        reason = CORRECTION_REASONS[self.language]
        org.click(org.link("Winners and awards"))
        expect(org.page.get_by_test_id("correction-mode")).to_be_visible()
        region = org.page.get_by_role("region", name=org.t("Add an award"))
        for label, value in (("Entry number", str(self.numbers[self.text["entry_b"][0]])),
                             ("Prize title (Russian)", "Приз зрителей"), ("Prize title (English)", "Audience award"),
                             ("Reason for correcting the published results", reason)):
            region.get_by_label(labelled(org.t(label))).fill(value)
        org.submit("Add the award")
        org.expect_flash("The award is added.")
        self.visitor.goto(f"/c/{self.slug}/results", shot="corrected-results")
        expect(self.visitor.page.get_by_test_id("correction-note")).to_contain_text(reason)
        assert any(reason in m["body"] for m in self.server.mails(self.entrant_b.person.email))

    # -- 6. the public and the entrants ----------------------------------------------------------

    def public_and_entrants_see_results(self) -> None:
        visitor = self.visitor
        visitor.goto(f"/c/{self.slug}/results", shot="public-results")
        expect(visitor.page.get_by_test_id("winners")).to_contain_text(self.text["entry_a"][0])
        expect(visitor.page.get_by_test_id("rating").first).to_contain_text(self.text["entry_b"][0])

        who = self.entrant_a
        link = self.server.link_in_mail(who.person.email, f"/c/{self.slug}/results/entry/")
        who.page.goto(link)
        who.seen(shot="own-result")
        expect(who.page.get_by_test_id("final-score")).to_have_text(self._n("68.33"))
        expect(who.page.get_by_test_id("award")).to_be_visible()
        expect(who.page.get_by_test_id("granted")).to_contain_text(self._money("1 100 000"))
        expect(who.page.get_by_test_id("feedback").filter(has_text=self.text["feedback"])).to_be_visible()
        # The judges stay anonymous to the entrant.
        for key in ("judge1", "judge2", "judge3", "judge4"):
            expect(who.page.get_by_text(self.text["names"][key])).to_have_count(0)
