#!/usr/bin/env bash
# Set up and run Evidence Vault.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/evidence-vault demo "$@"
