"""The API's own state: personal tokens (who a script is, what it may do) and webhooks (telling other systems)."""
