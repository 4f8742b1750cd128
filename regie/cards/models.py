"""Card tables (filled in by the cards work)."""
