"""The jury: invitations, declarations, conflicts, judges' access, and assignment of entries to judges."""
