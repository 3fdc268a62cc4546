#!/usr/bin/env bash
# Build the Linux packages of Evidence Vault and prove them in a clean room (as root on Debian 12):
#
#   bash scripts/package.sh            # build twice (compare), then the clean-room test
#   bash scripts/package.sh --once     # build once, then the clean-room test
#   bash scripts/package.sh --no-test  # build only
#
# Writes to dist/packages/: evidence-vault_VERSION_amd64.deb, the portable
# evidence-vault-VERSION-linux-x86_64.tar.gz, SHA256SUMS, reproducibility.txt (the two builds
# compared) and cleanroom/ (what the clean-room test saw, with a screenshot of the app).
# The frozen program is made by PyInstaller (packaging/pyinstaller/evidence-vault.spec) with
# Debian's own Python 3.11, in a virtual environment of its own (build/package-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

TWICE=1 TEST=1
for arg in "$@"; do
    case "$arg" in
        --once) TWICE=0 ;;
        --no-test) TEST=0 ;;
        *) echo "package: unknown option $arg" >&2; exit 2 ;;
    esac
done
if [ "$(id -u)" -ne 0 ]; then
    echo "package: run as root (it installs build tools and uses chroot for the clean room)" >&2
    exit 1
fi

# The app's own system packages (Qt's libraries, Tesseract) come from the setup; these build it.
bash scripts/setup.sh
BUILD_PACKAGES=(python3.11 python3.11-venv libpython3.11 binutils dpkg-dev debootstrap xvfb xauth)
missing=()
for pkg in "${BUILD_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "package: installing build tools: ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

VENV=build/package-venv
want=$(cat pyproject.toml constraints.txt packaging/requirements-build.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$VENV/.installed" ] || [ "$(cat "$VENV/.installed")" != "$want" ]; then
    rm -rf "$VENV"
    /usr/bin/python3.11 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -c constraints.txt -r packaging/requirements-build.txt .
    "$VENV/bin/python" -m pip uninstall -q -y pi-heif >/dev/null 2>&1 || true
    echo "$want" > "$VENV/.installed"
fi

VERSION=$("$VENV/bin/python" -c 'import vault; print(vault.__version__)')
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export PYTHONHASHSEED=0
OUT=dist/packages
DEB=evidence-vault_${VERSION}_amd64.deb
TARBALL=evidence-vault-${VERSION}-linux-x86_64.tar.gz
rm -rf "$OUT" && mkdir -p "$OUT"

build() {  # build DIR: the frozen folder, the .deb and the tar.gz under DIR
    local dir=$1
    rm -rf "$dir" && mkdir -p "$dir"
    # Fixed paths: every build runs in build/package-work, whatever DIR is.
    rm -rf build/package-work
    "$VENV/bin/pyinstaller" --noconfirm --clean --log-level ERROR \
        --distpath build/package-work/dist --workpath build/package-work/work \
        packaging/pyinstaller/evidence-vault.spec
    "$VENV/bin/python" packaging/linux/make_packages.py build/package-work/dist/evidence-vault \
        --version "$VERSION" --out "$dir" --deb "$DEB" --tarball "$TARBALL"
}

start=$(date +%s)
build build/package-a
if [ "$TWICE" = 1 ]; then
    build build/package-b
    "$VENV/bin/python" packaging/linux/compare_builds.py build/package-a build/package-b \
        "$DEB" "$TARBALL" | tee "$OUT/reproducibility.txt"
fi
cp build/package-a/"$DEB" build/package-a/"$TARBALL" "$OUT/"
(cd "$OUT" && sha256sum "$DEB" "$TARBALL" > SHA256SUMS)
echo "package: built $OUT/$DEB and $OUT/$TARBALL in $(( $(date +%s) - start )) s" >&2

if [ "$TEST" = 1 ]; then
    SCREENSHOT_PYTHON="$ROOT/$VENV/bin/python" bash packaging/linux/cleanroom.sh "$ROOT/$OUT/$DEB" "$ROOT/$OUT/$TARBALL" "$ROOT/$OUT/cleanroom"
fi
echo "package: done in $(( $(date +%s) - start )) s" >&2
