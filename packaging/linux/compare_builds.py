"""Compare two builds of the Linux packages (scripts/package.sh builds twice): say whether
each package is byte for byte the same and, where not, which installed files differ.

    python packaging/linux/compare_builds.py DIR_A DIR_B DEB TARBALL
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha(p) for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def main() -> int:
    a, b, deb, tarball = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    same = True
    for name in (deb, tarball):
        ha, hb = sha(a / name), sha(b / name)
        print(f"{name}: {'identical' if ha == hb else 'DIFFERENT'} ({ha[:16]}... / {hb[:16]}...)")
        same &= ha == hb
    if same:
        print("The two builds are byte for byte identical.")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        trees = []
        for side in (a, b):
            dest = Path(tmp) / side.name
            subprocess.run(["dpkg-deb", "-x", str(side / deb), str(dest)], check=True)
            trees.append(tree(dest))
        differ = sorted(n for n in trees[0].keys() | trees[1].keys()
                        if trees[0].get(n) != trees[1].get(n))
        print(f"Files of the .deb that differ between the builds: {len(differ)} of "
              f"{len(trees[0])}")
        for n in differ[:40]:
            print(f"  {n}")
        with tarfile.open(a / tarball) as ta, tarfile.open(b / tarball) as tb:
            meta_a = [(m.name, m.mode, m.mtime, m.uid, m.size) for m in ta.getmembers()]
            meta_b = [(m.name, m.mode, m.mtime, m.uid, m.size) for m in tb.getmembers()]
        print(f"tar.gz entries and metadata: {'the same' if meta_a == meta_b else 'different'}")
    return 0  # reported, not fatal: the note says why they differ


if __name__ == "__main__":
    sys.exit(main())
