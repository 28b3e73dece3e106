"""Applications: the application form, entries and their attachments, the login-expiry stash, entry exports."""
