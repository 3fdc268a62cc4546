"""Who signed, in the app: a first package from a new signer is intact but not confirmed;
once confirmed, a second package of hers verifies; a forged one in her name is named as such.
And the investigator's own fingerprint card."""

from __future__ import annotations

from pathlib import Path

from conftest import IDENTITY, PASSPHRASE, write_files
from packages import CASE, export, import_files
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_gui import WAIT, confirm_signer, receive_into_case

from ui.app import App
from ui.operations import VerifyDialog
from ui.signers_ui import FingerprintCardDialog
from vault.clock import FixedClock
from vault.signing.signers import KnownSigner, KnownSigners, spoken_fingerprint
from vault.store.identity import Identity
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

SOLICITOR = Identity("Sam Solicitor", "SS", "Solicitor", "Harbour Law")


def packages_of(folder: Path, name: str, count: int) -> tuple[list[Path], str]:
    v, _ = Vault.create(folder / name, PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    try:
        import_files(v, write_files(folder / f"{name}-docs", 2, prefix="letter"), case=CASE)
        made = [export(v, folder / f"{name}-{i}.zip", case=CASE).path for i in range(count)]
        return made, v.certificate_fingerprint()
    finally:
        v.close()


def verify_in(qtbot: QtBot, window: object, package: Path) -> VerifyDialog:
    window.verify(package)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: isinstance(window.dialog, VerifyDialog)  # type: ignore[attr-defined]
                    and window.dialog.package == package, timeout=WAIT)  # type: ignore
    report = window.dialog  # type: ignore[attr-defined]
    assert isinstance(report, VerifyDialog)
    return report


def test_new_signer_confirm_second_package_then_a_forgery(qtbot: QtBot, app: App,
                                                          tmp_path: Path) -> None:
    (first, second), mary = packages_of(tmp_path, "mary", 2)
    (forged,), stranger = packages_of(tmp_path, "stranger", 1)  # her name, another key
    v, _ = Vault.create(tmp_path / "solicitor", PASSPHRASE, SOLICITOR, kdf=TEST_KDF)
    app.opened(v)
    window = app.window
    assert window is not None

    report = verify_in(qtbot, window, first)
    assert report.headline.text() == "? INTACT, BUT WHO SIGNED IS NOT CONFIRMED"
    assert report.headline.textFormat() == Qt.TextFormat.PlainText
    assert spoken_fingerprint(mary) in report.signer_text.text()  # to read aloud
    assert not report.receive.isEnabled() and not report.confirm.isHidden()
    report = confirm_signer(qtbot, window, report, "read out by Mary on the phone, 12 May")
    assert report.headline.text() == ("✔ VERIFIED: intact, and signed by Mary Okafor, a "
                                      "confirmed signer")
    assert "read out by Mary on the phone, 12 May" in report.signer_text.text()
    assert report.confirm.isHidden() and report.receive.isEnabled()
    assert [s.certificate_fingerprint for s in KnownSigners.user().signers] == [mary]
    report.accept()

    report = verify_in(qtbot, window, second)
    assert report.headline.text().startswith("✔ VERIFIED")
    report.accept()

    report = verify_in(qtbot, window, forged)
    assert report.headline.text() == ("⚠ NOT CONFIRMED: signed with a different key from the "
                                      "one you confirmed for Mary Okafor")
    assert mary in report.signer_text.text() and stranger in report.signer_text.text()
    assert not report.receive.isEnabled()
    # Three results that differ in words and symbol, not only in colour.
    report.accept()
    window.lock()


def test_the_fingerprint_card(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    import segno  # the QR code holds the fingerprint as text

    v, _ = Vault.create(tmp_path / "mary", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    cert, custody = v.certificate_fingerprint(), v.fingerprint()
    app.opened(v)
    window = app.window
    assert window is not None
    window.card_action.trigger()
    card = window.dialog
    assert isinstance(card, FingerprintCardDialog)
    assert spoken_fingerprint(cert) in card.text and custody in card.text
    assert card.qr_payload == cert
    assert segno.make_qr(cert, error="m").matrix  # what the picture draws
    assert not card.qr.pixmap().isNull()
    card.copy.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == card.text
    card.accept()
    window.lock()


def test_a_root_trusted_in_the_app_recognises_its_investigators(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    from conftest import T0

    from vault.signing.certificate import install, request
    from vault.signing.org_ca import ROOT_CERT, init_root, issue, open_root

    init_root(tmp_path / "root", "Northbridge Survivors Campaign", "a root passphrase!!", T0)
    mary, _ = Vault.create(tmp_path / "mary", PASSPHRASE, IDENTITY, kdf=TEST_KDF,
                           clock=FixedClock(T0))
    try:
        install(mary, issue(open_root(tmp_path / "root", "a root passphrase!!"), request(mary),
                            T0), (tmp_path / "root" / ROOT_CERT).read_bytes())
        import_files(mary, write_files(tmp_path / "docs", 1, prefix="letter"), case=CASE)
        package = export(mary, tmp_path / "p.zip", case=CASE).path
    finally:
        mary.close()
    v, _ = Vault.create(tmp_path / "solicitor", PASSPHRASE, SOLICITOR, kdf=TEST_KDF)
    app.opened(v)
    window = app.window
    assert window is not None
    assert verify_in(qtbot, window, package).headline.text().startswith("? INTACT")
    window.dialog.accept()
    window.trust_root(tmp_path / "root" / ROOT_CERT, "handed over by the campaign")
    report = verify_in(qtbot, window, package)
    assert report.headline.text().startswith("✔ VERIFIED"), report.headline.text()
    assert "which you trust" in report.verification.signer.confirmed_by
    report.accept()
    window.lock()


def test_a_package_is_checked_from_the_first_window_with_no_vault(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    from ui.vault_dialogs import StartDialog
    from vault.packages.export import export_package

    (package,), mary = packages_of(tmp_path, "mary", 1)
    v, _ = Vault.create(tmp_path / "mary2", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    try:
        import_files(v, write_files(tmp_path / "more", 1, prefix="letter"), case=CASE)
        steps = list(export_package(v, tmp_path / "sealed.zip", case=CASE,
                                    passphrase="copper lantern orchard thistle falcon"))
        sealed = steps[-1].path
        mary2 = v.certificate_fingerprint()
    finally:
        v.close()
    app.start()
    start_screen = app.screen
    assert isinstance(start_screen, StartDialog) and start_screen.check_button.isVisible()
    before = sorted(p.name for p in tmp_path.iterdir())
    start_screen.check_requested.emit(str(package))
    check = app.package_check
    assert check is not None
    qtbot.waitUntil(lambda: isinstance(check.dialog, VerifyDialog), timeout=WAIT)
    report = check.dialog
    assert report.headline.text() == "? INTACT, BUT WHO SIGNED IS NOT CONFIRMED"
    assert report.receive.isHidden()
    qtbot.mouseClick(report.confirm, Qt.MouseButton.LeftButton)
    confirm = check.dialog
    confirm.how.setText("read out on the phone")
    qtbot.mouseClick(confirm.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(check.dialog, VerifyDialog)
                    and check.dialog is not report, timeout=WAIT)
    assert check.dialog.headline.text().startswith("✔ VERIFIED")
    assert mary in [s.certificate_fingerprint for s in KnownSigners.user().signers]
    check.dialog.accept()
    # An encrypted package: its passphrase, decrypted in memory; nothing written to disk.
    check.check(sealed, passphrase="copper lantern orchard thistle falcon")
    qtbot.waitUntil(lambda: isinstance(check.dialog, VerifyDialog)
                    and check.dialog.package == sealed, timeout=WAIT)
    assert check.dialog.verification.intact
    assert check.dialog.verification.signer_fingerprint == mary2
    check.dialog.accept()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_export_wizard_is_safe_by_default(qtbot: QtBot, app: App, tmp_path: Path,
                                              corpus: Path) -> None:
    from ui.operations import ExportDialog, ResultDialog
    from vault.documents.derive import redacted_copy
    from vault.evidence.notes import add_note

    v, _ = Vault.create(tmp_path / "mary", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    import_files(v, [corpus / "pdf" / "minimal-document.pdf",
                     *write_files(tmp_path / "docs", 1, prefix="letter")], case=CASE)
    redacted_copy(v, "MO/1", texts=["Lorem"])
    add_note(v, "MO/2", "privileged: this witness may not be reliable")
    app.opened(v)
    window = app.window
    assert window is not None
    window.table.selectRow(0)
    dialog = window.open_export()
    assert isinstance(dialog, ExportDialog)
    assert dialog.whole_case.isChecked() and dialog.case.currentText() == CASE
    dialog.next()
    assert dialog.encryption.currentIndex() == 0  # a passphrase, by default
    dialog.recipient.setText("Smith & Co Solicitors")
    dialog.secret.setText("password1")
    dialog.again.setText("password1")
    dialog.next()  # refused on its page, the answers kept
    assert "too weak" in dialog.currentPage().problem.text()
    assert dialog.recipient.text() == "Smith & Co Solicitors" and dialog.isVisible()
    strong = "copper lantern orchard thistle falcon"
    dialog.secret.setText(strong)
    dialog.again.setText(strong)
    dialog.next()
    summary = dialog.summary.text()
    assert summary.startswith("2 originals, 1 redacted copy.")
    assert "WARNING: MO/3 is a redacted copy of MO/1, and the original goes too" in summary
    # notes can be privileged: left out unless ticked, and the summary says which
    assert "1 note or annotation you wrote is left out" in summary
    dialog.with_notes.setChecked(True)
    assert "1 note or annotation you wrote on these exhibits goes with them" in \
        dialog.summary.text()
    dialog.with_notes.setChecked(False)
    assert "Encrypted with a passphrase." in summary
    dialog.next()
    out = tmp_path / "out.zip"
    dialog.out.setText(str(out))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    assert (tmp_path / "out.zip.age").is_file() and not out.exists()
    window.dialog.accept()
    # the package (decrypted in memory) verifies, with the note left out
    from vault.packages.age import open_for_checking
    from vault.packages.verify import verify_package

    sealed = tmp_path / "out.zip.age"
    source = open_for_checking(sealed, passphrase=lambda: strong)
    assert source is not None
    try:
        result = verify_package(sealed, source=source)
        source.seek(0)
        assert b"privileged" not in source.read()
    finally:
        source.close()
    assert result.intact and result.notes == "left out"
    window.lock()


def test_a_copy_that_leaked_is_withdrawn_and_left_out_of_the_case_export(
        qtbot: QtBot, app: App, tmp_path: Path, corpus: Path) -> None:
    from ui.operations import ExportDialog, ResultDialog
    from ui.withdraw_ui import WithdrawDialog
    from vault.documents.derive import redacted_copy
    from vault.packages.verify import verify_package

    v, _ = Vault.create(tmp_path / "mary", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    import_files(v, [corpus / "pdf" / "minimal-document.pdf"], case=CASE)
    redacted_copy(v, "MO/1", texts=["Lorem"])  # MO/2: leaked something
    redacted_copy(v, "MO/1", texts=["Lorem", "ipsum"])  # MO/3: the better copy
    app.opened(v)
    window = app.window
    assert window is not None
    window.select("MO/2")
    dialog = window.open_withdraw()
    assert isinstance(dialog, WithdrawDialog)
    assert dialog.superseded_by() == "MO/3" and not dialog.ok.isEnabled()
    dialog.reason.setText("a name in the footer was left visible")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    names = {window.items.item_at(r).ref: window.items.item_at(r).name
             for r in range(window.items.rowCount())}
    shown = window.items.data(window.items.index(
        next(r for r in range(window.items.rowCount())
             if window.items.item_at(r).ref == "MO/2"), 1))
    assert shown.endswith("[withdrawn, superseded by MO/3]"), (shown, names)
    wizard = window.open_export()
    assert isinstance(wizard, ExportDialog)
    wizard.next()
    strong = "copper lantern orchard thistle falcon"
    wizard.secret.setText(strong)
    wizard.again.setText(strong)
    wizard.encryption.setCurrentIndex(2)  # not encrypted, ticked: to read the zip below
    wizard.unencrypted_ok.setChecked(True)
    wizard.next()
    assert "Left out: MO/2 (withdrawn copies)." in wizard.summary.text()
    assert wizard.with_withdrawn.isVisible() and not wizard.with_withdrawn.isChecked()
    wizard.next()
    out = tmp_path / "case.zip"
    wizard.out.setText(str(out))
    qtbot.mouseClick(wizard.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    window.dialog.accept()
    result = verify_package(out)
    assert result.intact
    assert sorted(str(x["ref"]) for x in result.exhibits) == ["MO/1", "MO/3"]
    window.lock()


def test_an_encrypted_package_is_verified_and_received_in_the_app(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    from ui.operations import ResultDialog
    from vault.packages.export import export_package

    phrase = "copper lantern orchard thistle falcon"
    mary, _ = Vault.create(tmp_path / "mary", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    try:
        import_files(mary, write_files(tmp_path / "docs", 2, prefix="letter"), case=CASE)
        sealed = list(export_package(mary, tmp_path / "sealed.zip", case=CASE,
                                     passphrase=phrase))[-1].path
        fp = mary.certificate_fingerprint()
        custody_fp = mary.fingerprint()
    finally:
        mary.close()
    KnownSigners.user().add(KnownSigner("Mary Okafor", "", fp, custody_fp, "", "phone"))
    v, _ = Vault.create(tmp_path / "solicitor", PASSPHRASE, SOLICITOR, kdf=TEST_KDF)
    app.opened(v)
    window = app.window
    assert window is not None
    before = sorted(p.name for p in tmp_path.iterdir() if p.name != "settings.ini")
    window.verify(sealed, passphrase=phrase)
    qtbot.waitUntil(lambda: isinstance(window.dialog, VerifyDialog), timeout=WAIT)
    report = window.dialog
    assert report.headline.text().startswith("✔ VERIFIED") and report.receive.isEnabled()
    qtbot.mouseClick(report.receive, Qt.MouseButton.LeftButton)
    receive_into_case(qtbot, window)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    names = {window.items.item_at(r).name for r in range(window.items.rowCount())}
    assert {"letter-00000.txt", "letter-00001.txt"} <= names
    report.close()
    after = sorted(p.name for p in tmp_path.iterdir() if p.name != "settings.ini")
    assert after == before  # nothing decrypted to disk
    window.lock()


def test_the_same_exhibit_from_another_key_is_asked_about(qtbot: QtBot, app: App,
                                                          tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    from ui.operations import ResultDialog

    docs = write_files(tmp_path / "docs", 1, prefix="letter")
    made = []
    for name, who in (("mary", IDENTITY), ("stranger", Identity("Sam Stranger", "SS", "", ""))):
        v, _ = Vault.create(tmp_path / name, PASSPHRASE, who, kdf=TEST_KDF)
        try:
            import_files(v, docs, case=CASE)
            made.append((export(v, tmp_path / f"{name}.zip", case=CASE).path,
                         v.certificate_fingerprint()))
        finally:
            v.close()
    for _path, fp in made:
        KnownSigners.user().add(KnownSigner("someone", "", fp, "", "", "phone"))
    v, _ = Vault.create(tmp_path / "solicitor", PASSPHRASE, SOLICITOR, kdf=TEST_KDF)
    app.opened(v)
    window = app.window
    assert window is not None
    window.receive(made[0][0], ask=False, case=CASE)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    window.dialog.accept()
    window.receive(made[1][0], ask=False, case=CASE)
    qtbot.waitUntil(lambda: isinstance(window.dialog, QMessageBox), timeout=WAIT)
    question = window.dialog
    assert made[1][1] in question.text() and "another key" in question.text()
    anyway = next(b for b in question.buttons() if b.text() == "Receive it anyway")
    anyway.click()
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    assert "received again" in window.dialog.lines[0].text()
    window.lock()


def test_a_package_checked_with_no_vault_is_kept_in_a_new_vault_under_a_new_case(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    from test_gui import create_vault

    from ui.check_package import PackageCheck
    from ui.operations import ResultDialog
    from ui.receive_ui import ReceiveCaseDialog
    from ui.vault_dialogs import StartDialog
    from vault.evidence.items import list_cases, list_items
    from vault.packages.export import export_package

    phrase = "copper lantern orchard thistle falcon"
    mary, _ = Vault.create(tmp_path / "mary", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    try:
        import_files(mary, write_files(tmp_path / "docs", 2, prefix="letter"), case=CASE)
        sealed = list(export_package(mary, tmp_path / "sealed.zip", case=CASE,
                                     passphrase=phrase))[-1].path
        KnownSigners.user().add(KnownSigner("Mary Okafor", "", mary.certificate_fingerprint(),
                                            mary.fingerprint(), "", "phone"))
    finally:
        mary.close()
    before = sorted(p.name for p in tmp_path.iterdir() if p.name != "settings.ini")
    app.start()
    check = PackageCheck(app.screen)  # as app.check_package makes it, the passphrase given
    check.keep_requested.connect(app.keep)
    check.check(sealed, passphrase=phrase)
    qtbot.waitUntil(lambda: isinstance(check.dialog, VerifyDialog), timeout=WAIT)
    report = check.dialog
    assert report.headline.text().startswith("✔ VERIFIED")
    assert report.receive.isVisible() and report.receive.text() == "&Keep it in a vault…"
    qtbot.mouseClick(report.receive, Qt.MouseButton.LeftButton)
    chooser = app.screen
    assert isinstance(chooser, StartDialog) and "sealed.zip.age" in chooser.windowTitle()
    assert not chooser.check_button.isVisible()
    window = create_vault(qtbot, app, tmp_path / "solicitor")
    qtbot.waitUntil(lambda: isinstance(window.dialog, ReceiveCaseDialog), timeout=WAIT)
    choose = window.dialog
    assert choose.case.currentText() == CASE  # the package's own, suggested
    choose.case.setCurrentText("Okafor v Northbridge Council")
    assert "A new case" in choose.new_note.text()
    qtbot.mouseClick(choose.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    assert window.dialog.headline.text() == "Package received."
    v = window.vault
    assert v is not None
    assert "Okafor v Northbridge Council" in list_cases(v)
    kept = list_items(v, "Okafor v Northbridge Council")
    assert sorted(i.name for i in kept) == ["letter-00000.txt", "letter-00001.txt"]
    assert window.current_case() == "Okafor v Northbridge Council"
    after = sorted(p.name for p in tmp_path.iterdir() if p.name != "settings.ini")
    assert after == sorted([*before, "solicitor"])  # nothing decrypted to disk
    window.dialog.accept()
    window.lock()
