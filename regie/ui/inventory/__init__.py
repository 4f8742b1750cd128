"""The inventory screens: equipment table, loans, audit, incidents, amortisation."""
