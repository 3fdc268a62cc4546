#!/usr/bin/env bash
# Set up and run Evidence Vault: the desktop app (create or open a vault).
# With no display it says so in one line and points to the command-line demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/evidence-vault-gui "$@"
