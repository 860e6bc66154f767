#!/usr/bin/env bash
# Set up a fresh machine: the Debian tools the tests use, and a venv with mougen in it.
set -euo pipefail
cd "$(dirname "$0")/.."
# dovecot-imapd: the tests start their own Dovecot (own config, port, state and sockets under a
# temporary folder), so a system Dovecot that Debian may start neither interferes nor is needed.
DEBIAN_PACKAGES=(poppler-utils qpdf pandoc softhsm2 libnss3-tools postgresql chromium chromium-driver libreoffice-writer-nogui fonts-dejavu-core fonts-wqy-microhei fonts-noto-core tesseract-ocr tesseract-ocr-eng python3-uno dovecot-imapd)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[test]"
# An editable install leaves mougen's own modules uncompiled: compile them, as installing a
# wheel would, or every command compiles them again as it starts wherever bytecode is not
# written back (PYTHONDONTWRITEBYTECODE, a read-only checkout): 60 ms of each `mougen pack`.
.venv/bin/python -m compileall -q mougen
