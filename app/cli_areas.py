"""Commands of the contest areas; each is a thin shell around a service function."""

__all__: list[str] = []
