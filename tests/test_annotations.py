"""Annotations: a layer over a PDF's or a photo's content, each change a custody event on the
item, checked against the item's kind and pages; only their author changes them; the
original's bytes and hash never change; ``check`` replays them against the log; a schema 3
vault migrates to the annotations table."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from conftest import PASSPHRASE
from PIL import Image

from vault.clock import FixedClock
from vault.custody import log as custody
from vault.documents.annotations import (
    PDF_KINDS,
    PHOTO_KINDS,
    Annotation,
    NotAuthor,
    add_annotation,
    annotations,
    delete_annotation,
    edit_annotation,
    get_annotation,
)
from vault.errors import NotFound, VaultError
from vault.evidence.importer import import_paths
from vault.evidence.items import get_item
from vault.evidence.purge import purge
from vault.store.check import run_check
from vault.store.db import SCHEMA_VERSION, schema_version
from vault.store.vault import Vault

FIXTURE_S3 = Path(__file__).resolve().parent / "fixtures" / "vault-v1-schema3.evault"


# ------------------------------------------------------------------------------ helpers
def import_one(v: Vault, path: Path) -> str:
    [result] = [r for p in import_paths(v, [path]) for r in p.acknowledged
                if r.parent is None]
    assert result.ref is not None, result
    return result.ref


def make_pdf(path: Path, pages: int = 3, *, lines: list[str] | None = None,
             rotate: dict[int, int] | None = None, password: str | None = None) -> Path:
    """A PDF of A4 pages, each with a few lines of text (Helvetica 12 pt, baseline at
    y = 100 + 20 * line)."""
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page(width=595, height=842)
        for j, line in enumerate(lines or [f"Page {i + 1} of a witness statement."]):
            page.insert_text((72, 100 + 20 * j), line, fontsize=12)
        if rotate and i in rotate:
            page.set_rotation(rotate[i])
    if password:
        doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=password,
                 owner_pw=password + "-owner")
    else:
        doc.save(path)
    return path


def make_photo(path: Path, size: tuple[int, int] = (300, 200), *, orientation: int = 1,
               gps: bool = False, colour: tuple[int, int, int] = (200, 220, 240)) -> Path:
    """A JPEG (stored size ``size``) with EXIF: its orientation, a camera and, with ``gps``,
    a GPS position."""
    im = Image.new("RGB", size, colour)
    for x in range(0, size[0], 10):  # some detail, so that pixels differ
        for y in range(0, size[1], 10):
            im.putpixel((x, y), (x % 256, y % 256, (x + y) % 256))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Evidence Camera Co"
    if gps:
        exif[0x8825] = {1: "N", 2: (53.0, 28.0, 12.5), 3: "W", 4: (2.0, 14.0, 36.0)}
    im.save(path, "JPEG", quality=92, exif=exif.tobytes(), comment=b"taken outside no. 12")
    return path


def stored(v: Vault, ref: str) -> bytes:
    item = get_item(v, ref)
    assert item.oid is not None
    with v.objects.open(item.oid, v.object_key(item.oid)) as reader:
        return b"".join(reader.iter_chunks())


def object_file(v: Vault, ref: str) -> bytes:
    oid = get_item(v, ref).oid
    assert oid is not None
    return v.objects.path(oid).read_bytes()


def events(v: Vault, ref: str, action: str) -> list[dict[str, Any]]:
    return [e.fields for e in v.events(ref) if e.fields["action"] == action]


@pytest.fixture
def pdf_ref(vault: Vault, tmp_path: Path) -> str:
    return import_one(vault, make_pdf(tmp_path / "statement.pdf"))


@pytest.fixture
def photo_ref(vault: Vault, tmp_path: Path) -> str:
    return import_one(vault, make_photo(tmp_path / "photo.jpg"))


# ------------------------------------------------------------------------------ the layer
def test_add_edit_remove_each_a_custody_event(vault: Vault, pdf_ref: str) -> None:
    item = get_item(vault, pdf_ref)
    a = add_annotation(vault, pdf_ref, "highlight", 0, {"rects": [[72, 88, 300, 103]]},
                       text="the date matters")
    b = add_annotation(vault, pdf_ref, "note", 2, {"rect": [400, 50, 420, 70]}, text="ask him",
                       colour="#00AAFF")
    c = add_annotation(vault, pdf_ref, "redaction", 1, {"rect": [72, 88, 200, 103]},
                       reason="s40 personal data")
    assert isinstance(a, Annotation) and a.ref == pdf_ref and a.sha256 == item.sha256
    assert (a.page, a.kind, a.colour, a.author) == (0, "highlight", "#ffd400", "Mary Okafor")
    assert b.colour == "#00aaff" and c.reason == "s40 personal data"
    assert a.created == a.updated and a.created.startswith("2026-05-03T09:30:")
    assert [x.id for x in annotations(vault, pdf_ref)] == [a.id, b.id, c.id]  # oldest first
    assert [x.id for x in annotations(vault, pdf_ref, kinds=["redaction"])] == [c.id]
    assert annotations(vault, pdf_ref.lower()) == [a, b, c]

    [added] = [e for e in events(vault, pdf_ref, custody.ANNOTATION_ADDED)
               if e["details"]["id"] == a.id]
    assert added["details"] == a.to_dict() and added["sha256"] == item.sha256

    vault.clock = FixedClock(vault.clock.now() + dt.timedelta(minutes=5))
    edited = edit_annotation(vault, b.id, geometry={"rect": [500, 80, 480, 60]}, text="ask her")
    assert edited.geometry == {"rect": [480, 60, 500, 80]}  # normalised
    assert edited.text == "ask her" and edited.updated != edited.created
    assert get_annotation(vault, b.id) == edited
    [changed] = events(vault, pdf_ref, custody.ANNOTATION_CHANGED)
    assert changed["details"] == {"id": b.id, "before": b.to_dict(), "after": edited.to_dict()}
    # Nothing to change: nothing recorded.
    n = len(list(vault.events()))
    assert edit_annotation(vault, b.id, text="ask her", colour="#00AAFF") == edited
    assert len(list(vault.events())) == n

    delete_annotation(vault, a.id)
    assert [x.id for x in annotations(vault, pdf_ref)] == [b.id, c.id]
    [removed] = events(vault, pdf_ref, custody.ANNOTATION_REMOVED)
    assert removed["details"] == a.to_dict()
    # The row stays, marked removed; the removed annotation can no longer be changed.
    assert vault.con.execute("SELECT removed FROM annotations WHERE id=?",
                             (a.id,)).fetchone()[0] is not None
    with pytest.raises(NotFound):
        edit_annotation(vault, a.id, text="x")
    with pytest.raises(NotFound):
        delete_annotation(vault, a.id)
    with pytest.raises(NotFound):
        get_annotation(vault, "no-such-id")
    report = run_check(vault)
    assert report.ok, report.problems
    assert report.annotations_checked == 3


def test_every_kind_for_pdfs_and_photos(vault: Vault, pdf_ref: str, photo_ref: str) -> None:
    pdf_geometry = {"highlight": {"rects": [[72, 88, 300, 103], [72, 108, 200, 123]]},
                    "underline": {"rects": [[72, 88, 300, 103]]},
                    "strikeout": {"rects": [[72, 88, 300, 103]]},
                    "note": {"rect": [10, 10, 30, 30]}, "rectangle": {"rect": [0, 0, 595, 842]},
                    "ink": {"strokes": [[[10, 10], [20.5, 30.25]], [[100, 100]]]},
                    "redaction": {"rect": [72, 88, 300, 103]}}
    photo_geometry = {"rectangle": {"rect": [10, 10, 100, 80]},
                      "ellipse": {"rect": [10, 10, 100, 80]},
                      "arrow": {"from": [0, 0], "to": [300, 200]}, "label": {"at": [50, 50]},
                      "redaction": {"rect": [0, 0, 300, 200]}}
    assert set(pdf_geometry) == set(PDF_KINDS) and set(photo_geometry) == set(PHOTO_KINDS)
    for kind, g in pdf_geometry.items():
        assert add_annotation(vault, pdf_ref, kind, 1, g).geometry == g
    for kind, g in photo_geometry.items():
        assert add_annotation(vault, photo_ref, kind, 0, g, text="label").geometry == g
    assert len(annotations(vault, pdf_ref)) == 7 and len(annotations(vault, photo_ref)) == 5
    assert run_check(vault).ok


@pytest.mark.parametrize(("kind", "page", "geometry", "kw", "message"), [
    ("ellipse", 0, {"rect": [1, 1, 2, 2]}, {}, "not an annotation for a PDF"),
    ("scribble", 0, {"rect": [1, 1, 2, 2]}, {}, "not an annotation for a PDF"),
    ("note", 3, {"rect": [1, 1, 2, 2]}, {}, "has 3 pages: page must be from 0 to 2"),
    ("note", -1, {"rect": [1, 1, 2, 2]}, {}, "has 3 pages"),
    ("note", True, {"rect": [1, 1, 2, 2]}, {}, "has 3 pages"),
    ("note", 0, {"rect": [1, 1, 2]}, {}, "must be a rectangle"),
    ("note", 0, {"rects": [[1, 1, 2, 2]]}, {}, "geometry is {'rect'}"),
    ("note", 0, {"rect": [1, 1, 2, 2], "extra": 1}, {}, "geometry is {'rect'}"),
    ("note", 0, [1, 1, 2, 2], {}, "geometry is {'rect'}"),
    ("note", 0, {"rect": [1, 1, 1, 5]}, {}, "has no area"),
    ("note", 0, {"rect": [1, 1, 600, 5]}, {}, "outside the page (0 to 595)"),
    ("note", 0, {"rect": [1, -3, 6, 5]}, {}, "outside the page (0 to 842)"),
    ("note", 0, {"rect": [1, 1, float("nan"), 5]}, {}, "is not a number"),
    ("note", 0, {"rect": [1, 1, "7", 5]}, {}, "is not a number"),
    ("note", 0, {"rect": [1, 1, True, 5]}, {}, "is not a number"),
    ("highlight", 0, {"rects": []}, {}, "list of 1 to"),
    ("ink", 0, {"strokes": [[]]}, {}, "list of strokes"),
    ("ink", 0, {"strokes": [[[1, 2, 3]]]}, {}, "must be a point"),
    ("note", 0, {"rect": [1, 1, 2, 2]}, {"colour": "red"}, "#rrggbb"),
    ("note", 0, {"rect": [1, 1, 2, 2]}, {"colour": "#12345"}, "#rrggbb"),
    ("note", 0, {"rect": [1, 1, 2, 2]}, {"reason": "s40"}, "only a redaction has a reason"),
    ("redaction", 0, {"rect": [1, 1, 2, 2]}, {"reason": "a\nb"}, "one line"),
    ("note", 0, {"rect": [1, 1, 2, 2]}, {"text": "x" * 20_001}, "at most 20,000"),
])
def test_pdf_annotations_are_checked(vault: Vault, pdf_ref: str, kind: str, page: Any,
                                     geometry: Any, kw: dict[str, Any], message: str) -> None:
    n = len(list(vault.events()))
    with pytest.raises(VaultError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("{", r"\{").replace("}", r"\}").replace("[", r"\[")):
        add_annotation(vault, pdf_ref, kind, page, geometry, **kw)
    assert len(list(vault.events())) == n
    assert vault.con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0


def test_photo_annotations_are_checked(vault: Vault, photo_ref: str, tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="not an annotation for a photo"):
        add_annotation(vault, photo_ref, "highlight", 0, {"rects": [[1, 1, 2, 2]]})
    with pytest.raises(VaultError, match="has one page: page must be 0, not 1"):
        add_annotation(vault, photo_ref, "rectangle", 1, {"rect": [1, 1, 2, 2]})
    with pytest.raises(VaultError, match="an arrow's ends must differ"):
        add_annotation(vault, photo_ref, "arrow", 0, {"from": [5, 5], "to": [5, 5]})
    with pytest.raises(VaultError, match=r"outside the page \(0 to 200\)"):
        add_annotation(vault, photo_ref, "label", 0, {"at": [5, 205]}, text="x")
    # A photo stored 300x200 with orientation 6 is shown 200x300: coordinates are upright.
    turned = import_one(vault, make_photo(tmp_path / "turned.jpg", orientation=6))
    with pytest.raises(VaultError, match=r"outside the page \(0 to 200\)"):
        add_annotation(vault, turned, "rectangle", 0, {"rect": [10, 10, 250, 20]})
    a = add_annotation(vault, turned, "rectangle", 0, {"rect": [10, 10, 190, 290]})
    assert a.geometry == {"rect": [10, 10, 190, 290]}
    # Within half a unit of the edge is taken as the edge; numbers are kept to a thousandth.
    b = add_annotation(vault, turned, "rectangle", 0, {"rect": [-0.4, 0.12345, 200.3, 5]})
    assert b.geometry == {"rect": [0, 0.123, 200, 5]}


def test_only_pdfs_and_photos_present_items(vault: Vault, pdf_ref: str,
                                            tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("a typed note\n")
    text = import_one(vault, tmp_path / "note.txt")
    with pytest.raises(VaultError, match="only PDFs and photos take annotations"):
        add_annotation(vault, text, "note", 0, {"rect": [1, 1, 2, 2]})
    with pytest.raises(NotFound):
        add_annotation(vault, "MO/99", "note", 0, {"rect": [1, 1, 2, 2]})
    a = add_annotation(vault, pdf_ref, "note", 0, {"rect": [1, 1, 20, 20]}, text="kept")
    purge(vault, pdf_ref, "must not be held")
    with pytest.raises(VaultError, match="was purged"):
        add_annotation(vault, pdf_ref, "note", 0, {"rect": [1, 1, 2, 2]})
    with pytest.raises(VaultError, match="was purged"):
        edit_annotation(vault, a.id, text="changed")
    assert annotations(vault, pdf_ref) == [a]  # kept, as its events are
    delete_annotation(vault, a.id)
    assert annotations(vault, pdf_ref) == []
    assert run_check(vault).ok


def test_a_password_protected_pdf_needs_its_password(vault: Vault, tmp_path: Path) -> None:
    ref = import_one(vault, make_pdf(tmp_path / "locked.pdf", 2, password="s3cret-pass"))
    with pytest.raises(VaultError, match="password-protected PDF: give its password"):
        add_annotation(vault, ref, "note", 0, {"rect": [1, 1, 20, 20]})
    with pytest.raises(VaultError, match="the password does not open"):
        add_annotation(vault, ref, "note", 0, {"rect": [1, 1, 20, 20]}, password="wrong")
    a = add_annotation(vault, ref, "note", 1, {"rect": [1, 1, 20, 20]}, password="s3cret-pass")
    # Its pages are remembered for the content: later changes need no password.
    assert edit_annotation(vault, a.id, geometry={"rect": [5, 5, 25, 25]}).geometry == \
        {"rect": [5, 5, 25, 25]}


def test_only_the_author_changes_an_annotation(vault: Vault, pdf_ref: str) -> None:
    a = add_annotation(vault, pdf_ref, "rectangle", 0, {"rect": [10, 10, 50, 50]})
    mine = vault.identity
    vault.identity = dataclasses.replace(mine, name="Someone Else")
    try:
        n = len(list(vault.events()))
        with pytest.raises(NotAuthor, match="Mary Okafor's: only its author"):
            edit_annotation(vault, a.id, colour="#000000")
        with pytest.raises(NotAuthor):
            delete_annotation(vault, a.id)
        assert issubclass(NotAuthor, VaultError)
        assert len(list(vault.events())) == n
        b = add_annotation(vault, pdf_ref, "note", 0, {"rect": [1, 1, 9, 9]})
        assert b.author == "Someone Else"
    finally:
        vault.identity = mine
    with pytest.raises(NotAuthor):
        delete_annotation(vault, b.id)
    delete_annotation(vault, a.id)
    assert annotations(vault, pdf_ref) == [b]


def test_the_original_never_changes_and_check_replays_the_layer(vault: Vault, pdf_ref: str,
                                                                photo_ref: str) -> None:
    before = {ref: (object_file(vault, ref), get_item(vault, ref).sha256)
              for ref in (pdf_ref, photo_ref)}
    a = add_annotation(vault, pdf_ref, "highlight", 0, {"rects": [[72, 88, 300, 103]]})
    b = add_annotation(vault, photo_ref, "ellipse", 0, {"rect": [10, 10, 90, 90]})
    edit_annotation(vault, a.id, colour="#ff0000")
    delete_annotation(vault, b.id)
    for ref, (file_bytes, sha) in before.items():
        assert object_file(vault, ref) == file_bytes
        assert get_item(vault, ref).sha256 == sha
        assert hashlib.sha256(stored(vault, ref)).hexdigest() == sha
    report = run_check(vault)
    assert report.ok, report.problems
    assert report.annotations_checked == 2

    # An annotation row changed behind the log's back, or one with no event, is reported.
    vault.con.execute("UPDATE annotations SET colour='#00ff00' WHERE id=?", (a.id,))
    vault.con.execute("UPDATE annotations SET removed=NULL WHERE id=?", (b.id,))
    problems = run_check(vault).problems
    assert any(p.startswith(f"annotation {a.id} of {pdf_ref}: differs from custody event")
               for p in problems), problems
    assert f"annotation {b.id} of {photo_ref}: its removal differs from the custody log" \
        in problems
    vault.con.execute("UPDATE annotations SET colour='#ff0000' WHERE id=?", (a.id,))
    vault.con.execute("UPDATE annotations SET removed='2026-05-03T09:30:00.000000Z' "
                      "WHERE id=?", (b.id,))
    assert run_check(vault).ok
    vault.con.execute("DELETE FROM annotations WHERE id=?", (a.id,))
    assert any("in the custody log (event" in p and "missing from the index" in p
               for p in run_check(vault).problems)


def test_annotations_are_kept_across_openings(make_vault: Any, tmp_path: Path) -> None:
    v, _ = make_vault()
    ref = import_one(v, make_pdf(tmp_path / "s.pdf"))
    a = add_annotation(v, ref, "ink", 2, {"strokes": [[[1.5, 2.25], [3, 4]]]}, text="circle")
    folder = v.folder
    v.close()
    with Vault.open(folder, passphrase=PASSPHRASE) as again:
        assert annotations(again, ref) == [a]
        assert run_check(again).ok


# ------------------------------------------------------------------------------ migration
@pytest.fixture
def s3_copy(tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "copy" / FIXTURE_S3.name
    shutil.copytree(FIXTURE_S3, copy)
    yield copy


def test_schema3_fixture_migrates_to_annotations(s3_copy: Path) -> None:
    """The committed schema 3 vault opens migrated (the annotations table added in the
    migration's transaction), checks clean, takes annotations on its photo, and keeps them."""
    with Vault.open(s3_copy, passphrase=PASSPHRASE) as v:
        assert schema_version(v.con) == SCHEMA_VERSION >= 4
        columns = [r[1] for r in v.con.execute("PRAGMA table_info(annotations)")]
        assert columns == ["n", "id", "item_id", "sha256", "page", "kind", "geometry", "colour",
                           "text", "reason", "author", "created", "updated", "removed"]
        assert run_check(v).ok
        photo = get_item(v, "MO/3")
        assert photo.name == "photo.png"
        a = add_annotation(v, "MO/3", "rectangle", 0, {"rect": [4, 4, 92, 60]},
                           colour="#ff0000")
        with pytest.raises(VaultError, match="only PDFs and photos"):
            add_annotation(v, "MO/1", "note", 0, {"rect": [1, 1, 2, 2]})
    with Vault.open(s3_copy, passphrase=PASSPHRASE) as v:
        assert annotations(v, "MO/3") == [a]
        report = run_check(v)
        assert report.ok and report.annotations_checked == 1
        assert stored(v, "MO/3") == _fixture_photo()


def _fixture_photo() -> bytes:
    import importlib.util

    path = Path(__file__).resolve().parent / "vectors" / "make_vectors.py"
    spec = importlib.util.spec_from_file_location("make_vectors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    photo: bytes = module.fixture_photo()
    with Image.open(io.BytesIO(photo)) as im:
        assert im.size == (96, 64)
    return photo


def test_layer_json_round_trip_is_stable(vault: Vault, pdf_ref: str) -> None:
    """Floats in events: the signed body is canonical JSON (RFC 8785) and verifies."""
    a = add_annotation(vault, pdf_ref, "ink", 0,
                       {"strokes": [[[0.1, 0.2], [1e-7, 841.99999], [594.5004, 3.0]]]})
    assert a.geometry == {"strokes": [[[0.1, 0.2], [0, 842], [594.5, 3]]]}
    [ev] = [e for e in vault.events(pdf_ref) if e.fields["action"] == "annotation added"]
    assert custody.canonical(json.loads(ev.body)) == ev.body
    assert run_check(vault).ok
