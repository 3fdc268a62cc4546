"""Evidence inside evidence: an e-mail's attachments, a mailbox's messages and a PDF's
embedded files become items of their own, each with its SHA-256 and its place in the
original, which stays one item byte for byte. Hostile messages are read within bounds."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from conftest import import_refs, run_cli
from PySide6.QtCore import Qt

from vault.custody import log as custody
from vault.evidence.email_parts import MAX_PARTS
from vault.evidence.importer import FAILED, import_paths
from vault.evidence.items import get_item, list_items, provenance
from vault.search.index import run_index_jobs
from vault.search.query import search
from vault.store.vault import Vault


def message(corpus: Path, *, subject: str = "FOI reply 2023/114",
            attachments: list[tuple[str, bytes, str]] | None = None,
            in_reply_to: str | None = None) -> bytes:
    m = EmailMessage()
    m["From"] = "FOI Officer <foi@council.example>"
    m["To"] = "Mary Okafor <mary@campaign.example>"
    m["Cc"] = "Legal <legal@council.example>"
    m["Date"] = "Tue, 19 Sep 2023 10:04:00 +0100"
    m["Subject"] = subject
    m["Message-ID"] = f"<{hashlib.sha256(subject.encode()).hexdigest()[:12]}@council.example>"
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
    m.set_content("Please find attached the minutes you asked for. Thistlewood was informed.")
    for name, data, ctype in attachments if attachments is not None else [
            ("minutes.pdf", (corpus / "pdf" / "minimal-document.pdf").read_bytes(),
             "application/pdf"),
            ("photo.jpg", (corpus / "photos" / "jolla.jpg").read_bytes(), "image/jpeg")]:
        main, sub = ctype.split("/")
        m.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return m.as_bytes()


def children_of(v: Vault, ref: str) -> list[tuple[str, dict[str, object]]]:
    out = []
    for item in list_items(v):
        for p in provenance(v, item.ref):
            if p.get("derived_from") == ref:
                out.append((item.ref, p))
    return out


def test_an_email_and_its_attachments(vault: Vault, tmp_path: Path, corpus: Path) -> None:
    raw = message(corpus)
    (tmp_path / "reply.eml").write_bytes(raw)
    refs = import_refs(vault, tmp_path / "reply.eml")
    parent = get_item(vault, refs["reply.eml"])
    assert parent.mime == "message/rfc822"
    assert parent.metadata["email"]["subject"] == "FOI reply 2023/114"
    assert parent.metadata["email"]["from"] == "FOI Officer <foi@council.example>"
    assert parent.metadata["email"]["cc"] == "Legal <legal@council.example>"
    assert [a["name"] for a in parent.metadata["attachments"]] == ["minutes.pdf", "photo.jpg"]
    kids = children_of(vault, parent.ref)
    assert sorted(str(p["original_name"]) for _r, p in kids) == ["minutes.pdf", "photo.jpg"]
    for ref, p in kids:
        child = get_item(vault, ref)
        assert p["original_sha256"] == parent.sha256 and p["operation"] == \
            "attachment extracted"
        assert p["settings"]["part"] in ("2", "3")  # its place in the message
        expected = (corpus / "pdf" / "minimal-document.pdf").read_bytes() if \
            child.name == "minutes.pdf" else (corpus / "photos" / "jolla.jpg").read_bytes()
        assert child.sha256 == hashlib.sha256(expected).hexdigest()
    photo = get_item(vault, next(r for r, p in kids if p["original_name"] == "photo.jpg"))
    assert photo.metadata.get("camera_make")  # read like any imported photo
    # The original is one item, byte for byte, and its timeline names each new item.
    with vault.objects.open(parent.oid or "", vault.object_key(parent.oid or "")) as r:
        assert b"".join(r.iter_chunks()) == raw
    made = [e.fields for e in vault.events(parent.ref)
            if e.fields["action"] == custody.DERIVATIVE_MADE]
    assert sorted(f["details"]["derived_item"] for f in made) == sorted(r for r, _p in kids)
    for _ in run_index_jobs(vault):
        pass
    assert parent.ref in {h.ref for h in search(vault, "Thistlewood")}
    from vault.store.check import run_check

    assert run_check(vault).ok


def test_a_mailbox_becomes_its_messages_and_theirs(vault: Vault, tmp_path: Path,
                                                   corpus: Path) -> None:
    one = message(corpus, subject="First")
    two = message(corpus, subject="Second", attachments=[("note.txt", b"a note", "text/plain")])
    box = b"From foi@council.example Tue Sep 19 10:04:00 2023\n" + one + b"\n" + \
        b"From foi@council.example Wed Sep 20 11:00:00 2023\n" + two + b"\n"
    (tmp_path / "inbox.mbox").write_bytes(box)
    refs = import_refs(vault, tmp_path / "inbox.mbox")
    mbox = get_item(vault, refs["inbox.mbox"])
    assert mbox.mime == "application/mbox"
    messages = children_of(vault, mbox.ref)
    assert len(messages) == 2
    for ref, p in messages:
        start = int(p["settings"]["offset"])
        length = int(p["settings"]["length"])
        assert get_item(vault, ref).sha256 == hashlib.sha256(
            box[start:start + length]).hexdigest()
    second = next(r for r, p in messages if "Second" in str(p["original_name"]))
    assert [str(p["original_name"]) for _r, p in children_of(vault, second)] == ["note.txt"]


def test_a_pdf_embedded_file_becomes_an_item(vault: Vault, corpus: Path) -> None:
    refs = import_refs(vault, corpus / "pdf" / "with-attachment.pdf")
    kids = children_of(vault, refs["with-attachment.pdf"])
    assert len(kids) >= 1
    assert all(p["operation"] == "embedded file extracted" for _r, p in kids)


def test_hostile_messages(vault: Vault, tmp_path: Path, corpus: Path) -> None:
    many = message(corpus, subject="many", attachments=[
        (f"a{i}.txt", f"attachment {i}".encode(), "text/plain") for i in range(1000)])
    traversal = message(corpus, subject="traversal", attachments=[
        ("../../../etc/passwd", b"root:x:0:0", "text/plain")])
    bomb = message(corpus, subject="bomb", attachments=[
        ("bomb.zip", (b"PK\x03\x04" + b"\0" * 26) * 100 + b"\0" * (4 << 20),
         "application/zip")])
    broken = (b"From: someone\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\n"
              b"Content-Type: text/plain\r\n\r\nbody\r\n--XX\r\nContent-Type: application/pdf"
              b"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; "
              b"filename=\"x.pdf\"\r\n\r\n!!!not base64!!!\r\n")  # no closing boundary
    for name, data in (("many.eml", many), ("traversal.eml", traversal),
                       ("bomb.eml", bomb), ("broken.eml", broken)):
        (tmp_path / name).write_bytes(data)
    results = [r for p in import_paths(vault, sorted(tmp_path.glob("*.eml")))
               for r in p.acknowledged]
    assert not [r for r in results if r.status == FAILED]
    refs = {Path(r.source).name: r.ref for r in results if r.source.endswith(".eml")}
    assert len(children_of(vault, refs["many.eml"] or "")) == 1000 <= MAX_PARTS
    ((ref, p),) = children_of(vault, refs["traversal.eml"] or "")
    assert p["original_name"] == "../../../etc/passwd"  # recorded as received, never a path
    out = tmp_path / "out"
    out.mkdir()
    from vault.evidence.copyout import extract_item

    written = extract_item(vault, ref, out)
    assert written.parent == out and written.name == "passwd"
    broken_item = get_item(vault, refs["broken.eml"] or "")
    assert any("broken" in w for w in broken_item.warnings), broken_item.warnings
    from vault.store.check import run_check

    assert run_check(vault).ok


def test_the_cli_shows_the_headers(tmp_path: Path, corpus: Path,
                                   make_vault: object) -> None:
    v, _ = make_vault()  # type: ignore[operator]
    folder = v.folder
    v.close()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "reply.eml").write_bytes(message(corpus))
    r = run_cli("import", folder, tmp_path / "in")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 3  # the message and its two attachments
    r = run_cli("show", folder, "MO/1")
    assert "FOI reply 2023/114" in r.stdout and "foi@council.example" in r.stdout



def test_replies_are_linked_to_the_messages_they_answer(vault: Vault, tmp_path: Path,
                                                        corpus: Path) -> None:
    from vault.evidence.children import thread

    first = message(corpus, subject="Referral of Child A", attachments=[])
    first_id = "<" + hashlib.sha256(b"Referral of Child A").hexdigest()[:12] + \
        "@council.example>"
    reply = message(corpus, subject="Re: Referral of Child A", attachments=[],
                    in_reply_to=first_id)
    (tmp_path / "1.eml").write_bytes(first)
    (tmp_path / "2.eml").write_bytes(reply)
    refs = import_refs(vault, tmp_path / "1.eml", tmp_path / "2.eml")
    assert thread(vault, refs["2.eml"]) == {"in reply to": [refs["1.eml"]], "replies": []}
    assert thread(vault, refs["1.eml"]) == {"in reply to": [], "replies": [refs["2.eml"]]}


def test_the_details_pane_shows_the_message(dispose: Any, vault: Vault, tmp_path: Path,
                                            corpus: Path) -> None:
    from ui.detail import DetailPane

    (tmp_path / "reply.eml").write_bytes(message(corpus))
    refs = import_refs(vault, tmp_path / "reply.eml")
    pane = DetailPane()
    dispose(pane)
    item = get_item(vault, refs["reply.eml"])
    pane.show_item(item, [e.fields for e in vault.events(item.ref)])
    text = pane.values["Message"].text()
    assert "From: FOI Officer <foi@council.example>" in text
    assert "Subject: FOI reply 2023/114" in text and "Cc: Legal" in text
    assert "2 attachment(s)" in text
    assert pane.values["Document"].text() == ""


def test_an_email_opens_as_a_message_with_its_attachments(
        qtbot: object, app: object, tmp_path: Path, corpus: Path) -> None:
    from conftest import IDENTITY, PASSPHRASE

    from ui.message_view import MessageDialog
    from ui.viewer import ViewerWindow
    from vault.store.keyslots import TEST_KDF

    v, _ = Vault.create(tmp_path / "case", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    (tmp_path / "reply.eml").write_bytes(message(corpus, subject="<b>FOI</b> reply"))
    refs = import_refs(v, tmp_path / "reply.eml")
    app.opened(v)  # type: ignore[attr-defined]
    window = app.window  # type: ignore[attr-defined]
    dialog = window.open_viewer(refs["reply.eml"])
    assert isinstance(dialog, MessageDialog)
    assert dialog.headers["subject"].text() == "<b>FOI</b> reply"
    assert dialog.headers["subject"].textFormat() == Qt.TextFormat.PlainText
    assert "Thistlewood was informed" in dialog.body.toPlainText()
    assert dialog.attachments.count() == 2
    pdf = next(dialog.attachments.item(i) for i in range(2)
               if "minutes.pdf" in dialog.attachments.item(i).text())
    dialog.attachments.itemActivated.emit(pdf)
    qtbot.waitUntil(lambda: bool(window.findChildren(ViewerWindow)),  # type: ignore[attr-defined]
                    timeout=10_000)
    window.lock()


def test_an_outlook_message_and_its_attachments(vault: Vault, tmp_path: Path,
                                                corpus: Path) -> None:
    from cfb import outlook_message

    pdf = (corpus / "pdf" / "minimal-document.pdf").read_bytes()
    raw = outlook_message("Referral of Child A", "Thistlewood was told on 3 March.",
                          "Duty Sergeant <sgt@police.example>", "Safeguarding Team",
                          [("referral.pdf", pdf), ("note.txt", b"a short note")])
    (tmp_path / "referral.msg").write_bytes(raw)
    refs = import_refs(vault, tmp_path / "referral.msg")
    item = get_item(vault, refs["referral.msg"])
    assert item.mime == "application/x-ole-storage"
    assert item.metadata["email"] == {"from": "Duty Sergeant <sgt@police.example>",
                                      "to": "Safeguarding Team",
                                      "subject": "Referral of Child A"}
    kids = children_of(vault, item.ref)
    assert sorted(str(p["original_name"]) for _r, p in kids) == ["note.txt", "referral.pdf"]
    pdf_ref = next(r for r, p in kids if p["original_name"] == "referral.pdf")
    assert get_item(vault, pdf_ref).sha256 == hashlib.sha256(pdf).hexdigest()
    for _ in run_index_jobs(vault):
        pass
    assert item.ref in {h.ref for h in search(vault, "Thistlewood")}
    from vault.evidence.children import read_email

    headers, body = read_email(vault, item.ref)
    assert headers["subject"] == "Referral of Child A" and "3 March" in body
