"""A small writer of Compound Files (OLE2, MS-CFB version 3) for tests: Outlook ``.msg``
messages made here, since no real one may be shipped. Streams under 4096 bytes go to the mini
stream, as the format requires; the directory is a chain of right siblings (valid, if not
balanced)."""

from __future__ import annotations

import itertools
import struct

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _chain(start: int, count: int) -> list[int]:
    return [start + i + 1 if i + 1 < count else END for i in range(count)]


def compound_file(streams: dict[str, bytes]) -> bytes:
    """``streams``: {"storage/stream": bytes} (one level of storages at most)."""
    # Directory entries: root, then each storage, then each stream.
    storages = sorted({p.split("/")[0] for p in streams if "/" in p})
    entries: list[dict[str, object]] = [{"name": "Root Entry", "type": 5, "kids": []}]
    index: dict[str, int] = {}
    for s in storages:
        index[s] = len(entries)
        entries.append({"name": s, "type": 1, "kids": []})
        entries[0]["kids"].append(index[s])  # type: ignore[attr-defined]
    for path, data in streams.items():
        parent = index[path.split("/")[0]] if "/" in path else 0
        entries.append({"name": path.split("/")[-1], "type": 2, "data": data, "kids": []})
        entries[parent]["kids"].append(len(entries) - 1)  # type: ignore[attr-defined]
    # Mini stream for the small streams.
    mini = bytearray()
    minifat: list[int] = []
    for e in entries:
        data = e.get("data")
        if isinstance(data, bytes) and len(data) < CUTOFF:
            count = max(1, -(-len(data) // MINI))
            e["start"] = len(minifat)
            minifat += _chain(len(minifat), count)
            mini += data.ljust(count * MINI, b"\0")
    sectors: list[bytes] = []
    fat: list[int] = []

    def place(blob: bytes) -> int:
        if not blob:
            return END
        count = -(-len(blob) // SECTOR)
        start = len(sectors)
        for i in range(count):
            sectors.append(blob[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\0"))
        fat.extend(_chain(start, count))
        return start

    for e in entries:
        data = e.get("data")
        if isinstance(data, bytes) and len(data) >= CUTOFF:
            e["start"] = place(data)
    entries[0]["start"] = place(bytes(mini))
    entries[0]["size"] = len(mini)
    minifat_start = place(b"".join(struct.pack("<I", x) for x in minifat)) if minifat else END
    minifat_count = -(-len(minifat) * 4 // SECTOR) if minifat else 0
    directory = bytearray()
    for e in entries:
        kids = e["kids"]
        assert isinstance(kids, list)
        name = str(e["name"]).encode("utf-16-le") + b"\0\0"
        data = e.get("data")
        size = len(data) if isinstance(data, bytes) else int(e.get("size", 0))  # type: ignore
        start = int(e.get("start", END))  # type: ignore[call-overload]
        directory += struct.pack("<64sHBBIII16sIQQIQ", name, len(name), int(e["type"]),  # type: ignore
                                 1, NOSTREAM, NOSTREAM, kids[0] if kids else NOSTREAM,
                                 b"\0" * 16, 0, 0, 0, start, size)
    # Right siblings: each storage's children in a chain.
    for e in entries:
        kids = e["kids"]
        assert isinstance(kids, list)
        for a, b in itertools.pairwise(kids):
            struct.pack_into("<I", directory, a * 128 + 72, b)
    while len(directory) % SECTOR:
        directory += struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM,
                                 NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0)
    dir_start = place(bytes(directory))
    # The FAT, which also maps its own sectors.
    fat_sectors = 1
    while len(fat) + fat_sectors > fat_sectors * (SECTOR // 4):
        fat_sectors += 1
    first_fat = len(sectors)
    fat += [FATSECT] * fat_sectors
    fat += [FREE] * (fat_sectors * (SECTOR // 4) - len(fat))
    table = b"".join(struct.pack("<I", x) for x in fat)
    for i in range(fat_sectors):
        sectors.append(table[i * SECTOR:(i + 1) * SECTOR])
    difat = [first_fat + i for i in range(fat_sectors)] + [FREE] * (109 - fat_sectors)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"),
                         b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, fat_sectors,
                         dir_start, 0, CUTOFF, minifat_start, minifat_count, END, 0)
    assert len(header) == 76
    header += b"".join(struct.pack("<I", x) for x in difat)
    return header + b"".join(sectors)


def outlook_message(subject: str, body: str, sender: str, to: str,
                    attachments: list[tuple[str, bytes]]) -> bytes:
    """A minimal Outlook ``.msg``: Unicode subject, body, sender and recipients, and file
    attachments with their long names and data."""
    def text(tag: str, value: str) -> tuple[str, bytes]:
        return f"__substg1.0_{tag}001F", value.encode("utf-16-le")

    props = b"\0" * 32  # the top level's header; no property entries needed here
    streams: dict[str, bytes] = {"__properties_version1.0": props}
    for tag, value in (("0037", subject), ("1000", body), ("0C1A", sender.split(" <")[0]),
                       ("0C1F", sender.split("<")[-1].rstrip(">")), ("0E04", to)):
        name, data = text(tag, value)
        streams[name] = data
    for n, (name, data) in enumerate(attachments):
        storage = f"__attach_version1.0_#{n:08X}"
        streams[f"{storage}/__substg1.0_3707001F"] = name.encode("utf-16-le")
        streams[f"{storage}/__substg1.0_37010102"] = data
        streams[f"{storage}/__properties_version1.0"] = b"\0" * 8
    return compound_file(streams)
