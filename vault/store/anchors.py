"""The vault anchors: for each vault this user has opened, the last custody event this
computer saw (its ``seq`` and hash), kept outside the vault folder. A vault folder put back
from an older copy (a backup, a sync tool's history) carries an older head.json that agrees
with its older log, so only a record kept elsewhere shows it: the next open says so.

Best effort: the anchors file is a convenience, not evidence. When it cannot be read or
written nothing fails; a stale anchor can only miss a rollback, never invent one."""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

from vault.store.atomic import atomic_write

ENV = "EVIDENCE_VAULT_ANCHORS"
_ID = re.compile(r"[0-9a-f-]{36}")


def anchor_file() -> Path:
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    from vault.user_dirs import config_dir

    return config_dir() / "vault-anchors.json"


def _read() -> dict[str, dict[str, object]]:
    try:
        data = json.loads(anchor_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_anchor(vault_id: str) -> tuple[int, str] | None:
    entry = _read().get(vault_id)
    if not isinstance(entry, dict):
        return None
    seq, h = entry.get("seq"), entry.get("hash")
    if isinstance(seq, int) and not isinstance(seq, bool) and isinstance(h, str):
        return seq, h
    return None


def write_anchor(vault_id: str, seq: int, h: str, *, accept: bool = False) -> None:
    """Remember that this vault has reached event ``seq``: never moves back, unless
    ``accept`` (the user accepted a restore from an older copy, recorded in its log)."""
    if not _ID.fullmatch(vault_id):
        return
    anchors = _read()
    old = read_anchor(vault_id)
    if old is not None and not accept and (old[0] > seq or old == (seq, h)):
        return
    anchors[vault_id] = {"seq": seq, "hash": h}
    path = anchor_file()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(path, json.dumps(anchors, indent=1, sort_keys=True).encode("utf-8"),
                     mode=0o600)


def rollback_problem(vault_id: str, seq: int, hash_at: dict[int, str]) -> str | None:
    """Why the log (ending at ``seq``; ``hash_at`` the hash of the anchored event if the log
    holds it) is behind or beside what this computer saw; None when it is not."""
    anchor = read_anchor(vault_id)
    if anchor is None:
        return None
    aseq, ahash = anchor
    if aseq > seq:
        return (f"this computer last saw this vault at custody event {aseq}, but its log now "
                f"ends at event {seq}: the vault folder was restored from an older copy (a "
                "backup or a sync tool). Anything recorded after event "
                f"{seq} is not in this copy: find the newer one before going on")
    if aseq and hash_at.get(aseq) not in (None, ahash):
        return (f"custody event {aseq} differs from the one this computer saw: the log was "
                "rewritten or replaced by another copy")
    return None
