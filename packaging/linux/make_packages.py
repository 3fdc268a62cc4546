"""Make the Linux packages from PyInstaller's folder: a .deb that installs to /opt and a
portable tar.gz, both byte for byte the same from the same input (every time set to
SOURCE_DATE_EPOCH, names sorted, owners root, modes normalised, gzip without a time).

    python packaging/linux/make_packages.py FROZEN --version V --out DIR --deb NAME --tarball NAME

Standard library only; run by scripts/package.sh.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ICON = ROOT / "resources" / "icons" / "evidence-vault.svg"

# What the frozen program takes from the system, checked in the clean room (every library
# of the installed program must resolve): the C and C++ runtimes; Qt's windowing (X11 and
# Wayland), fonts and printing; and Tesseract with English and Welsh for reading scans.
DEPENDS = [
    "libc6 (>= 2.36)", "libstdc++6", "libgcc-s1", "zlib1g",
    "libglib2.0-0", "libdbus-1-3", "libfontconfig1", "libfreetype6", "fonts-dejavu-core",
    "libegl1", "libgl1", "libx11-6", "libx11-xcb1", "libxext6", "libxrender1",
    "libxkbcommon0", "libxkbcommon-x11-0", "libxcb1", "libxcb-cursor0", "libxcb-glx0",
    "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-randr0",
    "libxcb-render-util0", "libxcb-render0", "libxcb-shape0", "libxcb-shm0",
    "libxcb-sync1", "libxcb-util1", "libxcb-xfixes0", "libxcb-xkb1",
    "libwayland-client0", "libwayland-cursor0", "libwayland-egl1", "libcups2",
    "tesseract-ocr", "tesseract-ocr-eng", "tesseract-ocr-cym",
]

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Evidence Vault
Source: the Evidence Vault repository (README.md)

Files: *
Copyright: the Evidence Vault developers
License: AGPL-3.0-or-later
 Evidence Vault is free software: you can redistribute it and/or modify it under the terms
 of the GNU Affero General Public License as published by the Free Software Foundation,
 either version 3 of the License, or (at your option) any later version.
 .
 The full text: https://www.gnu.org/licenses/agpl-3.0.txt

Files: opt/evidence-vault/_internal/*
Comment: the libraries bundled by PyInstaller, each under its own licence (found beside it
 in its *.dist-info folder): among them Python (PSF-2.0), Qt and PySide6 (LGPL-3.0),
 PyMuPDF and MuPDF (AGPL-3.0), SQLCipher (BSD-3-Clause), OpenSSL (Apache-2.0),
 pillow-heif with libheif and libde265 (LGPL-3.0) and x265 (GPL-2.0-or-later),
 Pillow (MIT-CMU), cryptography (Apache-2.0 or BSD-3-Clause).
License: various
"""

INSTALL_TXT = """\
Evidence Vault {version}, portable build for Linux (x86-64)

Start the app:           ./evidence-vault-gui
Check that it works:     ./evidence-vault self-test

It needs Tesseract with English and Welsh to read scans (on Debian and Ubuntu:
sudo apt install tesseract-ocr tesseract-ocr-eng tesseract-ocr-cym) and the usual desktop
libraries; the .deb package installs all of these for you. Your vaults are kept where you
create them, never in this folder: deleting the folder removes the program only.

How to check that this download is genuine: docs/install.md in the Evidence Vault repository.
"""


def epoch() -> int:
    return int(os.environ.get("SOURCE_DATE_EPOCH", "0"))


def normalise(tree: Path) -> None:
    """Modes 0755 for folders and executables, 0644 for the rest; every time the epoch."""
    when = epoch()
    for path in sorted(tree.rglob("*"), reverse=True):
        if path.is_symlink():
            os.utime(path, (when, when), follow_symlinks=False)
            continue
        mode = path.stat().st_mode
        executable = path.is_dir() or mode & stat.S_IXUSR
        path.chmod(0o755 if executable else 0o644)
        os.utime(path, (when, when))
    tree.chmod(0o755)
    os.utime(tree, (when, when))


def make_deb(frozen: Path, version: str, out: Path, name: str) -> Path:
    root = out / "deb-root"
    shutil.rmtree(root, ignore_errors=True)
    opt = root / "opt" / "evidence-vault"
    shutil.copytree(frozen, opt, symlinks=True)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    for program in ("evidence-vault", "evidence-vault-gui"):
        (bin_dir / program).symlink_to(f"/opt/evidence-vault/{program}")
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy(HERE / "evidence-vault.desktop", apps / "evidence-vault.desktop")
    icons = root / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
    icons.mkdir(parents=True)
    shutil.copy(ICON, icons / "evidence-vault.svg")
    doc = root / "usr" / "share" / "doc" / "evidence-vault"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(COPYRIGHT, encoding="utf-8")
    size_kib = sum(p.stat().st_size for p in root.rglob("*")
                   if p.is_file() and not p.is_symlink()) // 1024
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(
        f"Package: evidence-vault\nVersion: {version}\nArchitecture: amd64\n"
        "Maintainer: Evidence Vault developers <maintainers@evidence-vault.invalid>\n"
        f"Installed-Size: {size_kib}\nSection: utils\nPriority: optional\n"
        f"Depends: {', '.join(DEPENDS)}\n"
        "Description: encrypted evidence vault with a signed chain of custody\n"
        " Keeps a case's evidence encrypted on the laptop, fingerprints (SHA-256) and\n"
        " timestamps every document or photo when it is received, keeps a signed,\n"
        " tamper-evident custody log, and exports signed evidence packages that a\n"
        " solicitor can verify. Works offline; never updates or calls out by itself.\n",
        encoding="utf-8")
    sums = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink() and "DEBIAN" not in p.relative_to(root).parts:
            sums.append(f"{hashlib.md5(p.read_bytes()).hexdigest()}  "  # noqa: S324 (dpkg's format)
                        f"{p.relative_to(root).as_posix()}\n")
    (debian / "md5sums").write_text("".join(sums), encoding="utf-8")
    normalise(root)
    target = out / name
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root),
                    str(target)], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(root)
    return target


def make_tarball(frozen: Path, version: str, out: Path, name: str) -> Path:
    top = f"evidence-vault-{version}"
    stage = out / "tar-root"
    shutil.rmtree(stage, ignore_errors=True)
    folder = stage / top
    shutil.copytree(frozen, folder, symlinks=True)
    shutil.copy(HERE / "evidence-vault.desktop", folder / "evidence-vault.desktop")
    shutil.copy(ICON, folder / "evidence-vault.svg")
    (folder / "INSTALL.txt").write_text(INSTALL_TXT.format(version=version), encoding="utf-8")
    normalise(stage)
    target = out / name
    with open(target, "wb") as f, \
            gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in [folder, *sorted(folder.rglob("*"))]:
            info = tar.gettarinfo(str(path), path.relative_to(stage).as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = epoch()
            info.pax_headers = {}
            if info.isfile():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    shutil.rmtree(stage)
    return target


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("frozen", type=Path)
    p.add_argument("--version", required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--deb", required=True)
    p.add_argument("--tarball", required=True)
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    make_deb(args.frozen, args.version, args.out, args.deb)
    make_tarball(args.frozen, args.version, args.out, args.tarball)


if __name__ == "__main__":
    main()
