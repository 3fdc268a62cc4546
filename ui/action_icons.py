"""Which icon each of the app's actions shows, in one table, and the pass that gives them:
every action in a window's menus and toolbars gets one (tests/test_accessibility.py checks
that none is left without). Keyed by the action's words without the mnemonic "&" and the
trailing "…"."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from ui.icons import Icons

ICON_FOR: dict[str, str] = {
    # File
    "Import": "import", "Import a folder": "import-folder", "New case": "case",
    "Export package": "export", "Verify package": "verify", "Vault health": "health",
    "Lock": "lock", "Redact every occurrence": "redact",
    "Withdraw a copy that leaked": "withdraw", "Quit": "quit",
    # View
    "Thumbnail grid": "grid", "Open in the viewer": "open", "Lock after idle time": "lock-time",
    "Search": "search", "Chronology": "chronology", "Appearance": "settings",
    "Sort the list by": "sort",
    "Follow the system": "settings", "Light": "sun", "Dark": "moon",
    # Vault
    "My signing fingerprint card": "fingerprint", "Trust an organisation's root": "trust",
    "Trusted timestamps": "timestamp",
    "Check history against an earlier package": "compare",
    "Check this vault against a package": "compare",
    "Change the passphrase": "passphrase",
    "Replace the keys (a secret was seen)": "keys-replace",
    # Court
    "Add a producing witness": "witness", "Mark as an exhibit": "tag",
    "Exhibit labels (PDF)": "label", "Exhibit labels (Word)": "label",
    "Cover sheets (PDF)": "export-document", "Cover sheets (Word)": "export-document",
    "Continuity record of this exhibit": "chronology",
    "Page-stamped copy of this exhibit": "annotated-copy",
    "Add a witness statement": "note", "This item in a statement": "note",
    "A statement's exhibit list": "schedule",
    "A statement's documents referred to": "schedule",
    "Put this item on a schedule of unused material": "schedule",
    "Disclosure decision on this item": "court",
    "Record a disclosure action on this item": "court",
    "Non-sensitive schedule": "schedule", "Sensitive schedule (not for the defence)": "schedule",
    # Help
    "Check this installation": "self-test", "User guide": "guide",
    # The viewer
    "Zoom out": "zoom-out", "Zoom in": "zoom-in", "Fit width": "fit-width", "Find": "search",
    "Select": "select", "Highlight": "highlight", "Underline": "underline",
    "Strike-out": "strikeout", "Note": "note", "Rectangle": "rectangle", "Ellipse": "ellipse",
    "Redaction mark": "redact", "Ink": "pen", "Arrow": "arrow", "Label": "text",
    "Cite an area": "cite", "Make redacted copy": "redacted-copy",
    "Make annotated copy": "annotated-copy", "Edit annotation": "annotate",
    "Find next": "next", "Find previous": "previous", "Highlight the words found": "highlight",
    "Mark the words found for redaction": "redact", "Copy": "copy",
    "Add to chronology": "chronology", "Close": "quit", "Delete annotation": "delete",
}


def plain(text: str) -> str:
    return text.replace("&", "").rstrip("…").rstrip(".").strip()


def menu_actions(menu: QMenu) -> list[QAction]:
    """Every action of ``menu`` and its submenus."""
    found: list[QAction] = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        found.append(action)
        sub = action.menu()
        if isinstance(sub, QMenu):
            found.extend(menu_actions(sub))
    return found


def window_actions(window: QMainWindow) -> list[QAction]:
    """Every action shown in the window's menu bar (with submenus) and toolbars."""
    found: list[QAction] = []
    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            found.extend(menu_actions(menu))
    for bar in window.findChildren(QToolBar):
        found.extend(a for a in bar.actions() if not a.isSeparator()
                     and bar.widgetForAction(a) is not None and a.text())
    return found


def needs_icon(action: QAction) -> bool:
    """Every action but a choice among others (a checkable action of an exclusive group,
    which shows its radio mark instead)."""
    group = action.actionGroup()
    return not (action.isCheckable() and group is not None and group.isExclusive()
                and plain(action.text()) not in ICON_FOR)


def decorate(window: QMainWindow, icons: Icons) -> list[QAction]:
    """Gives every action of the window its icon; returns those the table does not know
    (none, tests/test_accessibility.py)."""
    unknown: list[QAction] = []
    for action in window_actions(window):
        name = ICON_FOR.get(plain(action.text()))
        if name is None:
            if action.icon().isNull() and needs_icon(action):
                unknown.append(action)
            continue
        icons.set(action, name)
    return unknown
