"""What a vault keeps to itself about where evidence came from: the absolute path an item was
imported from (folder names often hold a survivor's or a child's name) and the computer's
name. The signed custody event and the provenance record that travel in packages hold a path
relative to the folder that was imported and a *commitment* to the rest:
``private_sha256`` = hex SHA-256(salt || JCS(record)), with a random 32-byte salt kept here
beside the record (docs/vault-format.md, "Private details"). Disclosed later (a court asks),
salt and record let anyone check them against the signed commitment."""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
from typing import Any

from vault.custody.log import canonical


def seal(record: dict[str, Any]) -> tuple[str, bytes]:
    """(the commitment, the salt) of ``record``."""
    salt = secrets.token_bytes(32)
    return commitment(salt, record), salt


def commitment(salt: bytes, record: dict[str, Any]) -> str:
    return hashlib.sha256(salt + canonical(record)).hexdigest()


def keep(con: Any, sealed: str, salt: bytes, record: dict[str, Any]) -> None:
    """Store a private record (inside the caller's transaction)."""
    con.execute("INSERT OR IGNORE INTO private_details (commitment, salt, record) "
                "VALUES (?, ?, ?)", (sealed, salt, json.dumps(record, sort_keys=True)))


def private_record(con: Any, sealed: str) -> dict[str, Any] | None:
    row = con.execute("SELECT record FROM private_details WHERE commitment=?",
                      (sealed,)).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def problems(con: Any) -> list[str]:
    """Every private record against its commitment (for ``check``)."""
    bad = []
    for sealed, salt, record in con.execute(
            "SELECT commitment, salt, record FROM private_details"):
        if commitment(bytes(salt), json.loads(record)) != sealed:
            bad.append(f"private details {sealed[:12]}…: do not match their signed commitment")
    return bad


def machine_label(vault_id: str, hostname: str | None = None) -> str:
    """How events name the computer: a label that tells computers apart within this vault
    without revealing their names (``computer 3f2a9c1d``); the name itself stays in the
    vault's settings."""
    host = hostname if hostname is not None else socket.gethostname()
    return "computer " + hashlib.sha256(f"{vault_id}:{host}".encode()).hexdigest()[:8]
