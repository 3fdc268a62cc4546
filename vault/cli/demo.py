"""``evidence-vault demo``: a throwaway vault with the sample evidence, end to end."""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from vault.chronology.loading import Loaded, load_chronology
from vault.chronology.reports import neutral_chronology
from vault.evidence.importer import import_paths
from vault.evidence.items import list_items
from vault.store.check import run_check
from vault.store.identity import Identity
from vault.store.vault import Vault

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
CASE = "DEMO-001"
WORDS = ["harbour", "lantern", "meadow", "copper", "violet", "granite", "orchard", "thistle",
         "falcon", "willow", "ember", "quarry", "saffron", "beacon", "juniper", "marble"]


def build_chronology(v: Vault, refs: dict[str, str]) -> Loaded:
    """The sample case's chronology (resources/samples/chronology.json), citing the sample
    files by the references they were given."""
    doc = json.loads((SAMPLES / "chronology.json").read_text(encoding="utf-8"))
    return load_chronology(v, CASE, doc, refs)


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
            refs: dict[str, str] = {}
            for prog in import_paths(v, samples, case=CASE, details="wait",
                                     received_from="demo: files generated for the demonstration"):
                for r in prog.acknowledged:
                    echo(f"   {r.ref or '-':<6} {r.status:<14} {r.sha256 or ''}  "
                         f"{Path(r.source).name}")
                    if r.ref:
                        refs[Path(r.source).name] = r.ref
            echo("3. The evidence list:")
            for item in list_items(v):
                extra = item.metadata.get("pages") or item.metadata.get("gps") or ""
                echo(f"   {item.ref:<6} {item.mime:<16} {item.size:>8} bytes  {item.name}  {extra}")
            loaded = build_chronology(v, refs)
            echo(f"4. Built the sample chronology: {loaded.people} people and bodies, "
                 f"{loaded.facts} facts, {loaded.citations} citations (each checked on its "
                 f"page), {loaded.knowledge} knowledge events, {loaded.issues} issues and "
                 f"elements, {loaded.gaps} gaps")
            for row in neutral_chronology(v, CASE).rows[:5]:
                echo(f"   {row[0]:>3}  {row[1]:<20} {row[2][:70]}")
            echo("   ... 'evidence-vault chronology write VAULT neutral out.docx --case "
                 f"{CASE}' writes it all")
            echo("5. Checking every object, hash, custody event and signature ...")
            report = run_check(v)
            echo(f"   {'OK' if report.ok else 'PROBLEMS'}: {report.items_checked} items, "
                 f"{report.events_checked} custody events")
            for p in report.problems:
                echo(f"   PROBLEM: {p}")
        if keep:
            echo(f"6. Kept the demo vault at {v.folder}")
            echo(f"   passphrase: {passphrase}")
            echo(f"   recovery key: {recovery}")
            echo(f"   try: EVIDENCE_VAULT_PASSPHRASE={passphrase} evidence-vault log {v.folder}")
            return v.folder
        echo("6. Removed the throwaway vault (run 'evidence-vault demo --keep' to explore it).")
        return None
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
