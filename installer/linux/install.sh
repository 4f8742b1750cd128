#!/usr/bin/env bash
# Install the Régie bundle built by PyInstaller on a Debian/Ubuntu laptop:
#   bash installer/linux/install.sh [BUNDLE]          (default BUNDLE: dist/regie)
#   bash installer/linux/install.sh --uninstall
# It copies the bundle to /opt/regie, puts `regie` on the PATH, the menu entry and its icon,
# the udev rule and the pn533 blacklist for ACR122U readers, then reloads udev and starts
# pcscd's socket. Safe to run again (an update replaces /opt/regie; your data stays in
# ~/.local/share/regie).
# DESTDIR=/some/folder installs into that folder instead of / (no sudo, nothing reloaded).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
destdir="${DESTDIR:-}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

as_root=()
if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "lancez ce script en root ou installez sudo"
  as_root=(sudo)
fi
run() { "${as_root[@]}" "$@"; }

opt="$destdir/opt/regie"
bin="$destdir/usr/local/bin/regie"
applications="$destdir/usr/share/applications"
icons="$destdir/usr/share/icons/hicolor"
rules="$destdir/etc/udev/rules.d/92-regie-acr122u.rules"
blacklist="$destdir/etc/modprobe.d/blacklist-pn533.conf"

if [ "${1:-}" = "--uninstall" ]; then
  say "Désinstallation de Régie (vos données restent dans ~/.local/share/regie)"
  run rm -rf "$opt" "$bin" "$applications/regie.desktop" "$rules" "$blacklist"
  run find "$icons" -name 'regie.png' -o -name 'regie.svg' | while read -r icon; do
    run rm -f "$icon"
  done
  [ -z "$destdir" ] && command -v udevadm >/dev/null && run udevadm control --reload-rules
  exit 0
fi

bundle="$(cd "${1:-$repo/dist/regie}" 2>/dev/null && pwd)" \
  || die "pas de bundle dans ${1:-$repo/dist/regie} : construisez-le d'abord (pyinstaller installer/regie.spec)"
[ -x "$bundle/regie" ] || die "$bundle/regie manque : ce dossier n'est pas un bundle Régie"
version="$("$bundle/regie" --version)" || die "$bundle/regie ne démarre pas"

say "Installation de $version dans /opt/regie"
run mkdir -p "$(dirname "$opt")" "$(dirname "$bin")" "$applications" \
  "$(dirname "$rules")" "$(dirname "$blacklist")"
run rm -rf "$opt.new"
run cp -a "$bundle" "$opt.new"
run rm -rf "$opt"
run mv "$opt.new" "$opt"
run ln -sfn /opt/regie/regie "$bin"

say "Menu des applications et icône"
resources="$bundle/_internal/resources"
[ -f "$resources/regie.svg" ] || resources="$repo/resources"
for png in "$resources"/regie-*.png; do
  size="$(basename "$png" .png)"
  size="${size#regie-}"
  run install -D -m 0644 "$png" "$icons/${size}x${size}/apps/regie.png"
done
run install -D -m 0644 "$resources/regie.svg" "$icons/scalable/apps/regie.svg"
run install -m 0644 "$here/regie.desktop" "$applications/regie.desktop"

say "Lecteurs ACR122U : règle udev et liste noire pn533"
run install -m 0644 "$here/92-regie-acr122u.rules" "$rules"
run install -m 0644 "$here/blacklist-pn533.conf" "$blacklist"

if [ -n "$destdir" ]; then
  say "Installé dans $destdir (rien n'a été rechargé)"
  exit 0
fi

command -v gtk-update-icon-cache >/dev/null \
  && run gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
command -v update-desktop-database >/dev/null && run update-desktop-database -q || true
if command -v udevadm >/dev/null; then
  run udevadm control --reload-rules
  run udevadm trigger --subsystem-match=usb --action=change || true
fi
# A reader already plugged in may be held by the kernel driver: release it now.
for module in pn533_usb pn533 nfc; do
  if grep -q "^$module " /proc/modules 2>/dev/null; then
    run modprobe -r "$module" || say "retirez puis rebranchez le lecteur (module $module occupé)"
  fi
done

if ! command -v pcscd >/dev/null; then
  say "pcscd manque : sudo apt install pcscd libccid libacsccid1 pcsc-tools"
elif command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  run systemctl enable --now pcscd.socket >/dev/null 2>&1 || true
  # pcscd reads the reader list when it starts: restart it if it already ran.
  run systemctl try-restart pcscd.service >/dev/null 2>&1 || true
fi

say "Terminé. Vérifiez avec : regie doctor   (et pcsc_scan pour voir le lecteur)"
