"""``evidence-vault demo``: a throwaway vault with the sample evidence, end to end."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from vault.evidence.importer import import_paths
from vault.evidence.items import list_items
from vault.store.check import run_check
from vault.store.identity import Identity
from vault.store.vault import Vault

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
WORDS = ["harbour", "lantern", "meadow", "copper", "violet", "granite", "orchard", "thistle",
         "falcon", "willow", "ember", "quarry", "saffron", "beacon", "juniper", "marble"]


def run_demo(*, keep: bool, echo: Callable[[str], None]) -> Path | None:
    workdir = Path(tempfile.mkdtemp(prefix="evidence-vault-demo-"))
    passphrase = "-".join(secrets.choice(WORDS) for _ in range(6))
    try:
        identity = Identity("Demo Investigator", "DI", "Investigator", "Example Campaign")
        v, recovery = Vault.create(workdir / "demo", passphrase, identity)
        with v:
            echo(f"1. Created a vault at {v.folder}")
            echo(f"   custody key fingerprint {v.fingerprint()}")
            samples = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".jpg"))
            echo(f"2. Importing {len(samples)} sample files from {SAMPLES}")
            for prog in import_paths(v, samples, case="DEMO-001",
                                     received_from="demo: files generated for the demonstration"):
                for r in prog.acknowledged:
                    echo(f"   {r.ref or '-':<6} {r.status:<14} {r.sha256 or ''}  "
                         f"{Path(r.source).name}")
            echo("3. The evidence list:")
            for item in list_items(v):
                extra = item.metadata.get("pages") or item.metadata.get("gps") or ""
                echo(f"   {item.ref:<6} {item.mime:<16} {item.size:>8} bytes  {item.name}  {extra}")
            echo("4. Checking every object, hash, custody event and signature ...")
            report = run_check(v)
            echo(f"   {'OK' if report.ok else 'PROBLEMS'}: {report.items_checked} items, "
                 f"{report.events_checked} custody events")
            for p in report.problems:
                echo(f"   PROBLEM: {p}")
        if keep:
            echo(f"5. Kept the demo vault at {v.folder}")
            echo(f"   passphrase: {passphrase}")
            echo(f"   recovery key: {recovery}")
            echo(f"   try: EVIDENCE_VAULT_PASSPHRASE={passphrase} evidence-vault log {v.folder}")
            return v.folder
        echo("5. Removed the throwaway vault (run 'evidence-vault demo --keep' to explore it).")
        return None
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
