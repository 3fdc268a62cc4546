#!/usr/bin/env bash
# Set up and run every check: ruff, mypy and the whole pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check vault ui tests bench resources packaging scripts
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
