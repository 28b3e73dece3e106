"""The contest exchange format (`shared/contest-exchange.md`): export, validation, import.

The package's public face, so callers say `exchange.export_contest` and `exchange.import_contest`.
"""

from app.services.exchange.document import DOCUMENT_NAME, ExchangeError, load_document, read_archive, read_upload
from app.services.exchange.export import export_contest, export_json, export_setup, export_zip
from app.services.exchange.importing import import_contest
from app.services.exchange.validation import validate_document

__all__ = ["DOCUMENT_NAME", "ExchangeError", "export_contest", "export_json", "export_zip", "import_contest",
           "load_document", "read_archive", "read_upload", "validate_document", "export_setup"]
