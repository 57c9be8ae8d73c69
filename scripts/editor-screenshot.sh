#!/usr/bin/env bash
# Remakes docs/editor-neovim.png: Neovim in an xterm on a virtual display (Debian's xvfb, xterm
# and imagemagick, installed here when missing), editors/nvim/ configured, the planted recipe of
# the editor test open with its diagnostic and a hover.
# Usage: scripts/editor-screenshot.sh [SSLC]   (default target/release/sslc)
set -euo pipefail
cd "$(dirname "$0")/.."
sslc="${1:-target/release/sslc}"
if ! command -v Xvfb >/dev/null || ! command -v xterm >/dev/null || ! command -v import >/dev/null \
  || ! command -v nvim >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq xvfb xterm imagemagick neovim >/dev/null
fi
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1000x600x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null' EXIT
sleep 2
DISPLAY="$display" xterm -geometry 100x22+0+0 -fa 'DejaVu Sans Mono' -fs 12 -bg '#1e1e1e' -fg '#d4d4d4' \
  -e nvim --clean --cmd 'set rtp^=editors/nvim' --cmd "let g:sslc_path='$sslc'" \
  -c 'luafile editors/nvim/test/screenshot.lua' editors/nvim/test/planted.ssl &
term=$!
sleep 6
DISPLAY="$display" import -window root -crop 1000x444+0+0 +repage docs/editor-neovim.png
kill "$term" 2>/dev/null || true
echo "wrote docs/editor-neovim.png"
