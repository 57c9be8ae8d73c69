#!/usr/bin/env bash
# Builds the VS Code extension (editors/vscode/) into target/sslc.vsix with npm's tool chain:
# the exact packages of its package-lock.json, then vsce. Install the result with
# `code --install-extension target/sslc.vsix`.
set -euo pipefail
cd "$(dirname "$0")/../editors/vscode"
npm ci --no-audit --no-fund --loglevel=error
mkdir -p ../../target
npm run --silent package
