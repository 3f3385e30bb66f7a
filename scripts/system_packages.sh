#!/usr/bin/env bash
# The system's part of "installs everything": the libraries Qt needs offscreen and for Qt
# Multimedia (the pickup desk's camera), and Chromium for the browser tests of the web pages
# (Debian's package; Playwright's own browser download does not work here).
# On Debian/Ubuntu as root it installs what is missing; otherwise it says what to install.
set -euo pipefail
packages=(libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libglib2.0-0 libpulse0 chromium)
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
