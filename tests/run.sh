#!/usr/bin/env bash
# The whole test suite: quality gates first, then pytest with the real rig.
# Called by `bash installer/setup.sh --test` (which installs everything first) and by CI.
#
# As root, pytest runs in a sandbox of its own: a network namespace whose only interface is
# loopback (so every service the rig starts, pcscd's vpcd on 0.0.0.0 included, is reachable
# from 127.0.0.1 only) and a mount namespace with a private TMPDIR and /run/pcscd (so the
# rig's pcscd never meets the machine's, nor another test run's).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
venv="$here/.venv/bin"
mkdir -p artifacts

# Two workers on the two cores CI gives (REGIE_TEST_WORKERS=0 for one process): each module stays
# whole on one worker, and every PC/SC module on the same one (tests/conftest.py).
workers="${REGIE_TEST_WORKERS:-2}"
parallel=()
[ "$workers" -gt 1 ] && parallel=(-n "$workers")

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if [ "${REGIE_TEST_SANDBOX:-}" = "inside" ]; then
  ip link set lo up || exit 1
  mount -t tmpfs -o mode=1777 regie-tmp "$TMPDIR" || exit 1
  mount -t tmpfs regie-pcscd /run/pcscd || exit 1
  step "pytest (sandbox: loopback only, private TMPDIR and /run/pcscd)"
  "$venv/pytest" "${parallel[@]}" --durations=15 "$@"  # the slowest named: the suite stays < 15 min
  exit $?
fi

failed=0
step "ruff (lint)";               "$venv/ruff" check . || failed=1
step "ruff (format)";             "$venv/ruff" format --check . || failed=1
step "mypy (strict on the core)"; "$venv/mypy" || failed=1
step "lint-imports (layers)";     "$venv/lint-imports" --no-cache || failed=1

if [ "$(id -u)" -eq 0 ] && unshare --net --mount true 2>/dev/null; then
  mkdir -p /run/pcscd
  sandbox_tmp="$(mktemp -d "${TMPDIR:-/tmp}/regie-tests.XXXXXX")"
  REGIE_TEST_SANDBOX=inside TMPDIR="$sandbox_tmp" \
    unshare --net --mount --propagation private bash "$here/tests/run.sh" "$@"
  status=$?
  rmdir "$sandbox_tmp" 2>/dev/null
elif [ "${CI:-}" = "true" ]; then
  echo "CI needs root and unshare (util-linux) to sandbox the test services." >&2
  exit 1
else
  step "pytest (no sandbox: not root; the rig uses the machine's pcscd)"
  "$venv/pytest" "${parallel[@]}" "$@"
  status=$?
fi
if [ "$status" -eq 5 ]; then
  echo "pytest collected no test: that is a broken suite, not a green one." >&2
  status=1
fi
[ "$status" -eq 0 ] || failed=1
if [ "$failed" -ne 0 ]; then echo "FAILED: see above." >&2; fi
exit "$failed"
