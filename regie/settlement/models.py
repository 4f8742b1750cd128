"""Settlement tables."""
