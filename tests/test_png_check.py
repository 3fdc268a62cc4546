"""A very large PNG is checked for damage without decoding it (constant memory), and the
check agrees with a full decode on every kind of PNG Pillow writes."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from conftest import PASSPHRASE, ROOT
from PIL import Image

from vault.evidence.png_check import png_problems


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def big_png(path: Path, width: int, height: int, *, colour: int = 0,
            exif: bytes | None = None) -> Path:
    """A PNG (grey, or RGB for ``colour=2``) written in a stream, never a pixel buffer in
    memory; ``exif`` goes in an eXIf chunk after the image data, where cameras put it."""
    squeeze = zlib.compressobj(1)
    samples = width * (3 if colour == 2 else 1)
    row = b"\0" + (bytes(range(256)) * (samples // 256 + 1))[:samples]
    with path.open("wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height,
                                                                  8, colour, 0, 0, 0)))
        for done in range(0, height, 100):
            data = squeeze.compress(row * min(100, height - done))
            if data:
                f.write(chunk(b"IDAT", data))
        f.write(chunk(b"IDAT", squeeze.flush()))
        if exif is not None:
            f.write(chunk(b"eXIf", exif))
        f.write(chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"])
@pytest.mark.parametrize("interlace", [False, True])
def test_whole_pngs_of_every_kind_pass(mode: str, interlace: bool) -> None:
    im = Image.new(mode, (37, 23))
    out = io.BytesIO()
    im.save(out, "PNG", interlace=interlace)  # Pillow writes Adam7 when asked
    data = out.getvalue()
    assert png_problems(io.BytesIO(data)) == [], (mode, interlace)
    assert png_problems(io.BytesIO(data[:-20])) != []  # cut short: noticed


def test_damage_is_named(tmp_path: Path) -> None:
    data = big_png(tmp_path / "p.png", 3000, 2000).read_bytes()
    assert png_problems(io.BytesIO(data)) == []
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x40
    assert "checksum is wrong" in png_problems(io.BytesIO(bytes(flipped)))[0]
    assert "truncated" in png_problems(io.BytesIO(data[: len(data) // 2]))[0]
    # A stream that stops early, with valid checksums: the picture is cut short.
    half = zlib.compress(b"\0" + b"\1" * 100)
    short = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100, 2, 8, 0, 0, 0,
                                                                0))
             + chunk(b"IDAT", half) + chunk(b"IEND", b""))
    assert "cut short" in png_problems(io.BytesIO(short))[0]


IMPORT = """
import sys
from vault.evidence.importer import import_paths
from vault.evidence.items import get_item
from vault.store.vault import Vault
with Vault.open(sys.argv[1], passphrase=sys.argv[2]) as v:
    refs = [r.ref for p in import_paths(v, [sys.argv[3]]) for r in p.acknowledged]
    item = get_item(v, refs[0])
    print(item.metadata["width"], item.metadata["height"])
    print(item.metadata.get("camera_make"))
    print(repr([w for w in item.warnings if not w.startswith("image warning")]))
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest).
print(int(next(line.split()[1] for line in open("/proc/self/status")
               if line.startswith("VmHWM:"))) // 1024)
"""


def test_a_169_megapixel_png_is_imported_without_decoding_it(tmp_path: Path) -> None:
    """Decoding a 13,000 x 13,000 RGB picture needs 507 MB for its pixels alone; walked in a
    stream, the import takes what it needs for any file. Its EXIF, after the image data, is
    still read; a damaged byte is still found."""
    from conftest import IDENTITY

    from vault.store.keyslots import TEST_KDF
    from vault.store.vault import Vault

    v, _ = Vault.create(tmp_path / "mary", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    folder = v.folder
    v.close()
    make = Image.Exif()
    make[0x010F] = "Northbridge Aerial Survey"
    picture = big_png(tmp_path / "aerial.png", 13_000, 13_000, colour=2,
                      exif=make.tobytes()[6:])  # without "Exif\0\0", as PNG stores it
    done = subprocess.run([sys.executable, "-c", IMPORT, str(folder), PASSPHRASE, str(picture)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    size, make_read, warnings, peak = done.stdout.splitlines()
    assert size == "13000 13000" and warnings == "[]"
    assert make_read == "Northbridge Aerial Survey"
    assert int(peak) < 300, f"peak {peak} MB: the picture was decoded"
    damaged = bytearray(picture.read_bytes())
    damaged[len(damaged) // 2] ^= 0x40
    picture.write_bytes(bytes(damaged))
    done = subprocess.run([sys.executable, "-c", IMPORT, str(folder), PASSPHRASE, str(picture)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "checksum is wrong" in done.stdout.splitlines()[2]
