"""Adding a signature timestamp to a package after its export (``stamp --attach``).

A package exported while no Time-Stamp Authority answered carries no token for its signature;
the request waits in the vault (kind ``package signature``, subject the package id). Once
``stamp`` has the token, :func:`attach_signature_token` rewrites the zip (atomically, the
entries and their order and times kept) with ``signatures/tagmanifest-sha256.txt.p7s.tsr``
and its ``.crt`` added at the end: they are outside the tag manifest, so nothing signed
changes (docs/package-format.md#timestamps).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from vault.custody import log as custody
from vault.errors import NotFound, VaultError
from vault.packages.format import SIGNATURE, SIGNATURE_TOKEN, SIGNATURE_TOKEN_CERTS
from vault.store.atomic import replacing, sha256_file
from vault.store.vault import Vault
from vault.timestamps.stamping import SIGNATURE_KIND


class AttachRefused(VaultError):
    exit_code = 2


@dataclass(frozen=True)
class Attached:
    path: Path
    package_id: str
    tsa: str
    gen_time: str
    old_sha256: str
    new_sha256: str


def attach_signature_token(v: Vault, package_path: Path) -> Attached:
    """Add the vault's token for ``package_path``'s signature to it; records the custody
    event ``package timestamp attached``. Refuses an encrypted package, one that does not
    verify, one that already has a signature token, and one whose token is not here yet."""
    from vault.packages.verification import NotAPackage
    from vault.packages.verify import verify_package
    from vault.timestamps.stamping import tokens_for, tsa_roots

    path = package_path
    if path.suffix == ".age":
        raise AttachRefused(f"{path.name} is encrypted: a timestamp can only be attached to a "
                            "plain .zip package (decrypt it, attach, and encrypt it again)")
    try:
        result = verify_package(path, tsa_roots=tsa_roots(v))
    except NotAPackage as e:
        raise AttachRefused(str(e)) from e
    if not result.verified:
        raise AttachRefused(f"{path.name} does not verify ({result.reason}); nothing was "
                            "attached")
    top = result.top
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        if f"{top}/{SIGNATURE_TOKEN}" in names:
            raise AttachRefused(f"{path.name} already has a signature timestamp")
        signature = zf.read(f"{top}/{SIGNATURE}")
    package_id = result.package_id
    tokens = [t for t in tokens_for(v, SIGNATURE_KIND, package_id) if t.message == signature]
    if not tokens:
        with v.db_lock:
            queued = v.con.execute("SELECT 1 FROM stamp_requests WHERE kind=? AND subject=?",
                                   (SIGNATURE_KIND, package_id)).fetchone()
        if queued is None:
            raise NotFound(f"this vault has no timestamp request for package {package_id}: "
                           f"{path.name} was not exported from it")
        raise NotFound(f"no timestamp for the signature of {path.name} yet: run "
                       "'evidence-vault stamp VAULT' when a Time-Stamp Authority can be "
                       "reached, then attach again")
    token = tokens[0]
    old = sha256_file(path)
    _rewrite(path, top, token.response, token.chain_pem.encode("ascii"))
    new = sha256_file(path)
    with v.transaction():
        v.record(custody.PACKAGE_TIMESTAMP_ATTACHED, details={
            "package_id": package_id, "file": path.name, "old_sha256": old,
            "new_sha256": new})
    return Attached(path, package_id, token.tsa, token.gen_time, old, new)


def _rewrite(path: Path, top: str, response: bytes, chain: bytes) -> None:
    """Copy every entry as it is (name, time, attributes, bytes), then add the two files."""
    with replacing(path) as f, zipfile.ZipFile(path) as src, \
            zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as dst:
        when = src.getinfo(f"{top}/{SIGNATURE}").date_time
        for info in src.infolist():
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = zipfile.ZIP_STORED
            copy.external_attr = info.external_attr
            copy.flag_bits |= 0x800
            copy.file_size = info.file_size
            with src.open(info) as r, dst.open(copy, "w",
                                               force_zip64=info.file_size >= 1 << 31) as w:
                shutil.copyfileobj(r, w, 1 << 20)
        for name, data in ((SIGNATURE_TOKEN, response), (SIGNATURE_TOKEN_CERTS, chain)):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=when)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.flag_bits |= 0x800
            dst.writestr(info, data)


def exported_files(v: Vault) -> dict[str, str]:
    """Each package exported from this vault: its id and the file name it was saved as (from
    the custody log's ``exported`` events), to name a package's signature in plain words."""
    marker = f'"action":"{custody.EXPORTED}"'  # canonical JSON: no spaces
    with v.db_lock:
        bodies = [bytes(b) for (b,) in v.con.execute(
            "SELECT body FROM custody WHERE instr(CAST(body AS TEXT), ?) > 0", (marker,))]
    files: dict[str, str] = {}
    for body in bodies:
        event = json.loads(body)
        details = event.get("details") or {}
        if event.get("action") == custody.EXPORTED and details.get("package_id"):
            files[str(details["package_id"])] = str(details.get("file") or "")
    return files
