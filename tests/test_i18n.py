"""Both languages are complete: every message in the code has a Russian and an English text,
the compiled catalogues match their sources, and pages read in Russian."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "app" / "translations"
LANGUAGES = ("ru", "en")
# %(name)s, %(count)d, %s and {name}: what str % and str.format substitute.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*\}")


def _catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def _ids(catalogue) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the code and templates use right now (what `flask translate extract` writes)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "--no-location", "-o", str(pot), "."],
        cwd=PROJECT_ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as handle:
        return _ids(read_po(handle))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_in_the_catalogue(extracted, language):
    missing = extracted - _ids(_catalogue(language))
    assert not missing, f"run `flask translate update`; not in {language}: {sorted(missing)[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    catalogue = _catalogue(language)
    untranslated = [m.id for m in catalogue if m.id and (
        m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))]
    assert not untranslated, f"{len(untranslated)} untranslated in {language}: {untranslated[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders(language):
    wrong = []
    for message in _catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = _placeholders(ids[-1])
        # A singular form may leave the number out ("одна заявка"); it must not invent one.
        for text in texts:
            found = _placeholders(text)
            if found - expected or (len(ids) == 1 and found != expected):
                wrong.append((ids[0], text))
    assert not wrong, wrong[:10]


def test_russian_plurals_have_three_forms():
    catalogue = _catalogue("ru")
    assert catalogue.num_plurals == 3
    short = [m.id for m in catalogue if isinstance(m.id, tuple) and len(m.string) != 3]
    assert not short


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_is_current(language):
    """The committed .mo holds exactly what the .po says (run `flask translate compile`)."""
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with open(folder / "messages.mo", "rb") as handle:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    source = {_key(m.id): _key(m.string) for m in _catalogue(language) if m.id and not m.fuzzy}
    assert compiled == source


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def _russian(client, url, **kwargs):
    return client.get(url, headers={"Accept-Language": "ru"}, **kwargs).get_data(as_text=True)


def test_pages_render_in_both_languages(client):
    russian, english = _russian(client, "/auth/login"), client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="ru">' in russian and "Запомнить меня" in russian
    assert '<html lang="en">' in english and "Remember me" in english


def test_error_page_in_russian(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    assert "Такой страницы не существует." in response.get_data(as_text=True)


def test_validation_messages_in_russian_at_the_field(client):
    page = client.post(
        "/auth/register",
        data={"email": "not-an-address", "name": "Анна", "password": "short", "password2": "other"},
        headers={"Accept-Language": "ru"},
    ).get_data(as_text=True)
    assert "Неверный адрес электронной почты" in page
    assert "Пароли не совпадают." in page
    # What the person typed is kept.
    assert 'value="not-an-address"' in page and 'value="Анна"' in page
