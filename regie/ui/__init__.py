"""The Qt face of Régie: the only package that imports PySide6 and qasync."""
