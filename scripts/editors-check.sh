#!/usr/bin/env bash
# The editor folders against real clients: Neovim's own LSP client (Debian's `neovim`, installed
# here when missing) configured by editors/nvim/ drives `sslc lsp` on a recipe with a planted
# error (the diagnostic's range and text, a hover's type, a completion list); the VS Code
# grammar is run by vscode-textmate, VS Code's own tokenizer; the extension is packaged.
# Usage: scripts/editors-check.sh [SSLC]   (default target/release/sslc)
set -euo pipefail
cd "$(dirname "$0")/.."
sslc="${1:-target/release/sslc}"
if ! command -v nvim >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq neovim >/dev/null
fi
echo "Neovim: $(nvim --version | head -1)"
timeout 120 nvim --headless --clean --cmd 'set rtp^=editors/nvim' --cmd "let g:sslc_path='$sslc'" \
  -c 'luafile editors/nvim/test/client.lua' editors/nvim/test/planted.ssl
scripts/package-vscode.sh
(cd editors/vscode && npm test --silent)
