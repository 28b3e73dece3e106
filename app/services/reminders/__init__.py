"""Scheduled reminders: judges before judging closes, entrants with drafts before intake closes."""
