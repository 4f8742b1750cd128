"""The Cartes section: batches, the encoding station, the card monitor, staff cards, returns."""
