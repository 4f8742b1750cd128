"""NFC cards: factory batches, encoding at a reader, states, lost cards, staff cards."""
