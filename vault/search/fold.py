"""How text is folded for the search index, the same at indexing and at query time.

SQLite's ``unicode61`` tokenizer (with ``remove_diacritics 2``) folds case and removes the
diacritics of Latin letters, but it treats the combining marks of other scripts as word
separators: Arabic harakat, Hebrew points, the Greek tonos of a decomposed letter, Devanagari
signs. ``حَبيبي`` (with a fatha) is then indexed as two words, and ``حبيبي`` as it is usually
typed finds neither. :func:`fold` makes every script behave like Latin: compatibility forms
are unified (NFKC: Arabic presentation forms, full-width letters), the Arabic tatweel
(kashida, a stretching stroke) is dropped, and every combining mark on a letter that is not
Latin is removed. Latin text is left as it is (the tokenizer folds it, and snippets keep the
accents), so only the marks that would split words are taken out.
"""

from __future__ import annotations

import unicodedata

TATWEEL = "\u0640"


def _latin(ch: str) -> bool:
    return ch < "\u0250" or "\u1e00" <= ch <= "\u1eff" or "\u2c60" <= ch <= "\u2c7f" \
        or "\ua720" <= ch <= "\ua7ff"


def fold(text: str) -> str:
    """``text`` as the index holds it (see the module's description)."""
    text = unicodedata.normalize("NFKC", text).replace(TATWEEL, "")
    if text.isascii():
        return text
    out: list[str] = []
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me"):
            base = out[-1][-1:] if out else ""
            if base and _latin(base):
                out.append(ch)  # a Latin letter's accent: the tokenizer folds it
            continue
        if _latin(ch):
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return unicodedata.normalize("NFC", "".join(out))
