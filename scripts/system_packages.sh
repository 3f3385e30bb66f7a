#!/usr/bin/env bash
# The system's part of "installs everything": the libraries Qt needs offscreen, on an X11
# desktop and for Qt Multimedia (the pickup desk's camera), and Chromium for the browser tests
# of the web pages (Debian's package; Playwright's own browser download does not work here).
# On Debian/Ubuntu as root it installs what is missing; otherwise it says what to install.
set -euo pipefail
packages=(libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libglib2.0-0 libpulse0 chromium)
# Qt's X11 platform plugin (plugins/platforms/libqxcb.so, lib/libQt6XcbQpa.so.6 and
# plugins/xcbglintegrations/): every library they link, by its Debian package. A minimal
# desktop lacks some (libxcb-cursor0, -icccm4, -keysyms1), and then no desk window opens.
# tests/test_system_packages.py checks with ldd that none is missing.
packages+=(
  libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0
  libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0
)
command -v dpkg-query >/dev/null || exit 0   # not Debian: Qt's wheels bring what Windows needs
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
(( ${#missing[@]} )) || exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
  echo "note: missing system packages: ${missing[*]}" >&2
  echo "      sudo apt-get install ${missing[*]}   (without chromium the browser tests skip)" >&2
fi
