"""Each check of a package's verification (vault/packages/checks/), run on its own against a
real exported package: it passes on the package as exported, and it alone catches what it is
for. And the checks run one by one give exactly what ``verify_package`` gives."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from packages import CASE, export, import_files, new_vault, rewrite_zip, sample_paths

from vault.custody.excerpt import VerifiedExcerpt
from vault.packages.checks import (
    chronology,
    court,
    custody,
    exhibits,
    history,
    layout,
    manifests,
    signature,
)
from vault.packages.checks import timestamps as timestamp_checks
from vault.packages.checks.reader import PackageReader, Stop
from vault.packages.format import CUSTODY_LOG, TAGMANIFEST
from vault.packages.safezip import SafeZip
from vault.packages.verification import Verification
from vault.packages.verify import verify_package


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("checks")
    v = new_vault(work / "vault")
    try:
        import_files(v, sample_paths(work))
        return export(v, work / "p.zip", case=CASE).path
    finally:
        v.close()


@contextmanager
def opened(path: Path) -> Iterator[PackageReader]:
    with SafeZip(path, strict=True) as z:
        yield PackageReader(z, Verification())


def names(pkg: PackageReader) -> list[tuple[str, bool]]:
    return [(c.name, c.ok) for c in pkg.r.checks]


def laid_out(pkg: PackageReader) -> PackageReader:
    layout.layout(pkg)
    pkg.r.checks.clear()
    return pkg


def excerpt_of(pkg: PackageReader) -> VerifiedExcerpt:
    custody.read_excerpt(pkg)
    excerpt = custody.custody(pkg)
    pkg.r.checks.clear()
    return excerpt


def changed(package: Path, tmp_path: Path, mutate: Callable[[dict[str, bytes]], None]) -> Path:
    out = tmp_path / "changed.zip"
    rewrite_zip(package, out, mutate)
    return out


def test_layout_alone(package: Path, tmp_path: Path) -> None:
    with opened(package) as pkg:
        layout.archive(pkg)
        layout.layout(pkg)
        assert names(pkg) == [("archive", True), ("layout", True), ("layout", True),
                              ("layout", True), ("bagit.txt", True), ("format version", True)]
        assert pkg.top and pkg.r.bag_info["External-Identifier"] == CASE

    def add(entries: dict[str, bytes]) -> None:
        entries["extra.txt"] = b"slipped in"

    with opened(changed(package, tmp_path, add)) as pkg, pytest.raises(Stop):
        layout.layout(pkg)
    assert pkg.r.checks[-1].name == "layout" and not pkg.r.checks[-1].ok
    assert "extra.txt" in pkg.r.checks[-1].detail


def test_signature_alone(package: Path) -> None:
    with opened(package) as pkg:
        tagmanifest = laid_out(pkg).read(TAGMANIFEST)
        signature.signature(pkg, tagmanifest, None)
        signature.stated_signer(pkg)
        assert names(pkg) == [("signature", True), ("signer certificate", True),
                              ("signer", True)]
        fingerprint = pkg.r.signer_fingerprint
    with opened(package) as pkg:
        signature.signature(laid_out(pkg), tagmanifest, "00" * 32)
        assert names(pkg)[-1] == ("expected signer", False)
    with opened(package) as pkg, pytest.raises(Stop):
        signature.signature(laid_out(pkg), tagmanifest + b"\n", fingerprint)
    assert names(pkg) == [("signature", False)]


def test_manifests_alone(package: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    ran: list[bool] = []
    with opened(package) as pkg:
        manifests.tag_manifest(laid_out(pkg), pkg.read(TAGMANIFEST))
        manifest = manifests.payload(pkg, lambda done, total: seen.append((done, total)),
                                     meanwhile=lambda: ran.append(True))
        assert names(pkg) == [("tag manifest", True), ("manifest", True),
                              ("payload hashes", True), ("Payload-Oxum", True)]
    assert ran == [True] and seen[-1][0] == seen[-1][1] > 0
    exhibit = next(p for p in manifest if p.startswith("data/exhibits/"))

    def flip(entries: dict[str, bytes]) -> None:
        data = bytearray(entries[exhibit])
        data[-1] ^= 1
        entries[exhibit] = bytes(data)

    with opened(changed(package, tmp_path, flip)) as pkg:
        manifests.payload(laid_out(pkg), None, meanwhile=lambda: None)
        assert names(pkg) == [("manifest", True), ("payload hashes", False),
                              ("Payload-Oxum", True)]
        assert exhibit in pkg.r.checks[1].detail


def test_custody_alone(package: Path, tmp_path: Path) -> None:
    with opened(package) as pkg:
        signature.signature(laid_out(pkg), pkg.read(TAGMANIFEST), None)
        pkg.r.checks.clear()
        excerpt = custody.custody(pkg)  # read here when the payload check did not
        assert names(pkg) == [("custody chain", True), ("custody key", True)]
        assert excerpt.events and pkg.r.certificate_history[-1] == pkg.r.signer_fingerprint

    def cut(entries: dict[str, bytes]) -> None:
        lines = entries[CUSTODY_LOG].splitlines(keepends=True)
        entries[CUSTODY_LOG] = b"".join(lines[:-1])

    with opened(changed(package, tmp_path, cut)) as pkg:
        custody.custody(laid_out(pkg))
        assert names(pkg)[0] == ("custody chain", False)
        assert "bag-info.txt says it ends" in pkg.r.checks[0].detail


def test_exhibits_alone(package: Path) -> None:
    with opened(package) as pkg:
        manifest = manifests.payload(laid_out(pkg), None, meanwhile=lambda: None)
        excerpt = excerpt_of(pkg)
        exhibits.exhibits(pkg, manifest, excerpt)
        exhibits.summary(pkg, excerpt)
        assert names(pkg) == [("exhibits", True), ("summary", True)]
        assert len(pkg.r.exhibits) == 6
    with opened(package) as pkg:
        manifest = manifests.payload(laid_out(pkg), None, meanwhile=lambda: None)
        excerpt = excerpt_of(pkg)
        gone = next(p for p in manifest if p.startswith("data/exhibits/"))
        exhibits.exhibits(pkg, {p: h for p, h in manifest.items() if p != gone}, excerpt)
        assert names(pkg) == [("exhibits", False)]


def test_timestamps_alone(package: Path) -> None:
    with opened(package) as pkg:
        excerpt = excerpt_of(laid_out(pkg))
        timestamp_checks.timestamps(pkg, excerpt, ())
        assert names(pkg) == [("timestamps", True)]
        assert "no timestamps" in pkg.r.checks[0].detail and pkg.r.timestamps == []


def test_history_alone(package: Path) -> None:
    with opened(package) as pkg:
        excerpt = excerpt_of(laid_out(pkg))
        history.history(pkg, excerpt, package, None, "the earlier package is not a package")
        assert names(pkg) == [("history", False)]
        assert pkg.r.checks[0].detail == "the earlier package is not a package"


def test_the_checks_in_turn_are_the_verification(package: Path) -> None:
    whole = verify_package(package)
    with opened(package) as pkg:
        layout.archive(pkg)
        layout.layout(pkg)
        tagmanifest = pkg.read(TAGMANIFEST)
        signature.signature(pkg, tagmanifest, None)
        manifests.tag_manifest(pkg, tagmanifest)
        signature.stated_signer(pkg)
        manifest = manifests.payload(pkg, None, meanwhile=lambda: custody.read_excerpt(pkg))
        excerpt = custody.custody(pkg)
        exhibits.exhibits(pkg, manifest, excerpt)
        exhibits.summary(pkg, excerpt)
        chronology.chronology(pkg, manifest)
        court.court(pkg, manifest)
        timestamp_checks.timestamps(pkg, excerpt, ())
    assert pkg.r.checks == whole.checks and whole.intact
    assert hashlib.sha256(repr(pkg.r.exhibits).encode()).digest() == \
        hashlib.sha256(repr(whole.exhibits).encode()).digest()
