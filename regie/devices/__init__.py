"""Physical devices: NFC card readers (PC/SC) and, later, terminals over serial links."""
