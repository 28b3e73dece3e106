"""Blind rounds: what identifies an entrant, and hiding it from judges."""
