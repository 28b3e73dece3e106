"""The PDF side of every document: fpdf2 (pure Python) with DejaVu Sans, shipped in `fonts/` with its
licence, so Cyrillic prints on a machine that has nothing but Python."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

# The fonts parsed once per process: metrics, cmap and widths are read-only and shared; what one
# document changes (the glyphs it uses, the fontTools object that output() subsets in place) is
# made fresh for each document from the file's bytes, kept in memory.
_parsed: dict[str, tuple[TTFFont, bytes]] = {}
_parsed_lock = threading.Lock()


def _pristine(style: str) -> tuple[TTFFont, bytes]:
    with _parsed_lock:
        if style not in _parsed:
            path = FONTS / FONT_FILES[style]
            loader = FPDF()
            loader.add_font(FAMILY, style, str(path))
            _parsed[style] = (loader.fonts[f"{FAMILY.lower()}{style}"], path.read_bytes())
        return _parsed[style]


def _font_for(document: FPDF, style: str) -> TTFFont:
    """A TTFFont for one document sharing the parsed tables of the process's one (cf. TTFFont.__deepcopy__)."""
    pristine, data = _pristine(style)
    font = TTFFont.__new__(TTFFont)
    for name in ("type", "ttffile", "fontkey", "scale", "name", "up", "ut", "sp", "ss", "emphasis", "is_compressed",
                 "is_cff", "is_cid_keyed", "is_symbol", "cff_ros", "collection_font_number", "cmap", "desc", "cw",
                 "glyph_ids", "palette_index", "color_font"):
        setattr(font, name, getattr(pristine, name))
    font.i = len(document.fonts) + 1
    font.ttfont = ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    return font


class PdfDocument(FPDF):
    """A4 portrait (or landscape) with the house font, a running title and page numbers."""

    def __init__(self, *, title: str, footer_text: str = "", landscape: bool = False):
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        for style in FONT_FILES:  # what add_font() does, without parsing the font file again
            font = _font_for(self, style)
            self.fonts[font.fontkey] = font
        self.set_title(title)
        self.set_creator("Formula Jury")
        self.running_title = title
        self.footer_text = footer_text
        self.set_auto_page_break(True, margin=15)
        self.set_margins(15, 15, 15)
        self.alias_nb_pages()
        self.add_page()

    # Running parts ---------------------------------------------------------------------------

    def footer(self):
        self.set_y(-12)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text}   {self.page_no()}/{{nb}}".strip(), align="R")
        self.set_text_color(0)

    # Blocks ----------------------------------------------------------------------------------

    def text_block(self, w: float, h: float, text: str) -> None:
        """What multi_cell(w, h, text, new_x=LMARGIN, new_y=NEXT) does, left-aligned, with the own line
        breaker: fpdf2's measures the line again for every character, most of an application's time."""
        x = self.get_x()
        width = w or (self.w - self.r_margin - x)
        for line in self._wrap(text, width - 2 * self.c_margin):
            self.set_x(x)
            self.cell(width, h, line, new_x=XPos.LEFT, new_y=YPos.NEXT)  # breaks the page when it must
        self.set_x(self.l_margin)

    def title_block(self, title: str, subtitle: str = "") -> None:
        if subtitle:
            self.set_font(FAMILY, "", 9)
            self.set_text_color(90)
            self.text_block(0, 5, subtitle)
            self.set_text_color(0)
        self.set_font(FAMILY, "B", 15)
        self.text_block(0, 8, title)
        self.ln(2)

    def heading(self, text: str, size: int = 12) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2)
        self.set_font(FAMILY, "B", size)
        self.text_block(0, 6, text)
        self.ln(1)

    def field(self, label: str, value: str, *, label_width: float = 55) -> None:
        """A label and its value side by side; either wraps within its column."""
        if self.get_y() > self.h - 25:
            self.add_page()
        self.set_font(FAMILY, "B", 9)
        x, y = self.l_margin, self.get_y()
        self.set_xy(x, y)
        self.text_block(label_width - 2, 5, label)
        after_label = self.get_y()
        self.set_xy(x + label_width, y)
        self.set_font(FAMILY, "", 9)
        self.text_block(0, 5, value or "—")
        self.set_y(max(self.get_y(), after_label))
        self.ln(1)

    def answer(self, label: str, value: str) -> None:
        """A form answer: the label in bold, the text below it (long answers)."""
        self.set_font(FAMILY, "B", 9)
        self.text_block(0, 5, label)
        self.set_font(FAMILY, "", 9)
        self.text_block(0, 5, value or "—")
        self.ln(2)

    def paragraph(self, text: str, *, size: int = 9, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.text_block(0, 5, text)
        self.ln(1)

    def grid(self, headers: list[str], rows, *, widths: tuple[float, ...] | None = None,
             size: int = 8) -> None:
        """A table whose heading row repeats on every page it spans.

        Drawn row by row with cell()/multi_cell() and widths fixed beforehand, so its cost is linear in
        the number of rows (fpdf2's table() lays the whole table out and took minutes for 10,000 rows);
        `rows` may be any iterable."""
        widths = widths or tuple(1 for _ in headers)
        scale = self.epw / sum(widths)
        widths = tuple(w * scale for w in widths)
        line = size * 0.5
        auto, margin = self.auto_page_break, self.b_margin
        self.set_auto_page_break(False)
        try:
            self._grid_row(headers, widths, size, line, bold=True)
            for values in rows:
                texts = ["—" if value is None or value == "" else str(value) for value in values]
                if not self._grid_row(texts, widths, size, line, bold=False, fits_only=True):
                    self.add_page()
                    self._grid_row(headers, widths, size, line, bold=True)
                    self._grid_row(texts, widths, size, line, bold=False)
        finally:
            self.set_auto_page_break(auto, margin=margin)
        self.set_x(self.l_margin)
        self.ln(2)

    _PAD = 1.0

    def _wrap(self, text: str, width: float) -> list[str]:
        """Greedy line breaking at spaces with one width measure per word (fpdf2's own line breaker
        re-measures the line for every character); a word wider than the column is cut."""
        lines: list[str] = []
        widths, scale = self.current_font.cw, self.font_size / 1000

        def measure(text: str) -> float:  # get_string_width() without its per-call style copies
            return sum(widths[ord(char)] for char in text) * scale

        space = measure(" ")
        for paragraph in text.split("\n"):
            line, line_width = "", 0.0
            for word in paragraph.split(" "):
                word_width = measure(word)
                if word_width > width:
                    if line:
                        lines.append(line)
                    line = ""
                    for char in word:
                        if line and measure(line + char) > width:
                            lines.append(line)
                            line = ""
                        line += char
                    line_width = measure(line)
                elif line and line_width + space + word_width > width:
                    lines.append(line)
                    line, line_width = word, word_width
                elif line:
                    line, line_width = f"{line} {word}", line_width + space + word_width
                else:
                    line, line_width = word, word_width
            lines.append(line)
        return lines

    def _grid_row(self, texts: list[str], widths, size: int, line: float, *, bold: bool,
                  fits_only: bool = False) -> bool:
        """Draws one row; with `fits_only`, draws nothing and returns False when it would cross the page end."""
        self.set_font(FAMILY, "B" if bold else "", size)
        wrapped = [self._wrap(text, width - 2 * self._PAD) for text, width in zip(texts, widths, strict=False)]
        height = line * max([1] + [len(lines) for lines in wrapped]) + 2 * self._PAD
        top = self.get_y()
        if fits_only and top + height > self.page_break_trigger and top > self.t_margin + 1:
            return False
        x = self.l_margin
        self.set_fill_color(235)
        for width, lines in zip(widths, wrapped, strict=False):
            self.rect(x, top, width, height, style="DF" if bold else "D")
            for number, text in enumerate(lines):
                self.set_xy(x + self._PAD, top + self._PAD + number * line)
                self.cell(width - 2 * self._PAD, line, text)
            x += width
        self.set_xy(self.l_margin, top + height)
        return True

    def signature(self, role: str, name: str = "") -> None:
        self.ln(6)
        self.set_font(FAMILY, "", 9)
        self.cell(60, 5, role)
        self.cell(60, 5, "_" * 28)
        self.cell(0, 5, name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
