"""Reviews: saving and submitting scores, progress and reminders."""
