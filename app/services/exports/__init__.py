"""Background exports of a contest: entries, results, the exchange document, as file jobs."""
