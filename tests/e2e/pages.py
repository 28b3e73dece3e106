"""People in the browser: one browser context (own cookies) per person, helpers to act as they do.

Elements are found by their accessible role and name or by their label, in the language the
page is shown in (`self.t(msgid)` is the app's own translation of an English message id), so
finding them also checks that they are labelled. `data-testid` is used where a page has one.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect

from tests.e2e.checks import Findings, route_of, translator
from tests.e2e.server import PASSWORD, LiveServer

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}  # the organiser's laptop (issue 21)


@dataclass
class Person:
    email: str
    name: str
    password: str = PASSWORD


class Actor:
    """A person at a browser: their own context and page, a language, the shared findings."""

    def __init__(self, browser, server: LiveServer, findings: Findings, person: Person, *,
                 language: str, phone: bool = False, browser_locale: str = "en-US"):
        self.server = server
        self.findings = findings
        self.person = person
        self.language = language
        self.phone = phone
        self.t = translator(language)
        self.context = browser.new_context(
            viewport=PHONE if phone else DESKTOP, locale=browser_locale,
            is_mobile=phone, has_touch=phone, device_scale_factor=2 if phone else 1,
            accept_downloads=True,
        )
        self.context.set_default_timeout(10_000)
        self.page: Page = self.context.new_page()
        findings.watch(self.page, person.email)
        self.dialogs: list[str] = []
        self.page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog) -> None:
        """People answer "OK" to the app's confirmations; the question is checked like page text."""
        self.dialogs.append(dialog.message)
        if dialog.message:
            self.findings.check_texts([dialog.message], self.language, where=f"dialog on {route_of(self.page.url)}")
        dialog.accept()

    def close(self) -> None:
        self.context.close()

    # -- looking -----------------------------------------------------------------------------------

    def seen(self, shot: str | None = None) -> None:
        """Check the page now shown (translation, accessibility) and maybe keep a screenshot.

        Pages are checked against the language they declare, so the first page a visitor sees
        in the browser's language before switching is checked too.
        """
        suffix = f"-{self.language}{'-phone' if self.phone else ''}"
        self.findings.inspect(self.page, self.shown_language() or "?",
                              viewport="phone" if self.phone else "desktop",
                              shot=f"{shot}{suffix}" if shot else None)

    def goto(self, path: str, shot: str | None = None) -> None:
        started = time.monotonic()
        self.page.goto(self.server.url(path))
        self.findings.seconds["navigation"] += time.monotonic() - started
        self.seen(shot)

    def button(self, msgid: str, **values) -> Locator:
        return self.page.get_by_role("button", name=self.t(msgid, **values), exact=True)

    def link(self, msgid: str, **values) -> Locator:
        return self.page.get_by_role("link", name=self.t(msgid, **values), exact=True)

    def field(self, msgid: str, **values) -> Locator:
        """The input labelled with this text (a required mark "* (required)" after it is allowed)."""
        return self.page.get_by_label(labelled(self.t(msgid, **values)))

    def heading(self, msgid: str, **values) -> Locator:
        return self.page.get_by_role("heading", name=self.t(msgid, **values))

    def expect_flash(self, msgid: str, **values) -> None:
        expect(self.page.get_by_role("alert").filter(has_text=self.t(msgid, **values)).first).to_be_visible()

    def expect_text(self, text: str) -> None:
        expect(self.page.get_by_text(text, exact=False).first).to_be_visible()

    # -- doing -------------------------------------------------------------------------------------

    def click(self, locator: Locator, shot: str | None = None) -> None:
        """Click something that loads a new page (a link or a form's button), then check it."""
        started = time.monotonic()
        with self.page.expect_navigation():
            locator.click()
        self.findings.seconds["navigation"] += time.monotonic() - started
        self.seen(shot)

    def fill(self, values: dict[str, str]) -> None:
        """Type into fields found by their label (msgid → text)."""
        for msgid, value in values.items():
            self.field(msgid).fill(value)

    def submit(self, msgid: str = "Save", shot: str | None = None) -> None:
        self.click(self.button(msgid), shot=shot)

    def upload(self, group_msgid_or_text: str, *paths) -> None:
        """Choose files in the file field of a fieldset (the field's legend names the group)."""
        group = self.page.get_by_role("group", name=group_msgid_or_text)
        group.get_by_label(self.t("Add files")).set_input_files([str(p) for p in paths])

    def open_menu(self) -> None:
        """At phone size the navbar is collapsed behind its toggler: open it."""
        # Found by what it controls: before switching, the page may be in the other language.
        toggler = self.page.locator("button.navbar-toggler[aria-controls='nav']")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            expect(self.page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))

    def nav(self, msgid: str, shot: str | None = None) -> None:
        """Follow a link of the top bar."""
        self.open_menu()
        self.click(self.page.locator("#nav").get_by_role("link", name=self.t(msgid), exact=True),
                   shot=shot)

    def shown_language(self) -> str:
        return self.page.locator("html").get_attribute("lang")

    def use_language(self) -> None:
        """Switch the interface to this actor's language with the top bar's button if needed."""
        if self.shown_language() != self.language:
            self.open_menu()
            self.click(self.page.get_by_test_id("lang-switch"))
        assert self.shown_language() == self.language

    # -- accounts ------------------------------------------------------------------------------

    def register(self, shot: str | None = None) -> None:
        """Open the site, choose the language, register and confirm the e-mail by its link."""
        self.goto("/")
        self.use_language()
        self.nav("Register", shot=shot)
        self.fill({"E-mail": self.person.email, "Full name": self.person.name,
                   "Password": self.person.password, "Repeat the password": self.person.password})
        self.submit("Register")
        # The same answer whether or not the address had an account; registering signs nobody in.
        self.expect_flash("Thank you. We have sent a message to %(email)s: follow the link in it to confirm "
                          "the address, and log in with your e-mail and password.", email=self.person.email)
        self.confirm_email()
        self.log_in()

    def confirm_email(self) -> None:
        link = self.server.link_in_mail(self.person.email, "/auth/confirm/")
        self.page.goto(link)
        self.seen()
        self.expect_flash("Your e-mail address %(email)s is confirmed.", email=self.person.email)

    def log_in(self, shot: str | None = None) -> None:
        self.goto("/")
        self.use_language()
        self.nav("Log in", shot=shot)
        self.fill({"E-mail": self.person.email, "Password": self.person.password})
        self.submit("Log in")
        self.expect_flash("You are logged in.")
        self.use_language()  # the account's own language wins after logging in

    def log_out(self) -> None:
        self.open_menu()
        self.page.locator("#nav").get_by_role("button", name=self.person.name).or_(
            self.page.locator("#nav").get_by_role("link", name=self.person.name)).click()
        self.click(self.page.get_by_test_id("logout"))
        self.expect_flash("You are logged out.")

    def set_password_from_mail(self) -> None:
        """A person whose account someone else created sets a password by the e-mailed link."""
        link = self.server.link_in_mail(self.person.email, "/auth/reset/")
        self.page.goto(link)
        self.seen()
        self.use_language()
        self.fill({"New password": self.person.password,
                   "Repeat the password": self.person.password})
        self.submit("Set the password")
        self.expect_flash("Your password is changed. You can log in with it now.")


def labelled(text: str) -> re.Pattern:
    """A label's text, maybe followed by a required mark such as "* (required)"."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*(\([^)]*\))?\s*$")


def slug_from(url: str) -> str:
    match = re.search(r"/manage/([^/]+)/", url)
    assert match, url
    return match.group(1)
