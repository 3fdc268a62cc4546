"""Signing certificates as recipients can rely on them: a leaf, not a CA; renewed with the
custody log's record; issued by an organisation's root that a recipient trusts once; revoked
by the root's signed list. Checked with our verifier, the real openssl, and pdfsig."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import PASSPHRASE, T0, run_cli
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID
from packages import CASE, export, import_files, new_vault, sample_paths

from vault.packages.verification import INTACT_UNCONFIRMED, VERIFIED_CONFIRMED
from vault.packages.verify import verify_package
from vault.signing.certificate import current, install, renew, request
from vault.signing.certs import DOCUMENT_SIGNING
from vault.signing.org_ca import REVOKED, ROOT_CERT, init_root, issue, open_root, revoke
from vault.signing.signers import KnownSigner, KnownSigners
from vault.store.vault import Vault

ROOT_PASS = "campaign root passphrase 2026"
NOW = T0  # the vaults of these tests run on the fixed clock


def test_the_signing_certificate_is_a_leaf(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "v")
    try:
        cert = current(v)
        basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        assert basic.critical and basic.value.ca is False
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature and usage.content_commitment
        assert not usage.key_cert_sign and not usage.crl_sign
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(eku) == [DOCUMENT_SIGNING]
        assert ExtendedKeyUsageOID.SERVER_AUTH not in eku
        years = (cert.not_valid_after_utc - cert.not_valid_before_utc).days / 365
        assert 2.9 < years < 3.1
        pem = tmp_path / "cert.pem"
        pem.write_bytes(cert.public_bytes(Encoding.PEM))
        text = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-text"],
                              capture_output=True, text=True, check=True).stdout
        assert "CA:FALSE" in text and "Certificate Sign" not in text
        import_files(v, sample_paths(tmp_path)[:2])
        package = export(v, tmp_path / "p.zip", case=CASE).path
    finally:
        v.close()
    # The exhibit list's PDF signature with the leaf: pdfsig reads it as valid.
    with zipfile.ZipFile(package) as z:
        report = next(n for n in z.namelist() if n.endswith("exhibit-list.pdf"))
        (tmp_path / "list.pdf").write_bytes(z.read(report))
    out = subprocess.run(["pdfsig", tmp_path / "list.pdf"], capture_output=True, text=True)
    assert "Signature is Valid" in out.stdout, out.stdout + out.stderr


def test_a_renewed_certificate_is_recognised_through_the_custody_log(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "v")
    try:
        first_fp, custody_fp = v.certificate_fingerprint(), v.fingerprint()
        import_files(v, sample_paths(tmp_path)[:2])
        new_fp = renew(v)
        assert new_fp != first_fp and v.certificate_fingerprint() == new_fp
        package = export(v, tmp_path / "p.zip", case=CASE).path
    finally:
        v.close()
    confirmed_old = KnownSigners([KnownSigner("Mary Okafor", "", first_fp, custody_fp,
                                              "2026-05-01T10:00:00Z", "phone")])
    result = verify_package(package, known=[("mine", confirmed_old)])
    assert result.intact, result.reason
    assert result.certificate_history == [first_fp, new_fp]
    assert result.outcome == VERIFIED_CONFIRMED
    assert result.signer is not None and "renewal" in result.signer.confirmed_by
    # The same old certificate with another custody key confirms nothing.
    other = KnownSigners([KnownSigner("Mary Okafor", "", first_fp, "SOME OTHER KEY", "", "")])
    assert verify_package(package, known=[("mine", other)]).outcome == INTACT_UNCONFIRMED


@pytest.fixture
def org(tmp_path: Path) -> Path:
    folder = tmp_path / "campaign-root"
    init_root(folder, "Northbridge Survivors Campaign", ROOT_PASS, NOW)
    assert oct((folder / "root-key.pem").stat().st_mode & 0o777) == "0o600"
    return folder


def test_an_organisation_root_recognises_its_investigators(tmp_path: Path, org: Path) -> None:
    v = new_vault(tmp_path / "v")
    try:
        cert_pem = issue(open_root(org, ROOT_PASS), request(v), NOW)
        fp = install(v, cert_pem, (org / ROOT_CERT).read_bytes())
        assert fp == v.certificate_fingerprint()
        import_files(v, sample_paths(tmp_path)[:2])
        package = export(v, tmp_path / "p.zip", case=CASE).path
    finally:
        v.close()
    root = x509.load_pem_x509_certificate((org / ROOT_CERT).read_bytes())
    alone = verify_package(package)
    assert alone.intact and alone.outcome == INTACT_UNCONFIRMED
    trusted = verify_package(package, trust_roots=[root])
    assert trusted.outcome == VERIFIED_CONFIRMED, trusted.reason
    assert trusted.signer is not None and "which you trust" in trusted.signer.confirmed_by
    # The CLI, with the root on the command line and then kept in the user's list.
    r = run_cli("verify", package, "--trust-root", org / ROOT_CERT, passphrase=None)
    assert r.returncode == 0, r.stdout + r.stderr
    assert run_cli("verify", package, passphrase=None).returncode == 4
    r = run_cli("signers", "trust-root", org / ROOT_CERT, "--how", "given by the campaign",
                passphrase=None)
    assert r.returncode == 0, r.stderr
    assert run_cli("verify", package, passphrase=None).returncode == 0
    # openssl: the chain verifies to the root, as HOW-TO-VERIFY.txt describes.
    folder = tmp_path / "unzipped"
    subprocess.run(["unzip", "-q", package, "-d", folder], check=True)
    (top,) = folder.iterdir()
    ok = subprocess.run(["openssl", "cms", "-verify", "-binary", "-content",
                         "tagmanifest-sha256.txt", "-in", "signatures/tagmanifest-sha256.txt.p7s",
                         "-inform", "PEM", "-purpose", "any", "-CAfile", org / ROOT_CERT,
                         "-out", "/dev/null"], cwd=top, capture_output=True, text=True)
    assert ok.returncode == 0 and "Verification successful" in ok.stderr, ok.stderr
    # Revoked: the root's signed list says so, and nothing then confirms the signer.
    revoke(open_root(org, ROOT_PASS), fp, NOW)
    crl = x509.load_pem_x509_crl((org / REVOKED).read_bytes())
    revoked = verify_package(package, trust_roots=[root], crls=[crl],
                             known=[("mine", KnownSigners([KnownSigner("Mary Okafor", "", fp)]))])
    assert revoked.intact and revoked.outcome == INTACT_UNCONFIRMED
    assert any("revoked by" in w for w in revoked.warnings), revoked.warnings
    r = run_cli("verify", package, "--crl", org / REVOKED, passphrase=None)
    assert r.returncode == 4 and "revoked by" in r.stdout
    crl_ok = subprocess.run(["openssl", "crl", "-in", org / REVOKED, "-CAfile", org / ROOT_CERT,
                             "-noout"], capture_output=True, text=True)
    assert crl_ok.returncode == 0 and "verify OK" in crl_ok.stderr + crl_ok.stdout


def test_the_root_refuses_what_it_should(tmp_path: Path, org: Path) -> None:
    from vault.errors import VaultError, WrongSecret

    with pytest.raises(WrongSecret):
        open_root(org, "not the root passphrase")
    with pytest.raises(VaultError, match="already holds a root"):
        init_root(org, "Again", ROOT_PASS, NOW)
    with pytest.raises(VaultError, match="not a certificate request"):
        issue(open_root(org, ROOT_PASS), b"junk", NOW)
    v = new_vault(tmp_path / "v")
    other = new_vault(tmp_path / "other")
    try:
        theirs = issue(open_root(org, ROOT_PASS), request(other), NOW)
        with pytest.raises(VaultError, match="not for this vault's signing key"):
            install(v, theirs, (org / ROOT_CERT).read_bytes())
    finally:
        v.close()
        other.close()


def test_org_commands(tmp_path: Path) -> None:
    env = {"EVIDENCE_VAULT_ROOT_PASSPHRASE": ROOT_PASS}
    folder = tmp_path / "root"
    r = run_cli("org", "init", folder, "--name", "Campaign", env=env, passphrase=None)
    assert r.returncode == 0, r.stderr
    v = new_vault(tmp_path / "v")
    path = v.folder
    v.close()
    assert run_cli("certificate", "request", path, "--out", tmp_path / "req.pem").returncode == 0
    r = run_cli("org", "issue", folder, tmp_path / "req.pem", "--out", tmp_path / "cert.pem",
                env=env, passphrase=None)
    assert r.returncode == 0, r.stderr
    r = run_cli("certificate", "install", path, tmp_path / "cert.pem", "--root",
                folder / ROOT_CERT)
    assert r.returncode == 0, r.stderr
    r = run_cli("certificate", "show", path)
    assert "issuer: CN=Campaign root,O=Campaign" in r.stdout, r.stdout
    assert run_cli("check", path).returncode == 0
    with Vault.open(path, passphrase=PASSPHRASE) as v2:
        actions = [e.fields["action"] for e in v2.events()]
    assert actions[-1] == "signing certificate changed"
