"""Régie's settings: one registry (:mod:`.registry`), two stores — this laptop's file
(:mod:`.laptop`) and the office's database (:mod:`.office`) — and the language chosen at
start (:mod:`.language`)."""
