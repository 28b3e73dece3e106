"""Changing what shapes a round's results once judging has started (the audited change in progress)."""
