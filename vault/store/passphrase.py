"""Passphrase strength, judged with zxcvbn."""

from __future__ import annotations

from dataclasses import dataclass

from zxcvbn import zxcvbn

from vault.errors import WeakPassphrase

MIN_SCORE = 3  # zxcvbn 0..4; 3 is "safely unguessable: moderate protection from offline attack"
MIN_LENGTH = 10


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    acceptable: bool
    reason: str


def strength(passphrase: str, user_inputs: list[str] | None = None) -> Strength:
    if len(passphrase) < MIN_LENGTH:
        return Strength(0, False, f"use at least {MIN_LENGTH} characters; several unrelated "
                                  "words make a passphrase that is strong and easy to remember")
    result = zxcvbn(passphrase[:100], user_inputs=[u for u in user_inputs or [] if u])
    score = int(result["score"])
    feedback = result.get("feedback") or {}
    hints = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
    reason = " ".join(h.strip() for h in hints if h and h.strip())
    if score < MIN_SCORE:
        return Strength(score, False, reason or "it would be too easy to guess; add more "
                                                "unrelated words")
    return Strength(score, True, reason)


def require_strong(passphrase: str, user_inputs: list[str] | None = None) -> None:
    s = strength(passphrase, user_inputs)
    if not s.acceptable:
        raise WeakPassphrase(f"passphrase refused as too weak: {s.reason}")
