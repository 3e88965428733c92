#!/usr/bin/env bash
# Installs the programs the report tests use to look at what we make:
# pdftotext / pdftoppm (poppler-utils) read the PDF back, LibreOffice opens
# the workbook as a second reader. Debian packages; needs root (CI is root).
set -euo pipefail
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: need ${need[*]} (run as root, or install them): the report tests skip without them" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-test-deps: installed ${need[*]}"
