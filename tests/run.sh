#!/usr/bin/env bash
# The whole test suite: quality gates first, then pytest with the real rig.
# Called by `bash installer/setup.sh --test` (which installs everything first) and by CI.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
venv="$here/.venv/bin"
mkdir -p artifacts

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
failed=0

step "ruff (lint)";           "$venv/ruff" check . || failed=1
step "ruff (format)";         "$venv/ruff" format --check . || failed=1
step "mypy (strict on the core)"; "$venv/mypy" || failed=1

step "pytest"
"$venv/pytest" "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no test: that is a broken suite, not a green one." >&2
  status=1
fi
[ "$status" -eq 0 ] || failed=1
exit "$failed"
