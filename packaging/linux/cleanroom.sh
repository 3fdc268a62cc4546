#!/usr/bin/env bash
# The clean-room test of the Linux packages (run by scripts/package.sh, as root):
#
#   bash packaging/linux/cleanroom.sh DEB TARBALL OUTDIR
#
# A fresh Debian 12 made with debootstrap (minbase: nothing of ours or of Qt in it), then:
#  1. `apt-get install ./evidence-vault_*.deb`: its declared dependencies resolve from Debian;
#  2. every library of the installed program resolves (ldd finds nothing missing);
#  3. `evidence-vault self-test` passes, run as an ordinary user with no display;
#  4. the app starts on a virtual screen (Xvfb) and a screenshot is taken (OUTDIR/app.png);
#  5. the portable tar.gz, unpacked in the user's home, passes its self-test too;
#  6. `apt-get purge evidence-vault` removes the program and leaves the user's vault as it was.
# What each step printed is kept in OUTDIR. Exit status 0 only when every step passed.
set -euo pipefail
DEB=$1 TARBALL=$2 OUT=$3
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ROOTFS=$(mktemp -d /var/tmp/evidence-vault-cleanroom.XXXXXX)
chmod 755 "$ROOTFS"  # the root of the system: an ordinary user must be able to enter it
DISPLAY_NUM=${CLEANROOM_DISPLAY:-87}
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/app.png
XVFB_PID=
cleanup() {
    [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true
    for m in tmp/.X11-unix dev/pts dev sys proc; do
        mountpoint -q "$ROOTFS/$m" && umount -l "$ROOTFS/$m" || true
    done
    rm -rf "$ROOTFS"
}
trap cleanup EXIT
say() { echo "cleanroom: $*" >&2; }
inroom() { chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
asuser() { chroot --userspec=1000:1000 "$ROOTFS" /usr/bin/env -i PATH=/usr/bin:/bin \
    HOME=/home/investigator LANG=C.UTF-8 "$@"; }

start=$(date +%s)
say "making a fresh Debian 12 with debootstrap in $ROOTFS"
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" > "$OUT/debootstrap.log" 2>&1
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
mount -t proc proc "$ROOTFS/proc"
mount -t sysfs sys "$ROOTFS/sys"
mount --bind /dev "$ROOTFS/dev"
mount --bind /dev/pts "$ROOTFS/dev/pts"
inroom useradd --create-home --uid 1000 --shell /bin/bash investigator

say "1. apt-get install ./$(basename "$DEB")"
cp "$DEB" "$ROOTFS/tmp/"
inroom apt-get update -qq > "$OUT/install.log" 2>&1
inroom apt-get install -y "./tmp/$(basename "$DEB")" >> "$OUT/install.log" 2>&1
inroom dpkg-query -W -f='${Package} ${Version} ${Status}\n' evidence-vault | tee -a "$OUT/install.log"

say "2. every library of the installed program resolves"
inroom /bin/sh -c 'find /opt/evidence-vault -name "*.so*" -type f | sort | while read -r f; do
    ldd "$f" 2>/dev/null | sed "s|^|$f: |"; done' > "$OUT/ldd.log"
if grep -q "not found" "$OUT/ldd.log"; then
    grep "not found" "$OUT/ldd.log" | sort -u >&2
    say "FAILED: libraries not found (above)"
    exit 1
fi

say "3. evidence-vault self-test, as an ordinary user, no display"
asuser /usr/bin/evidence-vault self-test > "$OUT/self-test.log" 2>&1 || {
    cat "$OUT/self-test.log" >&2; say "FAILED: the self-test"; exit 1; }
grep -m1 -E "^(Everything works|[0-9]+ of [0-9]+ checks failed)" "$OUT/self-test.log" >&2

say "4. the app on a virtual screen (Xvfb :$DISPLAY_NUM), a screenshot"
mkdir -p "$ROOTFS/tmp/.X11-unix"
Xvfb ":$DISPLAY_NUM" -screen 0 1366x768x24 -nolisten tcp > "$OUT/xvfb.log" 2>&1 &
XVFB_PID=$!
sleep 2
mount --bind /tmp/.X11-unix "$ROOTFS/tmp/.X11-unix"
chroot --userspec=1000:1000 "$ROOTFS" /usr/bin/env -i PATH=/usr/bin:/bin \
    HOME=/home/investigator LANG=C.UTF-8 DISPLAY=":$DISPLAY_NUM" QT_QPA_PLATFORM=xcb \
    /usr/bin/evidence-vault-gui > "$OUT/app.log" 2>&1 &
APP_PID=$!
sleep 8
if ! kill -0 "$APP_PID" 2>/dev/null; then
    cat "$OUT/app.log" >&2; say "FAILED: the app did not stay open"; exit 1
fi
"${SCREENSHOT_PYTHON:-$(dirname "$0")/../../build/package-venv/bin/python}" -c "
import sys
from PIL import ImageGrab
ImageGrab.grab(xdisplay=sys.argv[1]).save(sys.argv[2])" ":$DISPLAY_NUM" "$OUT/app.png"
kill "$APP_PID" 2>/dev/null || true
wait "$APP_PID" 2>/dev/null || true

say "5. the portable tar.gz, unpacked in the user's home"
cp "$TARBALL" "$ROOTFS/home/investigator/"
asuser /bin/tar -C /home/investigator -xzf "/home/investigator/$(basename "$TARBALL")"
PORTABLE=$(basename "$TARBALL" | sed 's/-linux-x86_64.tar.gz$//')
asuser "/home/investigator/$PORTABLE/evidence-vault" self-test > "$OUT/portable-self-test.log" 2>&1 || {
    cat "$OUT/portable-self-test.log" >&2; say "FAILED: the portable self-test"; exit 1; }
grep -m1 -E "^(Everything works|[0-9]+ of [0-9]+ checks failed)" "$OUT/portable-self-test.log" >&2

say "6. apt-get purge leaves the user's vault alone"
asuser /usr/bin/env EVIDENCE_VAULT_PASSPHRASE="clean room vault passphrase 4791 orbit" \
    /usr/bin/evidence-vault init /home/investigator/Vaults/case --name "Clean Room" \
    --initials CR > "$OUT/vault.log" 2>&1
before=$(cd "$ROOTFS/home/investigator/Vaults" && find . -type f -exec sha256sum {} + | sort)
inroom apt-get purge -y evidence-vault > "$OUT/purge.log" 2>&1
after=$(cd "$ROOTFS/home/investigator/Vaults" && find . -type f -exec sha256sum {} + | sort)
if [ -e "$ROOTFS/opt/evidence-vault" ] || [ -e "$ROOTFS/usr/bin/evidence-vault" ]; then
    say "FAILED: the program is still there after purge"; exit 1
fi
if [ -z "$before" ] || [ "$before" != "$after" ]; then
    say "FAILED: the user's vault changed when the program was removed"; exit 1
fi
echo "$after" > "$OUT/vault-after-purge.txt"
say "passed in $(( $(date +%s) - start )) s; what it saw is in $OUT"
