"""Reading an item's details never holds up its acknowledgement (issue 16;
vault/evidence/details.py): each item's reading is queued with the item, in the same
transaction, so an import that stops early (or a crash) leaves it queued, and it is read
later with its custody event. Real vaults, real parser workers."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import PASSPHRASE

from vault.custody import log as custody
from vault.evidence.details import KIND, run_detail_jobs
from vault.evidence.importer import IMPORTED, import_paths
from vault.evidence.items import get_item
from vault.search.index import pending_counts
from vault.store.check import run_check
from vault.store.vault import Vault

PHOTOS = ("Canon_40D.jpg", "DSCN0010.jpg", "DSCN0021.jpg", "DSCN0027.jpg", "Nikon_D70.jpg",
          "jolla.jpg", "landscape_6.jpg", "portrait_8.jpg")


def photos(corpus: Path, folder: Path, copies: int = 3) -> list[Path]:
    """Distinct files (each copy a byte longer, so none is a duplicate)."""
    folder.mkdir()
    out = []
    for n in range(copies):
        for name in PHOTOS:
            target = folder / f"{n}-{name}"
            target.write_bytes((corpus / "photos" / name).read_bytes() + b"\0" * (n + 1))
            out.append(target)
    return out


def read(v: Vault, ref: str) -> bool:
    return any(e.fields["action"] == custody.METADATA_EXTRACTED for e in v.events(ref))


def queued(v: Vault) -> set[str]:
    return {str(r[0]) for r in v.con.execute(
        "SELECT i.ref FROM text_jobs j JOIN items i ON i.id = j.item_id WHERE j.kind=?",
        (KIND,))}


def test_an_import_that_stops_leaves_every_reading_queued(vault: Vault, corpus: Path,
                                                          tmp_path: Path) -> None:
    files = photos(corpus, tmp_path / "in")
    acknowledged: list[str] = []
    steps = import_paths(vault, files, batch_files=4, details="queue")
    for p in steps:
        acknowledged += [str(r.ref) for r in p.acknowledged if r.status == IMPORTED]
        if len(acknowledged) >= 8:
            break  # the caller stops (the app closed): the generator is closed
    steps.close()
    assert len(acknowledged) >= 8
    waiting = queued(vault)
    for ref in acknowledged:  # read and recorded, or queued: never neither
        assert read(vault, ref) != (ref in waiting), ref
    folder = vault.folder
    vault.close()
    with Vault.open(folder, passphrase=PASSPHRASE) as v:  # resumed in a later session
        assert pending_counts(v).get(KIND, 0) == len(waiting)
        done = list(run_detail_jobs(v))
        assert {d.ref for d in done} == waiting and not any(d.error for d in done)
        assert queued(v) == set()
        for ref in acknowledged:
            assert read(v, ref), ref
            assert get_item(v, ref).metadata.get("width"), ref
        assert run_check(v).ok


def test_queue_mode_returns_without_waiting_and_the_jobs_finish_it(vault: Vault,
                                                                   corpus: Path,
                                                                   tmp_path: Path) -> None:
    files = photos(corpus, tmp_path / "in", copies=2)
    refs = [str(r.ref) for p in import_paths(vault, files, details="queue")
            for r in p.acknowledged if r.status == IMPORTED]
    assert len(refs) == len(files)
    left = queued(vault)
    assert all(read(vault, r) != (r in left) for r in refs)
    list(run_detail_jobs(vault))
    assert queued(vault) == set() and all(read(vault, r) for r in refs)
    # each item read once: one metadata event each
    assert sum(e.fields["action"] == custody.METADATA_EXTRACTED for e in vault.events()) == \
        len(refs)


def test_waiting_mode_reads_everything_before_it_ends(vault: Vault, corpus: Path,
                                                      tmp_path: Path) -> None:
    files = photos(corpus, tmp_path / "in", copies=1)
    refs = [str(r.ref) for p in import_paths(vault, files) for r in p.acknowledged]
    assert queued(vault) == set() and all(read(vault, r) for r in refs)


def test_a_reading_that_cannot_be_done_is_said_on_the_item(vault: Vault, corpus: Path,
                                                           tmp_path: Path) -> None:
    """The stored content missing when its details are read: the item says so (a warning,
    in its custody event too), and the job is done rather than tried for ever; `check`
    reports the missing object itself."""
    files = photos(corpus, tmp_path / "in", copies=1)[:1]
    [ref] = [str(r.ref) for p in import_paths(vault, files, details="queue")
             for r in p.acknowledged]
    item_id = int(vault.con.execute("SELECT id FROM items WHERE ref=?", (ref,)).fetchone()[0])
    with vault.transaction():  # read it (again)
        from vault.evidence.details import queue_details

        queue_details(vault, [item_id])
    item = get_item(vault, ref)
    assert item.oid is not None
    stored = vault.objects.path(item.oid)
    kept = tmp_path / "object"
    shutil.move(stored, kept)
    try:
        [d] = list(run_detail_jobs(vault))
        assert d.ref == ref and not d.error
        assert d.warnings and "could not read the stored content back" in d.warnings[0]
        assert queued(vault) == set()
        assert any("could not read the stored content back" in w
                   for w in get_item(vault, ref).warnings)
        assert not run_check(vault).ok
    finally:
        shutil.move(kept, stored)
    assert run_check(vault).ok


def test_the_items_inside_an_import_are_made_later_never_lost(vault: Vault, corpus: Path,
                                                             tmp_path: Path) -> None:
    """A PDF's embedded file: in "queue" mode the import acknowledges the PDF and queues a
    ``children`` job with it; the job makes the attachment an item (once), later, in another
    session too."""
    from vault.evidence.children import run_children_jobs
    from vault.evidence.details import CHILDREN

    [pdf] = [p for p in corpus.rglob("with-attachment.pdf")]
    results = [r for p in import_paths(vault, [pdf], details="queue") for r in p.acknowledged]
    assert [r.parent for r in results] == [None]  # the PDF only, for now
    [parent] = [str(r.ref) for r in results]
    jobs = {str(r[0]) for r in vault.con.execute(
        "SELECT i.ref FROM text_jobs j JOIN items i ON i.id = j.item_id WHERE j.kind=?",
        (CHILDREN,))}
    assert jobs == {parent}
    folder = vault.folder
    vault.close()
    with Vault.open(folder, passphrase=PASSPHRASE) as v:
        made = list(run_children_jobs(v))
        assert [(r.status, r.parent) for r in made] == [(IMPORTED, parent)]
        assert list(run_children_jobs(v)) == []  # done once
        assert pending_counts(v).get(CHILDREN, 0) == 0
        child = str(made[0].ref)
        assert any(e.fields["action"] == custody.DERIVED for e in v.events(child))
        assert run_check(v).ok
