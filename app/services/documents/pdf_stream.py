"""One PDF made of many, written as they come (the combined jury pack).

pypdf's PdfWriter keeps every page it was given until write(); for 2,000 dossiers that is the whole
pack in memory. Here each source PDF is read (pypdf, lazily from its file), the objects its pages
use are copied to the output at once with new numbers, and the source is let go: what stays in
memory is one offset per object and one number per page. The page tree and the cross-reference
table are written at the end; pages added with `front=True` (an index built last) come first.
"""

from __future__ import annotations

import gc
import io
from array import array
from collections import deque
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
    TextStringObject,
)

_CATALOG, _PAGES = 1, 2
COLLECT_EVERY = 50


class PdfConcatenator:
    def __init__(self, out: BinaryIO, *, title: str = ""):
        self.out = out
        self.title = title
        self.offsets = array("q", [0, 0, 0])  # by object number; 0: not written (a free entry)
        self.pages = array("q")
        self.front = array("q")
        self.sources = 0
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _new(self) -> int:
        self.offsets.append(0)
        return len(self.offsets) - 1

    def add(self, reader: PdfReader, *, front: bool = False) -> int:
        """Copies every page of `reader` (with what they use) to the output; returns the page count."""
        numbers: dict[tuple[int, int], int] = {}
        pending: deque[tuple[object, int]] = deque()

        def number_of(reference: IndirectObject) -> int:
            key = (reference.idnum, reference.generation)
            if key not in numbers:
                numbers[key] = self._new()
                pending.append((reference, numbers[key]))
            return numbers[key]

        added = array("q")
        page_objects: dict[int, DictionaryObject] = {}
        for page in reader.pages:  # flattened: inherited resources and boxes are on each page
            number = number_of(page.indirect_reference)
            page_objects[number] = page
            added.append(number)
        while pending:
            reference, number = pending.popleft()
            obj = page_objects.get(number)
            if obj is None:
                obj = reference.get_object()
            buffer = io.BytesIO()
            buffer.write(b"%d 0 obj\n" % number)
            _write(obj, buffer, number_of, page=number in page_objects)
            buffer.write(b"\nendobj\n")
            self.offsets[number] = self.out.tell()
            self.out.write(buffer.getvalue())
        (self.front if front else self.pages).extend(added)
        self.sources += 1
        if self.sources % COLLECT_EVERY == 0:
            gc.collect()  # a reader and its objects refer to each other: let them go now, not some day
        return len(added)

    def close(self) -> None:
        """Writes the page tree, the catalogue and the cross-reference table."""
        self.offsets[_PAGES] = self.out.tell()
        self.out.write(b"%d 0 obj\n<< /Type /Pages /Count %d /Kids [" % (_PAGES, len(self.front) + len(self.pages)))
        for kids in (self.front, self.pages):
            for kid in kids:
                self.out.write(b" %d 0 R" % kid)
        self.out.write(b" ] >>\nendobj\n")
        self._object(_CATALOG, b"<< /Type /Catalog /Pages 2 0 R >>")
        info = self._new()
        title = io.BytesIO()
        TextStringObject(self.title).write_to_stream(title)
        self._object(info, b"<< /Producer (Formula Jury) /Title " + title.getvalue() + b" >>")
        start = self.out.tell()
        self.out.write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self.offsets))
        for offset in self.offsets[1:]:
            self.out.write(b"%010d 00000 n \n" % offset if offset else b"0000000000 65535 f \n")
        self.out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                       % (len(self.offsets), info, start))

    def _object(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.out.tell()
        self.out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))


def _write(obj, out: BinaryIO, number_of, *, page: bool = False) -> None:
    """pypdf's write_to_stream, with references renumbered and a page's parent set to the new tree."""
    if isinstance(obj, IndirectObject):
        out.write(b"%d 0 R" % number_of(obj))
    elif isinstance(obj, DictionaryObject):
        data = None
        if isinstance(obj, StreamObject):
            data = obj.get_data() if isinstance(obj, ContentStream) else obj._data
        out.write(b"<<")
        for key, value in obj.items():
            if key == "/Length" and data is not None:
                continue
            if data is not None and isinstance(obj, ContentStream) and key in ("/Filter", "/DecodeParms"):
                continue
            out.write(b"\n")
            NameObject(key).write_to_stream(out)
            out.write(b" ")
            if page and key == "/Parent":
                out.write(b"%d 0 R" % _PAGES)
            else:
                _write(value, out, number_of)
        if data is not None:
            out.write(b"\n/Length %d" % len(data))
        out.write(b"\n>>")
        if data is not None:
            out.write(b"\nstream\n")
            out.write(data)
            out.write(b"\nendstream")
    elif isinstance(obj, ArrayObject):
        out.write(b"[")
        for item in obj:
            out.write(b" ")
            _write(item, out, number_of)
        out.write(b" ]")
    else:
        obj.write_to_stream(out)
