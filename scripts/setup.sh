#!/usr/bin/env bash
# Set up everything Evidence Vault needs on Debian 12 (run as root on a fresh machine):
# the Debian packages, a virtual environment in .venv and the Python dependencies.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
    python3 python3-venv python3-pip   # the interpreter and venv
    openssl                            # interop checks of signatures
    poppler-utils                      # pdfinfo/pdftotext in tests
    strace                             # tests: list every file a process opened
    age                                # tests: packages encrypted with age open with age
    unzip                              # tests: packages unpack with standard tools
    # Qt (PySide6 from PyPI): what its offscreen and X11/Wayland platforms load, and fonts
    libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6
    libxkbcommon0 fonts-dejavu-core
    libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
    libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-util1 libxcb-render0
    dbus-daemon dbus-bin               # tests: a private session bus (lock on screen lock)
    tesseract-ocr tesseract-ocr-eng tesseract-ocr-cym   # OCR of scans and photos (English, Welsh)
)

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: these Debian packages are missing; run as root to install them: ${missing[*]}" >&2
        exit 1
    fi
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.evidence-vault-installed
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]'
    # pi-heif bundled a libheif with published heap overflows: never leave it importable.
    .venv/bin/python -m pip uninstall -q -y pi-heif >/dev/null 2>&1 || true
    echo "$want" > "$stamp"
fi
