#!/usr/bin/env bash
# System packages Zhilv needs beyond Python: CJK fonts and HarfBuzz's subsetter for
# Chinese PDFs (WeasyPrint), poppler-utils (pdftotext, used by tests), and Chromium for
# browser tests. Installed when run as root on Debian/Ubuntu; otherwise prints the command.
set -euo pipefail
packages=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "zhilv: please install CJK fonts, HarfBuzz subset, poppler-utils and Chromium with your package manager (${missing[*]})." >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "zhilv: missing system packages; run:  sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "zhilv: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
# Ubuntu ships Chromium as a snap shim; where that fails, browser tests skip with a reason.
apt-get install -y -qq "${missing[@]}" >/dev/null || apt-get install -y -qq "${missing[@]/chromium/}" >/dev/null
