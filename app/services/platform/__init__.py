"""The ground floor: clock, mail, jobs, storage, health, permissions, audit, accounts.

It knows no domain above it: a job is run by its dotted path, so the queue imports nothing it runs."""
