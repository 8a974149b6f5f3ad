"""Partner-specific case references and the mapping back to intake's cases."""
