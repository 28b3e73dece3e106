"""Statistics of a round: judges' agreement, judge severity, ranks with their uncertainty; never the ranking itself."""
