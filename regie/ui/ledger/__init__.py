"""The ledger section (Grand livre): journal, balances, card, closures, melting, clearing."""
