"""``header.json``: the vault's public header (format version, vault id, key slots)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vault.errors import NewerFormat, VaultUnusable
from vault.store.atomic import PRIVATE_FILE, atomic_write

FORMAT = "evidence-vault"
FORMAT_VERSION = 1
HEADER = "header.json"


@dataclass
class Header:
    vault_id: str
    name: str
    created: str
    slots: list[dict[str, Any]] = field(default_factory=list)
    raw: bytes | None = None  # the bytes read, to refuse overwriting a file changed behind us

    def to_bytes(self) -> bytes:
        doc = {"format": FORMAT, "version": FORMAT_VERSION, "vault_id": self.vault_id,
               "name": self.name, "created": self.created, "slots": self.slots}
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def slot(self, kind: str) -> dict[str, Any]:
        for s in self.slots:
            if s.get("kind") == kind:
                return s
        raise VaultUnusable(f"header.json has no {kind} key slot")

    def slots_of(self, kind: str) -> list[dict[str, Any]]:
        """Every slot of ``kind``: one, or two while a change of keys is under way (the new
        one carries ``replaces``, see :mod:`vault.store.key_change`)."""
        found = [s for s in self.slots if s.get("kind") == kind]
        if not found:
            raise VaultUnusable(f"header.json has no {kind} key slot")
        return found

    def key_change_pending(self) -> bool:
        return any("replaces" in s for s in self.slots)

    def settle_key_change(self, opened: dict[str, Any]) -> bool:
        """After a change of keys was cut short, keep the generation of slots that opened the
        index: the new one (returns True: the change took effect) or the old one (False)."""
        took_effect = "replaces" in opened
        kept = [s for s in self.slots if ("replaces" in s) == took_effect]
        ids = {"passphrase": 1, "recovery": 2}
        self.slots = [{**{k: v for k, v in s.items() if k not in ("replaces", "change")},
                       "id": ids.get(str(s.get("kind")), s.get("id"))} for s in kept]
        return took_effect

    def replace_slot(self, new: dict[str, Any]) -> None:
        self.slots = [new if s.get("kind") == new["kind"] else s for s in self.slots]

    def save(self, folder: Path) -> None:
        data = self.to_bytes()
        atomic_write(folder / HEADER, data, expect=self.raw, mode=PRIVATE_FILE)
        self.raw = data


def read_header(folder: Path) -> Header:
    path = folder / HEADER
    if not folder.is_dir():
        raise VaultUnusable(f"{folder} is not a vault folder")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise VaultUnusable(f"{folder} is not a vault: it has no {HEADER}") from None
    except OSError as e:
        raise VaultUnusable(f"cannot read {path}: {e.strerror or e}") from e
    try:
        doc = json.loads(raw)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError("not an evidence vault header")
        version = int(doc["version"])
    except (ValueError, KeyError, TypeError) as e:
        raise VaultUnusable(f"{path} is damaged or not a vault header") from e
    if version < 1:
        raise VaultUnusable(f"{path} has an invalid format version {version}")
    if version > FORMAT_VERSION:
        raise NewerFormat(
            f"this vault uses format {version}, written by a newer Evidence Vault; this version "
            f"reads format {FORMAT_VERSION} and older. Update the program.")
    try:
        return Header(vault_id=str(doc["vault_id"]), name=str(doc["name"]),
                      created=str(doc["created"]), slots=list(doc["slots"]), raw=raw)
    except (KeyError, TypeError) as e:
        raise VaultUnusable(f"{path} is damaged: {e}") from e
