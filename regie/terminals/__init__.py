"""Terminals: registry, configuration bundles, the serial link, journals pulled back."""
