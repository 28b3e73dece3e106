"""What every page the journey visits must satisfy, recorded as findings.

- no console errors and no uncaught exceptions (a CSP violation shows up here too);
- no failed requests (network errors, or an HTTP status of 400 and above that the journey
  did not ask for);
- no untranslated text: no raw `%(name)s` placeholders or template syntax anywhere; on a
  Russian page no English UI strings (the app's own message ids, a list of known UI words,
  English sentences), on an English page no Cyrillic outside elements marked `lang="ru"`;
- no serious or critical violations in an axe-core accessibility scan.

Findings are collected while the journey runs and asserted at its end, so one run reports
every problem at once.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from babel.support import NullTranslations, Translations

from app.config import PROJECT_ROOT

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
# Pages (viewport and route) already scanned by axe in this session: the markup is the same in
# both languages, so each is scanned once per viewport; E2E_AXE_EVERY_LANGUAGE=1 scans each
# page in every language.
AXE_SCANNED: set[str] = set()
AXE_EVERY_LANGUAGE = os.environ.get("E2E_AXE_EVERY_LANGUAGE", "") in {"1", "true", "yes", "on"}
TRANSLATIONS = PROJECT_ROOT / "app" / "translations"

# -- translations --------------------------------------------------------------------------------


@functools.cache
def _translations(language: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [language], domain="messages")


def translator(language: str):
    """t(msgid, **values): the text the app shows for msgid in `language` (as Flask-Babel does).

    The journey finds labels and buttons by this text, so it works before the catalogues are
    complete (untranslated messages fall back to the English source, as in the app).
    """

    def t(msgid: str, **values) -> str:
        text = _translations(language).gettext(msgid)
        return text % values if values else text

    t.language = language
    return t


@functools.cache
def source_messages() -> tuple[str, ...]:
    """Every English message id in the code and templates (Babel's own extractor)."""
    from babel.messages.extract import extract_from_dir

    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2"),
                  ("templates/**.txt", "jinja2")]
    options = {"app/**.py": {}, "templates/**.html": {}, "templates/**.txt": {}}
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None,
                "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(PROJECT_ROOT), method_map=method_map, options_map=options, keywords=keywords):
        for text in message if isinstance(message, tuple) else (message,):
            if text and re.search(r"[A-Za-z]{2}", text):
                found.add(text)
    return tuple(sorted(found))


# Strings a Russian page may legitimately show in Latin letters, whatever the catalogue says.
LATIN_ALLOWED = {"Formula Jury", "PDF", "XLSX", "JPG", "PNG", "PPTX", "CSV", "JSON", "INN", "OK",
                 "E-mail", "Email"}

# Short English UI words that must not appear on a Russian page even if not in the catalogue
# (hard-coded labels). Case-sensitive whole words.
KNOWN_UI_WORDS = (
    "Log in", "Log out", "Register", "Password", "Full name", "Contests", "Manage", "Jury",
    "Administration", "Settings", "Save", "Submit", "Cancel", "Delete", "Edit", "Back", "Next",
    "Previous", "Nominations", "Nomination", "Rounds", "Round", "Criteria", "Criterion",
    "Entries", "Entry", "Results", "Draft", "Drafts", "Submitted", "Withdrawn", "Score",
    "Scores", "Comment", "Feedback", "Total", "Rank", "Winner", "Winners", "Publish",
    "Published", "Accept", "Decline", "Invite", "Assign", "Conflict", "Declaration", "Sign",
    "Upload", "Download", "Attachments", "Title", "Description", "Status", "Actions", "Yes",
    "No", "Close", "Menu", "Home", "Search", "Filter", "Export", "Import", "Progress",
    "Eligible", "Ineligible", "Screening", "Judge", "Judges", "Organiser", "Organisers",
    "Deadline", "Application", "Applications", "Apply", "Skip to content", "Language",
)

STOPWORDS = {"the", "and", "of", "to", "your", "you", "is", "are", "this", "with", "for", "not",
             "yet", "no", "has", "have", "was", "will", "be", "an", "in", "on", "or", "it",
             "there", "here", "please", "can", "cannot", "must", "all", "by", "from", "as"}

_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\{|\}\}|\{%|%\}|LazyString|lazy_gettext|\b_l?\(")
_TECHNICAL = re.compile(
    r"\S+@\S+"                      # e-mail addresses
    r"|https?://\S+"                 # links
    r"|\b[\w.-]+\.(?:pdf|png|jpe?g|xlsx|pptx|docx|csv|json|zip)\b"  # file names
    r"|\b[A-Z][a-z]+/[A-Za-z_/-]+"   # time-zone names such as Europe/Moscow
    r"|\b[a-z0-9]+(?:[-_][a-z0-9]+)+\b",  # slugs and keys
    re.IGNORECASE,
)


@functools.cache
def _message_pattern() -> re.Pattern | None:
    """One regex matching any English message id (placeholders match anything).

    Messages the Russian catalogue deliberately leaves identical are not flagged.
    """
    identical = _identical_in_po()
    pieces = []
    for msgid in source_messages():
        if msgid in LATIN_ALLOWED or msgid in identical:
            continue
        body = re.sub(r"%\\\(\w+\\\)[sdif]", ".+?", re.escape(msgid))
        pieces.append(body)
    if not pieces:
        return None
    pieces.sort(key=len, reverse=True)  # the longest message wins, for a readable finding
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(pieces) + r")(?![A-Za-z])")


@functools.cache
def _identical_in_po() -> frozenset[str]:
    """Message ids whose Russian translation is deliberately the same text."""
    from babel.messages.pofile import read_po

    po = TRANSLATIONS / "ru" / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return frozenset()
    with po.open("rb") as handle:
        catalogue = read_po(handle)
    return frozenset(m.id for m in catalogue if isinstance(m.id, str) and m.string == m.id)


def untranslated_in(texts: list[dict], language: str) -> list[str]:
    """Problems in the texts of one page: [{text, lang}] as collected by TEXTS_JS."""
    problems = []
    for item in texts:
        own_lang = (item.get("lang") or language)[:2]
        problem = _text_problem(item["text"], language, own_lang == language)
        if problem:
            problems.append(problem)
    return problems


@functools.lru_cache(maxsize=20000)
def _text_problem(text: str, language: str, same_language: bool) -> str | None:
    placeholder = _PLACEHOLDER.search(text)
    if placeholder:
        return f"raw template text {placeholder.group(0)!r} in {text[:120]!r}"
    if not same_language:
        return None  # e.g. the language button, marked lang="en" on a Russian page
    if language == "en":
        if re.search(r"[А-Яа-яЁё]", text):
            return f"Cyrillic text on an English page {text[:120]!r}"
        return None
    plain = _TECHNICAL.sub("X", text)
    for allowed in LATIN_ALLOWED:
        plain = plain.replace(allowed, " ")
    if not re.search(r"[A-Za-z]{2}", plain):
        return None
    pattern = _message_pattern()
    match = pattern.search(plain) if pattern else None
    if match:
        return f"English message {match.group(0)!r} in {text[:120]!r}"
    for word in KNOWN_UI_WORDS:
        if re.search(r"(?<![A-Za-z])" + re.escape(word) + r"(?![A-Za-z])", plain):
            return f"English UI word {word!r} in {text[:120]!r}"
    words = re.findall(r"[A-Za-z]{2,}", plain)
    if len(words) >= 3 and any(w.lower() in STOPWORDS for w in words):
        return f"English text {text[:120]!r}"
    return None


# Collects every text a person can read or hear: text nodes (hidden ones too: menus), the
# document title, and the attributes screen readers announce. Each with its nearest lang.
TEXTS_JS = r"""
() => {
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'CODE', 'PRE', 'KBD', 'SAMP',
                        'TEXTAREA']);
  const out = [];
  const langOf = (el) => {
    const holder = el && el.closest('[lang]');
    return holder ? holder.getAttribute('lang') : '';
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest('[translate="no"]')) continue;
    let skipped = false;
    for (let p = el; p; p = p.parentElement) { if (skip.has(p.tagName)) { skipped = true; break; } }
    if (skipped) continue;
    const text = node.textContent.replace(/\s+/g, ' ').trim();
    if (text) out.push({text, lang: langOf(el)});
  }
  out.push({text: document.title, lang: document.documentElement.lang});
  const attrs = ['aria-label', 'title', 'alt', 'placeholder', 'aria-placeholder', 'data-confirm'];
  document.querySelectorAll('*').forEach((el) => {
    if (el.closest('[translate="no"]')) return;
    attrs.forEach((a) => {
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push({text: v.trim(), lang: langOf(el)});
    });
    if (el.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(el.type) && el.value)
      out.push({text: el.value.trim(), lang: langOf(el)});
  });
  return out;
}
"""

# At phone size nothing may widen the page (a horizontal scroll): the widest culprits, or "".
OVERFLOW_JS = r"""
() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return '';
  const wide = [];
  document.querySelectorAll('body *').forEach((el) => {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !el.closest('.table-responsive, pre')) {
      const classes = typeof el.className === 'string' ? el.className.trim().split(/\s+/) : [];
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                classes.filter(Boolean).map((c) => '.' + c).join(''));
    }
  });
  const culprits = wide.slice(0, 4).join(', ') || 'an absolutely positioned element';
  return document.documentElement.scrollWidth + 'px; ' + culprits;
}
"""

# The judge's list: each action button must be visible inside the screen (on a phone, as wide
# as its card). Returns the problems found.
JUDGE_LIST_JS = r"""
(phone) => {
  const list = document.querySelector('[data-testid="judge-list"]');
  if (!list) return [];
  const width = document.documentElement.clientWidth;
  const problems = [];
  list.querySelectorAll('tbody a.btn').forEach((button) => {
    const box = button.getBoundingClientRect();
    const label = button.textContent.replace(/\s+/g, ' ').trim();
    if (box.width === 0 || box.height === 0) problems.push(`the button «${label}» is not visible`);
    else if (box.left < 0 || box.right > width + 1) problems.push(`the button «${label}» is off-screen`);
    else if (phone && box.width < width * 0.7) problems.push(`the button «${label}» is not full-width on a phone`);
  });
  return problems;
}
"""

# Table cells, headers and totals: where scores and weights are shown.
NUMBERS_JS = r"""
() => Array.from(document.querySelectorAll('td, th, dd, output, .score-total, [data-testid]'))
  .filter((el) => !el.closest('code, pre, textarea, [translate="no"], input'))
  .filter((el) => el.children.length === 0)
  .map((el) => el.textContent.replace(/\s+/g, ' ').trim()).filter(Boolean)
"""

_DECIMAL_POINT = re.compile(r"(?<![\w.\-/])\d+\.\d{1,2}(?![\w.\-/%])")

AXE_RUN_JS = r"""
async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}));
}
"""


def route_of(url: str) -> str:
    """/manage/x-2026/rounds/12/ → /manage/x-2026/rounds/N/ (tokens and ids generalised)."""
    path = re.sub(r"^https?://[^/]+", "", url).split("#")[0]
    path = path.split("?")[0]
    path = re.sub(r"/\d+(?=/|$)", "/N", path)
    path = re.sub(r"/[A-Za-z0-9_.-]{30,}(?=/|$)", "/TOKEN", path)
    return path


@dataclass
class Findings:
    """Everything wrong seen by the journey, by kind, plus what was inspected."""

    journey: str
    folder: Path
    console: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    server: list[str] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)
    i18n: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    axe: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    pages: set[str] = field(default_factory=set)
    axe_scanned: set[str] = field(default_factory=set)
    screenshots: list[Path] = field(default_factory=list)
    expected_statuses: list[int] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    # -- listeners ------------------------------------------------------------------------------

    def watch(self, page, who: str) -> None:
        def on_console(message):
            if message.type == "error":
                if self._expected(message.text):
                    return
                self.console.append(f"[{who}] {page.url}: {message.text}")

        def on_page_error(error):
            self.console.append(f"[{who}] {page.url}: uncaught {error}")

        def on_response(response):
            if response.status >= 400 and response.status not in self.expected_statuses:
                self.network.append(f"[{who}] {response.request.method} {response.url} → {response.status}")

        def on_request_failed(request):
            failure = request.failure or ""
            # ERR_ABORTED is the browser cancelling a request itself: a download, a navigation
            # replaced by the next one, or what was still loading (the favicon, a lazy image)
            # when the journey moved on. Server errors arrive as responses (on_response).
            if "ERR_ABORTED" in failure:
                return
            self.network.append(f"[{who}] {request.method} {request.url} failed: {failure}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("response", on_response)
        page.on("requestfailed", on_request_failed)

    def _expected(self, text: str) -> bool:
        return any(f"status of {status}" in text for status in self.expected_statuses)

    @contextlib.contextmanager
    def expect_status(self, status: int):
        """Within the block, responses with this status are part of the story (a refusal)."""
        self.expected_statuses.append(status)
        try:
            yield
        finally:
            self.expected_statuses.remove(status)

    # -- inspection of one page -----------------------------------------------------------------

    def check_texts(self, texts: list[str], language: str, *, where: str) -> None:
        for problem in untranslated_in([{"text": t, "lang": language} for t in texts], language):
            self.i18n[problem].add(f"{language} {where}")

    def inspect(self, page, language: str, *, viewport: str = "desktop", shot: str | None = None) -> None:
        started = time.monotonic()
        page.wait_for_load_state("load")
        route = route_of(page.url)
        self.pages.add(f"{language} {viewport} {route}")
        for problem in untranslated_in(page.evaluate(TEXTS_JS), language):
            self.i18n[problem].add(f"{language} {route}")
        # No page scrolls sideways, at 390 px nor at 1,366 px: wide tables scroll in their frame.
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow:
            self.layout.append(f"{route}: the page is wider than the {viewport} screen ({overflow})")
        # The judge's list: every «Оценить»/«Continue»… button on screen, full width on a phone.
        for problem in page.evaluate(JUDGE_LIST_JS, viewport == "phone"):
            self.layout.append(f"{route} ({viewport}): {problem}")
        if language == "ru":
            # Numbers as a Russian reader writes them: a decimal comma, never «60.00».
            for text in page.evaluate(NUMBERS_JS):
                match = _DECIMAL_POINT.search(text)
                if match:
                    self.i18n[f"decimal point {match.group(0)!r} in {text[:80]!r}"].add(f"{language} {route}")
        self.seconds["text"] += time.monotonic() - started
        key = f"{language} {viewport} {route}"
        scan_key = key if AXE_EVERY_LANGUAGE else f"{viewport} {route}"
        if scan_key not in AXE_SCANNED:
            AXE_SCANNED.add(scan_key)
            self.axe_scanned.add(key)
            started = time.monotonic()
            violations = run_axe(page)
            self.seconds["axe"] += time.monotonic() - started
            for violation in violations:
                self.axe[f"{violation['impact']} {violation['id']}: {violation['help']}"].append(
                    f"{key} → {', '.join(violation['nodes'])}")
        if shot:
            started = time.monotonic()
            path = self.folder / f"{len(self.screenshots) + 1:02d}-{shot}.png"
            page.screenshot(path=str(path), full_page=True)
            self.screenshots.append(path)
            self.seconds["screenshots"] += time.monotonic() - started

    # -- the verdict ----------------------------------------------------------------------------

    def report(self) -> str:
        lines = [f"Journey {self.journey}: {len(self.pages)} pages, {len(self.axe_scanned)} axe scans, "
                 f"{len(self.screenshots)} screenshots; seconds spent: "
                 + ", ".join(f"{what} {value:.1f}" for what, value in sorted(self.seconds.items())),
                 "Steps: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in self.timings)]

        def section(title, items):
            if items:
                lines.append(f"\n{title} ({len(items)}):")
                lines.extend(f"  - {item}" for item in items)

        section("Console errors", _grouped(self.console))
        section("Failed requests", _grouped(self.network))
        section("Server errors", self.server)
        section("Phone layout", sorted(set(self.layout)))
        section("Accessibility (axe, serious/critical)",
                [f"{rule}\n      " + "\n      ".join(where[:6]) for rule, where in self.axe.items()])
        section("Untranslated text",
                [f"{problem}  [{', '.join(sorted(where)[:4])}]" for problem, where in sorted(self.i18n.items())])
        return "\n".join(lines)

    def write(self) -> Path:
        path = self.folder / "findings.txt"
        path.write_text(self.report() + "\n", encoding="utf-8")
        return path

    def blocking(self) -> bool:
        """Whether the journey fails: any finding at all."""
        return bool(self.console or self.network or self.server or self.axe or self.layout
                    or self.i18n)


def _grouped(lines: list[str]) -> list[str]:
    """Identical problems once, with how often and for whom they happened."""
    groups: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        who, _, rest = line.partition("] ")
        groups[re.sub(r"https?://127\.0\.0\.1:\d+", "", rest)].append(who.lstrip("["))
    return [f"{problem} (×{len(who)}: {', '.join(sorted(set(who))[:3])})" for problem, who in groups.items()]


def run_axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the page.

    axe is evaluated through the DevTools protocol rather than `page.add_script_tag`: a script
    tag would be an inline script, which the app's Content-Security-Policy (rightly) blocks, and
    the blocked attempt would itself show up as a console error. The CSP stays on, so the
    console check still catches the app's own inline scripts.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(AXE_RUN_JS)


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")
