"""Contest set-up: contests, organisers, nominations, rounds, criteria, tie-breaks, and the checks their values pass."""
