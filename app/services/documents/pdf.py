"""The PDF side of every document: fpdf2 (pure Python) with DejaVu Sans, shipped in `fonts/` with its
licence, so Cyrillic prints on a machine that has nothing but Python."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"


class PdfDocument(FPDF):
    """A4 portrait (or landscape) with the house font, a running title and page numbers."""

    def __init__(self, *, title: str, footer_text: str = "", landscape: bool = False):
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
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

    def title_block(self, title: str, subtitle: str = "") -> None:
        if subtitle:
            self.set_font(FAMILY, "", 9)
            self.set_text_color(90)
            self.multi_cell(0, 5, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0)
        self.set_font(FAMILY, "B", 15)
        self.multi_cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def heading(self, text: str, size: int = 12) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def field(self, label: str, value: str, *, label_width: float = 55) -> None:
        """A label and its value side by side; either wraps within its column."""
        if self.get_y() > self.h - 25:
            self.add_page()
        self.set_font(FAMILY, "B", 9)
        x, y = self.l_margin, self.get_y()
        self.set_xy(x, y)
        self.multi_cell(label_width - 2, 5, label, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        after_label = self.get_y()
        self.set_xy(x + label_width, y)
        self.set_font(FAMILY, "", 9)
        self.multi_cell(0, 5, value or "—", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(max(self.get_y(), after_label))
        self.ln(1)

    def answer(self, label: str, value: str) -> None:
        """A form answer: the label in bold, the text below it (long answers)."""
        self.set_font(FAMILY, "B", 9)
        self.multi_cell(0, 5, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, "", 9)
        self.multi_cell(0, 5, value or "—", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def paragraph(self, text: str, *, size: int = 9, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def grid(self, headers: list[str], rows: list[list], *, widths: tuple[float, ...] | None = None,
             size: int = 8) -> None:
        """A table whose heading row repeats on every page it spans."""
        self.set_font(FAMILY, "", size)
        with self.table(col_widths=widths, text_align="LEFT", line_height=size * 0.5,
                        repeat_headings=1) as table:
            row = table.row()
            for header in headers:
                row.cell(header)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell("—" if value is None or value == "" else str(value))
        self.ln(2)

    def signature(self, role: str, name: str = "") -> None:
        self.ln(6)
        self.set_font(FAMILY, "", 9)
        self.cell(60, 5, role)
        self.cell(60, 5, "_" * 28)
        self.cell(0, 5, name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
