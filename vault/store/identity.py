"""Who works with the vault: the investigator recorded at creation, and the machine."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from vault import PROGRAM
from vault.errors import VaultError

_INITIALS = re.compile(r"^[A-Z]{1,4}$")


@dataclass(frozen=True)
class Identity:
    name: str
    initials: str
    role: str = ""
    organisation: str = ""
    email: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise VaultError("the investigator's name is required")
        if not _INITIALS.match(self.initials):
            raise VaultError("initials must be 1 to 4 capital letters (for exhibit references "
                             "such as MO/1)")

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def actor(self, machine: str) -> dict[str, str]:
        """The ``actor`` of a custody event; ``machine``: the computer's label in this vault
        (never its name: see vault.evidence.private_details.machine_label)."""
        return {**self.to_dict(), "machine": machine, "program": PROGRAM}
