"""An exhibit's continuity record (docs/court-bundle.md): every custody event that touched
its item, oldest first, in plain words: when, what, by whom, on which computer, and what was
received or handed on. Made only from a custody log that verifies."""

from __future__ import annotations

from typing import Any

from vault.chronology.reports import Table
from vault.court.model import Exhibit
from vault.court.store import CourtRefused, exhibit
from vault.custody import log as custody
from vault.store.vault import Vault

HEADER = ["When (UTC)", "What was done", "By", "Computer", "Received from / handed to"]
WIDTHS = [3.0, 6.0, 3.5, 3.0, 6.5]


def _when(fields: dict[str, Any]) -> str:
    t = str(fields.get("time", ""))
    return f"{t[8:10]}/{t[5:7]}/{t[0:4]} {t[11:19]}" if len(t) >= 19 else t


def _what(fields: dict[str, Any], ref: str) -> tuple[str, str]:
    """(what was done, what was received or handed on) for one event of the item ``ref``."""
    action = str(fields.get("action", ""))
    d: dict[str, Any] = fields.get("details") or {}
    if action == custody.IMPORTED:
        return (f"Received and stored; SHA-256 recorded ({str(d.get('sha256', ''))[:16]}...)",
                f"from: {d.get('received_from') or 'not recorded'}; original name "
                f"{d.get('original_name', '')}")
    if action == custody.RECEIVED_FROM_PACKAGE:
        package = d.get("package") or {}
        return ("Received in an evidence package and stored (the sender's "
                f"{d.get('original_ref', '')})",
                f"from: {d.get('received_from') or 'the package'}; package "
                f"{package.get('id', '')}, signer fingerprint "
                f"{str(package.get('signer_fingerprint', ''))[:23]}...")
    if action == custody.DERIVED:
        return (f"Made as a {d.get('operation', 'copy')} of {d.get('derived_from', '')}", "")
    if action == custody.DERIVATIVE_MADE:
        return (f"A {d.get('operation', 'copy')} made from it: {d.get('derived_item', '')}",
                "")
    if action == custody.EXPORTED:
        return ("Copied into an evidence package (the original stays in the vault)",
                f"to: {d.get('recipient') or 'recipient not named'}; package "
                f"{d.get('package_id', '')}, SHA-256 {str(d.get('package_sha256', ''))[:16]}...")
    if action == custody.EXTRACTED:
        return ("A copy written out of the vault", f"to the file {d.get('file', '')}")
    if action in (custody.COURT_ADDED, custody.COURT_CHANGED, custody.COURT_REMOVED):
        e = d.get("after") or d.get("before") or {}
        verb = {custody.COURT_ADDED: "Marked as exhibit", custody.COURT_CHANGED:
                "Description of exhibit changed:", custody.COURT_REMOVED:
                "Exhibit withdrawn:"}[action]
        mark = e.get("mark", "")
        extra = f" ({e.get('reason')})" if action == custody.COURT_REMOVED else ""
        return f"{verb} {mark}{extra}", f"produced by {e.get('witness', '')}"
    if action == custody.PURGED:
        return ("Purged: its content destroyed", str(d.get("reason", "")))
    if action == custody.COPY_WITHDRAWN:
        return ("Withdrawn (a copy that leaked)", str(d.get("reason", "")))
    if action == custody.CHRONOLOGY_ADDED and d.get("record") == "citation":
        return ("Cited in the chronology", "")
    words = action[:1].upper() + action[1:] if action else "Event"
    return words, ""


def verified_log(v: Vault) -> list[custody.Event]:
    """The whole custody log, once it verifies (hashes, chain, signatures). Refused when it
    does not: a record made from a broken log would claim what it cannot show."""
    with v.db_lock:
        events = list(v.events())
    problems = list(custody.verify_chain(events, v.public_key, v.vault_id))
    if problems:
        raise CourtRefused(f"the custody log does not verify (event {problems[0].seq}: "
                           f"{problems[0].reason}); run check before making a continuity "
                           "record")
    return events


def continuity(v: Vault, case: str, mark: str,
               events: list[custody.Event] | None = None) -> tuple[Exhibit, Table]:
    """The continuity record of the exhibit ``mark`` as a table, from ``events`` (the log
    as :func:`verified_log` gave it, when several records are made from one reading)."""
    e = exhibit(v, case, mark)
    events = verified_log(v) if events is None else events
    rows = []
    for ev in events:
        f = ev.fields
        if f.get("item") != e.item:
            d = f.get("details") or {}
            handed = d.get("items") or [] if f.get("action") == custody.EXPORTED else []
            if e.item not in handed:  # an event of another item, or of none
                continue
        actor = f.get("actor") or {}
        who = custody.done_by(f)
        role = str(actor.get("role", ""))
        what, moved = _what(f, e.item)
        rows.append([_when(f), what, f"{who} ({role})" if role else who,
                     str(actor.get("machine", "")), moved])
    t = Table(title=f"Continuity record: exhibit {e.mark}", header=HEADER, rows=rows,
              widths=WIDTHS)
    t.subtitle = (f"{e.description}. Produced by {e.witness.name}. Vault item {e.item}, "
                  f"SHA-256 {e.sha256}. Every event of the item's custody log, oldest first; "
                  f"the log verified ({len(events)} events) when this record was made. Case "
                  f"{case}, Evidence Vault {v.vault_id}.")
    return e, t
