"""The evidence package test vectors (tests/vectors/packages) against the verifier and the CLI.

The vectors are written once by ``tests/vectors/make_package_vectors.py`` (docs/package-format.md,
"Test vectors"); each ``NAME.zip`` has a ``NAME.expect`` header saying what verifying it must
give: VERIFIED, NOT VERIFIED and the first check that fails, or NOT A PACKAGE.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_cli

from vault.package_verify import NotAPackage, verify_package

PACKAGES = Path(__file__).resolve().parent / "vectors" / "packages"
OUTCOMES = {"VERIFIED", "NOT VERIFIED", "NOT A PACKAGE"}
# Every check a verified package must have passed (docs/package-format.md, "Verification").
ALL_CHECKS = ("archive", "layout", "bagit.txt", "signature", "signer certificate",
              "tag manifest", "signer", "manifest", "payload hashes", "Payload-Oxum",
              "custody chain", "custody key", "exhibits")


@dataclass(frozen=True)
class Expect:
    name: str
    expect: str
    params: dict[str, str]

    @property
    def zip(self) -> Path:
        return PACKAGES / f"{self.name}.zip"


def parse(path: Path) -> Expect:
    params: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, colon, value = line.partition(": ")
        assert colon and key not in params, f"{path.name}: bad header line {line!r}"
        params[key] = value
    assert params.pop("kind") == "package", path.name
    assert params.get("comment"), f"{path.name}: no comment"
    vec = Expect(path.stem, params.pop("expect"), params)
    assert vec.expect in OUTCOMES, f"{path.name}: unknown outcome {vec.expect}"
    assert ("failing-check" in params) == (vec.expect == "NOT VERIFIED"), path.name
    return vec


VECTORS = [parse(p) for p in sorted(PACKAGES.glob("*.expect"))]


def by_name(name: str) -> Expect:
    (vec,) = [v for v in VECTORS if v.name == name]
    return vec


def test_vectors_are_complete_and_small() -> None:
    assert sorted(p.stem for p in PACKAGES.glob("*.zip")) == sorted(v.name for v in VECTORS)
    assert sorted(p.name for p in PACKAGES.iterdir()) == sorted(
        [f"{v.name}.zip" for v in VECTORS] + [f"{v.name}.expect" for v in VECTORS])
    outcomes = {v.expect for v in VECTORS}
    assert outcomes == OUTCOMES
    first_failures = {v.params["failing-check"] for v in VECTORS if v.expect == "NOT VERIFIED"}
    assert first_failures >= {"archive", "layout", "signature", "signer certificate",
                              "tag manifest", "signer", "manifest", "payload hashes",
                              "custody chain", "custody key", "exhibits"}
    assert sum(p.stat().st_size for p in PACKAGES.iterdir()) < 1_000_000


@pytest.mark.parametrize("vec", VECTORS, ids=[v.name for v in VECTORS])
def test_package_vector(vec: Expect) -> None:
    if vec.expect == "NOT A PACKAGE":
        with pytest.raises(NotAPackage):
            verify_package(vec.zip)
        return
    result = verify_package(vec.zip)
    if vec.expect == "NOT VERIFIED":
        check = vec.params["failing-check"]
        assert not result.verified
        first = next(c for c in result.checks if not c.ok)
        assert first.name == check, result.reason
        assert result.reason == f"{check}: {first.detail}"
        assert result.headline().startswith(f"NOT VERIFIED: {check}: ")
        return
    assert result.verified, result.reason
    assert result.reason == "" and result.headline() == "VERIFIED"
    names = [c.name for c in result.checks]
    assert [n for n in ALL_CHECKS if n not in names] == []
    assert result.signer_fingerprint == vec.params["signer"]
    assert [x["ref"] for x in result.exhibits] == vec.params["exhibits"].split()
    assert result.custody is not None
    assert [e["seq"] for e in result.custody.events] == \
        [int(n) for n in vec.params["events"].split()]
    # The fingerprint the investigator gave, in any case and with any separators, is accepted.
    pinned = verify_package(vec.zip, signer=vec.params["signer"].lower().replace(":", " "))
    assert pinned.verified, pinned.reason
    assert ("expected signer", True) in [(c.name, c.ok) for c in pinned.checks]


def test_a_valid_package_from_another_signer_is_not_verified() -> None:
    vec = by_name("valid")
    result = verify_package(vec.zip, signer="00" * 32)
    assert not result.verified
    assert result.reason.startswith("expected signer: ")
    assert [c.name for c in result.checks if not c.ok] == ["expected signer"]


def test_cli_exit_codes() -> None:
    """``evidence-vault verify``: 0 verified, 1 not verified, 3 not a package."""
    ok = run_cli("verify", by_name("valid").zip, passphrase=None)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines()[0] == "VERIFIED"

    tampered = by_name("exhibit-byte-changed")
    bad = run_cli("verify", tampered.zip, passphrase=None)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert bad.stdout.splitlines()[0].startswith(
        f"NOT VERIFIED: {tampered.params['failing-check']}: ")

    pinned = run_cli("verify", by_name("valid").zip, "--signer", "00" * 32, passphrase=None)
    assert pinned.returncode == 1, pinned.stdout + pinned.stderr
    assert pinned.stdout.splitlines()[0].startswith("NOT VERIFIED: expected signer: ")

    junk = run_cli("verify", by_name("not-a-zip").zip, passphrase=None)
    assert junk.returncode == 3, junk.stdout + junk.stderr
