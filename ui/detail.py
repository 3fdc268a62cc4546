"""The detail pane: provenance, full hashes (copy button), EXIF, warnings, notes, and the
item's custody timeline."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QIdentityProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.colours import INFO, colour
from ui.models import TableModel, human_size, kind_of_file, short_time
from ui.tags_ui import ItemExtras
from vault.custody.log import done_by
from vault.evidence.items import Item

# The words shown for a field, where a plainer one exists (docs/user-guide.md#glossary).
SHOWN = {"Type": "Kind of file", "SHA-256": "Fingerprint", "From": "Received from",
         "Original path": "Found at", "Captured": "Taken", "GPS": "Where taken",
         "Warnings": "Problems", "Text": "Searchable text"}


class DetailPane(QWidget):
    note_requested = Signal(str, str)  # ref, text
    open_requested = Signal(str)  # ref

    FIELDS = ("Reference", "Name", "Type", "Size", "SHA-256", "Received", "From",
              "Original path", "Message", "Document", "Camera", "Captured", "GPS", "Pages",
              "Warnings", "Text")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Exhibit details"))
        self.ref = ""
        self.copied = ""  # what Copy last put on the clipboard (cleared at lock)
        form = QFormLayout()
        # A narrow pane puts each label above its value instead of cutting the value off.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form = form
        self.values: dict[str, QLabel | QLineEdit] = {}
        for name in self.FIELDS:
            label: QLabel | QLineEdit
            if name == "SHA-256":  # 64 characters that must not set the pane's width
                label = QLineEdit()
                label.setReadOnly(True)
                label.setFrame(False)
                label.setMinimumWidth(60)  # scrolls inside: the Copy button stays in view
            else:
                label = QLabel()
                label.setTextFormat(Qt.TextFormat.PlainText)  # text from the evidence
                label.setWordWrap(True)
                label.setTextInteractionFlags(label.textInteractionFlags() |
                                              label.textInteractionFlags().TextSelectableByMouse)
            shown = self.tr(SHOWN.get(name, name))
            label.setAccessibleName(shown)
            self.values[name] = label
            if name == "SHA-256":
                row = QHBoxLayout()
                row.addWidget(label, 1)
                self.copy = QPushButton(self.tr("&Copy"))
                self.copy.setAccessibleName(self.tr("Copy the fingerprint"))
                self.copy.setToolTip(self.tr("The file's SHA-256: anyone can compute it again "
                                             "to show the file has not changed"))
                self.copy.clicked.connect(self._copy_hash)
                row.addWidget(self.copy)
                form.addRow(shown + ":", row)
                label.setToolTip(self.copy.toolTip())
            else:
                form.addRow(shown + ":", label)
        self.timeline = TableModel([self.tr("#"), self.tr("Time"), self.tr("Action"),
                                    self.tr("By"), self.tr("Details")])
        # One entry per event, its words wrapped in the pane's width: no sideways scrolling.
        self.timeline_view = QListView()
        self.timeline_lines = TimelineLines(self)
        self.timeline_lines.setSourceModel(self.timeline)
        self.timeline_view.setModel(self.timeline_lines)
        self.timeline_view.setAccessibleName(self.tr("Custody timeline"))
        self.timeline_view.setWordWrap(True)
        self.timeline_view.setAlternatingRowColors(True)
        self.timeline_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.timeline_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.timeline_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.timeline_view.setMinimumHeight(140)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName(self.tr("New note"))
        self.note.setPlaceholderText(self.tr("A note on this exhibit (recorded in the custody "
                                             "log; it cannot be changed later)"))
        self.note.setMaximumHeight(70)
        self.add_note = QPushButton(self.tr("Add &note"))
        self.add_note.setAccessibleName(self.tr("Add the note"))
        self.add_note.clicked.connect(self._add_note)
        self.extras = ItemExtras()  # tags and recognised text (shown by the window)
        self.open = QPushButton(self.tr("&Open"))
        self.open.setAccessibleName(self.tr("Open the exhibit"))
        self.open.setToolTip(self.tr("Read it (Enter in the list does the same)"))
        self.open.clicked.connect(self._open)
        self.empty = QLabel(self.tr(
            "Choose an exhibit in the list to see where it came from, its fingerprint, and "
            "everything done with it since it was received."))
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName(self.tr("No exhibit chosen"))
        self.shown = QWidget()  # everything about the chosen exhibit
        layout = QVBoxLayout(self.shown)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.open)
        top.addStretch(1)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.extras)
        timeline_label = QLabel(self.tr("What has been done with it (custody &timeline):"))
        timeline_label.setBuddy(self.timeline_view)
        timeline_label.setWordWrap(True)
        layout.addWidget(timeline_label)
        layout.addWidget(self.timeline_view, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.add_note)
        outer = QVBoxLayout(self)
        outer.addWidget(self.empty, 1)
        outer.addWidget(self.shown, 1)
        self.clear()

    def show_item(self, item: Item, events: list[dict[str, Any]],
                  text_problems: list[str] | None = None,
                  private: dict[str, dict[str, Any]] | None = None) -> None:
        """``text_problems``: why the item's text could not be read (not searchable);
        ``private``: the vault's private details by commitment (the absolute path)."""
        self.ref = item.ref
        meta = item.metadata or {}
        gps = meta.get("gps") or {}
        camera = " ".join(str(meta.get(k) or "") for k in ("camera_make", "camera_model"))
        values = {
            "Reference": item.ref, "Name": item.name, "Type": _kind(item.mime),
            "Size": f"{human_size(item.size)} ({item.size:,} bytes)", "SHA-256": item.sha256,
            "Received": _received(item, events, self.tr),
            "From": _source(item, events) or self.tr("(not stated)"),
            "Original path": _original_path(item, events, private or {}),
            "Message": _lines(meta.get("email") or {}, (
                ("from", "From"), ("to", "To"), ("cc", "Cc"), ("date", "Date"),
                ("subject", "Subject"), ("message_id", "Message-ID"))) + (
                f"\n{len(meta.get('attachments') or [])} attachment(s), each an exhibit of "
                "its own" if meta.get("attachments") else ""),
            "Document": _lines(meta.get("document") or {}, (
                ("title", "Title"), ("author", "Author"), ("created", "Created"),
                ("modified", "Modified"), ("last modified by", "Last modified by"))),
            "Camera": camera.strip(),
            "Captured": _captured_text(meta),
            "GPS": _gps_text(gps),
            "Pages": str(meta.get("pages", "")) if meta.get("pages") else "",
            "Warnings": "\n".join(item.warnings),
            "Text": "\n".join(text_problems or []),
        }
        for name, text in values.items():
            self.values[name].setText(text)
            # only the fields that have something to say
            self.form.setRowVisible(self.FIELDS.index(name), bool(text))
        self.empty.hide()
        self.shown.show()
        self.values["Received"].setToolTip(item.received)  # the exact time, in UTC
        sha = self.values["SHA-256"]
        if isinstance(sha, QLineEdit):
            sha.setCursorPosition(0)  # show the start of the hash, as the list does
        rows: list[list[str]] = []
        colours: list[QColor | None] = []
        for e in events:
            if e.get("action") == "received from package" and e.get("item") == item.ref:
                # The sender's history first: the investigator's chain, as she signed it.
                for record in (e.get("details") or {}).get("sender_history") or []:
                    se = record.get("event") or {}
                    rows.append([self.tr("sent {seq}").format(seq=se.get("seq", "")),
                                 short_time(str(se.get("time", ""))), str(se.get("action", "")),
                                 self.tr("{name} (in the package, signed by the sender)").format(
                                     name=(se.get("actor") or {}).get("name", "")),
                                 _summary(se)])
                    colours.append(colour(INFO))
            rows.append([str(e["seq"]), short_time(e["time"]), e["action"], done_by(e),
                         _summary(e)])
            colours.append(None)
        self.timeline.set_rows(rows, colours)
        self.add_note.setEnabled(True)
        self.copy.setEnabled(True)
        self.open.setEnabled(True)

    def _open(self) -> None:
        if self.ref:
            self.open_requested.emit(self.ref)

    def clear(self) -> None:
        self.ref = ""
        for label in self.values.values():
            label.setText("")
        self.shown.hide()
        self.empty.show()
        self.timeline.clear()
        self.extras.clear()
        self.note.clear()
        self.add_note.setEnabled(False)
        self.copy.setEnabled(False)
        self.open.setEnabled(False)

    def texts(self) -> list[str]:
        """Everything the pane shows (for the lock test)."""
        return [label.text() for label in self.values.values()] + [self.note.toPlainText()] + \
            self.extras.texts()

    def _copy_hash(self) -> None:
        self.copied = self.values["SHA-256"].text()
        QGuiApplication.clipboard().setText(self.copied)

    def _add_note(self) -> None:
        text = self.note.toPlainText().strip()
        if self.ref and text:
            self.note_requested.emit(self.ref, text)


class TimelineLines(QIdentityProxyModel):
    """The custody timeline as a list a person reads: each event's time, what was done and
    by whom on one line, its details under it."""

    def columnCount(self, parent: Any = None) -> int:
        return 1

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole) and \
                index.isValid():
            source = self.sourceModel()
            row = source.row(index.row()) if isinstance(source, TableModel) else []
            if len(row) >= 5:
                seq, time, action, by, details = row[:5]
                head = f"{time}: {action}" + (f", by {by}" if by else "") + f"  (#{seq})"
                return head + (f"\n{details}" if details else "")
        return super().data(index, role)


def _gps_text(gps: dict[str, Any]) -> str:
    """``53.480759° N, 2.242631° W``: the hemisphere in letters, not a minus sign that a
    reader can miss."""
    lat, lon = gps.get("latitude"), gps.get("longitude")
    if lat is None or lon is None:
        return ""
    lat, lon = float(lat), float(lon)
    return (f"{abs(lat):.6f}° {'N' if lat >= 0 else 'S'}, "
            f"{abs(lon):.6f}° {'E' if lon >= 0 else 'W'}")


def _captured_text(meta: dict[str, Any]) -> str:
    """The camera's own time (EXIF ``2008:10:22 16:29:49``) as a date a person reads, with the
    caution that a camera's clock is only what it was set to."""
    raw = str(meta.get("captured") or meta.get("datetime") or "").strip()
    if not raw:
        return ""
    import datetime as dt

    try:
        t = dt.datetime.strptime(raw[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        shown = raw
    else:
        shown = f"{t.day} {t:%b %Y, %H:%M:%S}"
        if meta.get("offset_time"):
            shown += f" (UTC{meta['offset_time']})"
    return shown + "\nby the camera's clock, which may have been set wrong"


def _summary(event: dict[str, Any]) -> str:
    d = event.get("details") or {}
    for key in ("text", "received_from", "reason", "recipient", "destination", "package_id"):
        if d.get(key):
            return str(d[key])[:200]
    return ""


def _lines(values: dict[str, Any], names: tuple[tuple[str, str], ...]) -> str:
    """``Name: value`` lines of the members present."""
    return "\n".join(f"{shown}: {values[key]}" for key, shown in names if values.get(key))


def _receipt(item: Item, events: list[dict[str, Any]]) -> dict[str, Any]:
    return next((e.get("details") or {} for e in events if e.get("item") == item.ref
                 and e.get("action") == "received from package"), {})


def _original_path(item: Item, events: list[dict[str, Any]],
                   private: dict[str, dict[str, Any]]) -> str:
    """Where it was found: the absolute path this vault keeps to itself when it has it, else
    the path the signed record gives (below the folder that was imported)."""
    for e in events:
        details = e.get("details") or {}
        if e.get("item") != item.ref or not details.get("original_path"):
            continue
        kept = private.get(str(details.get("private_sha256") or ""), {})
        return str(kept.get("original_path") or details["original_path"])
    return ""


def _received(item: Item, events: list[dict[str, Any]], tr: Any) -> str:
    """When it was received here, and first received by the sender (for a package's)."""
    first = ((_receipt(item, events).get("sender_provenance") or {}).get("receipts") or [{}])[0]
    if not first.get("received"):
        return short_time(item.received)
    return str(tr("{here} (here); first received {there} by {who}")).format(
        here=short_time(item.received), there=short_time(str(first["received"])),
        who=(first.get("imported_by") or {}).get("name", tr("the sender")))


def _source(item: Item, events: list[dict[str, Any]]) -> str:
    """Where it came from: for an exhibit received in a package, the original source."""
    receipt = _receipt(item, events)
    receipts = (receipt.get("sender_provenance") or {}).get("receipts") or []
    if receipts:
        original = receipts[0].get("received_from") or "not stated"
        return (f"{original} (the original source, as the sender recorded it; here: "
                f"{item.received_from})")
    return item.received_from


def _kind(mime: str) -> str:
    shown = kind_of_file(mime)
    return shown if shown == mime else f"{shown} ({mime})"
