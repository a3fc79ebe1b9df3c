#!/usr/bin/env bash
# PDF reports need LibreOffice headless and the fonts (Debian: libreoffice-writer-nogui, fonts-liberation; the tests
# also read PDFs with poppler-utils). Installed here when missing and allowed (root with apt-get); otherwise says how.
set -uo pipefail
packages=(libreoffice-writer-nogui fonts-liberation)
[ "${1:-}" = "test" ] && packages+=(poppler-utils)
missing=()
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)
[ -e /usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf ] || missing+=(fonts-liberation)
[ "${1:-}" = "test" ] && { command -v pdftotext >/dev/null || missing+=(poppler-utils); }
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for PDF reports…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/tmp/office-install.log 2>&1 \
    && exit 0
  echo "Could not install ${missing[*]} (see /tmp/office-install.log): PDF reports are unavailable, Word still works"
else
  echo "PDF reports need: sudo apt-get install ${missing[*]} (until then the report page offers Word, Excel, Markdown)"
fi
exit 0
