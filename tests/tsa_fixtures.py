"""pytest fixtures for the local test TSA (tests/tsa_server.py).

Use them as the other helper modules are used, importing the fixtures by name::

    # ruff: noqa: F811 - (at the top of the file) fixtures are parameters of the same name
    from tsa_fixtures import make_tsa, tsa, tsa_pki  # noqa: F401 - fixtures used below

Do not also list it in ``pytest_plugins``: a module imported before pytest registers it as a
plugin cannot be assertion-rewritten, which is a warning, so an error here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import IDENTITY, PASSPHRASE
from tsa_server import Pki, TsaServer, make_pki

from vault.clock import SystemClock
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

__all__ = ["Pki", "TsaServer", "live", "make_pki", "make_tsa", "tsa", "tsa_pki"]

MakeTsa = Callable[..., TsaServer]


@pytest.fixture
def tsa_pki(tmp_path: Path) -> Pki:
    """A test root CA and TSA certificate (shared by ``tsa`` and ``make_tsa`` by default)."""
    return make_pki(tmp_path / "tsa-pki")


@pytest.fixture
def make_tsa(tmp_path: Path, tsa_pki: Pki, monkeypatch: pytest.MonkeyPatch
             ) -> Iterator[MakeTsa]:
    """``make_tsa(backend="openssl"|"python", pki=..., **knobs)``: a started TSA, stopped at
    teardown. Without ``pki`` it uses ``tsa_pki``; pass ``pki=make_pki(...)`` for another CA.
    A proxy set in the environment is bypassed for 127.0.0.1."""
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    servers: list[TsaServer] = []

    def make(**kw: Any) -> TsaServer:
        kw.setdefault("pki", tsa_pki)
        server = TsaServer(tmp_path / f"tsa-{len(servers)}", **kw)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def tsa(make_tsa: MakeTsa) -> TsaServer:
    """A correct TSA running the real ``openssl ts -reply``."""
    return make_tsa()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Callable[[str], Vault]]:
    """``live(name)``: a new vault on the system clock (the local TSAs answer with the real
    time, so the events' times and the tokens' agree); closed at teardown."""
    opened: list[Vault] = []

    def make(name: str = "case") -> Vault:
        v = Vault.create(tmp_path / name, PASSPHRASE, IDENTITY, clock=SystemClock(),
                         kdf=TEST_KDF)[0]
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.close()
