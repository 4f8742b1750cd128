#!/usr/bin/env bash
# Régie on a fresh Debian/Ubuntu machine, in one command:
#   bash installer/setup.sh --run    installs what Régie needs and opens it (demo festival)
#   bash installer/setup.sh --test   installs the test services too and runs the whole suite
# Safe to run again: it only installs what is missing.
set -euo pipefail

mode="${1:---run}"
shift || true
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

case "$mode" in
  --run|--test|--install) ;;
  *) die "utilisation : bash installer/setup.sh --run | --test [arguments de pytest…]" ;;
esac

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "lancez en root ou installez sudo"
  sudo_cmd=(sudo)
fi

# What Régie itself needs: Python, the PC/SC daemon and library (pyscard builds against it),
# and the X/EGL libraries Qt 6 loads.
runtime_packages=(
  python3 python3-venv python3-dev gcc pkg-config swig
  pcscd libpcsclite1 libpcsclite-dev
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-randr0 libxkbcommon-x11-0
  libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core
)
# What the tests start for real: a virtual reader, pty pairs, a virtual screen, PostgreSQL,
# PDF read-back, hledger for the ledger cross-check, binutils for PyInstaller (the bundle test).
test_packages=(
  vsmartcard-vpcd pcsc-tools socat xvfb xauth x11-utils iproute2 util-linux
  postgresql poppler-utils hledger zbar-tools binutils
)

packages=("${runtime_packages[@]}")
[ "$mode" = "--test" ] && packages+=("${test_packages[@]}")

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "Paquets Debian à installer : ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

python="${PYTHON:-python3}"
"$python" - <<'PY' || die "Régie demande Python 3.11 ou plus récent (indiquez-le : PYTHON=/chemin/vers/python3.11)"
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

# One venv in the checkout; reinstalled only when pyproject.toml changes.
venv="$here/.venv"
[ -x "$venv/bin/python" ] || { say "Environnement Python dans .venv"; "$python" -m venv "$venv"; }
extras=""
[ "$mode" = "--test" ] && extras="[test]"
stamp="$venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)${extras}"
if [ ! -f "$stamp" ]; then
  say "Installation de Régie et de ses dépendances"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e ".${extras}"
  touch "$stamp"
fi

case "$mode" in
  --install)
    say "Installé : $venv/bin/regie"
    ;;
  --run)
    # On a laptop with systemd, let pcscd start when a reader is used.
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
      "${sudo_cmd[@]}" systemctl enable --now pcscd.socket >/dev/null 2>&1 || true
    fi
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      die "aucun écran graphique (DISPLAY) : lancez cette commande depuis une session de bureau"
    fi
    say "Ouverture de Régie"
    exec "$venv/bin/regie" "$@"
    ;;
  --test)
    exec bash "$here/tests/run.sh" "$@"
    ;;
esac
