"""Documents a contest runs on: application PDFs, evaluation sheets, the score matrix, the protocol, jury packs."""
