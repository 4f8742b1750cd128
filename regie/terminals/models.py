"""Terminals tables."""
