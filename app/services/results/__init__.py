"""Results: ranking, disagreement flags, snapshots, advancement, awards, publication, and the results exports."""
