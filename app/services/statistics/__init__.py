"""Statistics of a round's judging: agreement (Krippendorff's alpha), judge severity, rank uncertainty; they inform, never rank."""
