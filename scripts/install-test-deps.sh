#!/usr/bin/env bash
# System packages the browser and handheld UI tests need: Debian's Chromium (Playwright drives it; no
# browser download), Xvfb (Kivy screens) and a CJK font for label previews. Idempotent and quiet when everything is there.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v Xvfb >/dev/null || need+=(xvfb)
# the label preview's CJK font (Chinese addresses), loaded into the renderer like onto a printer
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: need root to apt-get install ${need[*]}" >&2
    exit 0
  fi
  echo "install-test-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
