"""Benchmarks, each run as ``python -m bench.<name>``: composition roots like regie.cli and
regie.ui.app, they install the audit trail, so that they measure the work an office does."""

from regie.audit.recorder import install_audit

install_audit()
