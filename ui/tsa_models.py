"""The tables of the "Trusted timestamps" dialog (docs/timestamps.md): the configured
Time-Stamp Authorities, what is waiting for a timestamp, the timestamps received; in plain
words (what was stamped, times as a person reads them), the technical details in each row's
tooltip, with the colours that flag a large clock difference."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QObject
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView

from ui.colours import BAD, WARNING, colour
from ui.empty_states import HintedTable
from ui.models import TableModel, short_time
from vault.clock import duration
from vault.timestamps import stamping as ts

SKEW_TIP = ("When this timestamp arrived, the service's time and this computer's clock "
            "differed by more than {limit}. The timestamp is kept and its time is the "
            "service's, signed by it; but either this computer's clock (and so the times in "
            "the custody log) or the service's clock is wrong. Check the computer's date and "
            "time.")


def _clock(seconds: float) -> str:
    """This computer's clock against the service's (``seconds``: local minus the service's)."""
    if abs(seconds) < 2:  # the service's time is to the second, and the answer takes time
        return "right"
    return f"{duration(abs(seconds))} {'ahead' if seconds > 0 else 'behind'}"


class _Described(TableModel):
    """A table whose rows name what was stamped in words: "The custody log, events 1 to 14",
    "The signature of the package p.zip" (the kind, subject and SHA-256 in the tooltip)."""

    files: dict[str, str]

    def what(self, kind: str, subject: str) -> str:
        if kind == ts.HEAD_KIND:
            events = subject.split(" ", 1)[0]
            return self.tr("The custody log, events 1 to {n}").format(n=events)
        if kind == ts.SIGNATURE_KIND:
            name = self.files.get(subject)
            return self.tr("The signature of the package {name}").format(name=name) if name \
                else self.tr("The signature of a package")
        return f"{kind} {subject}"


class TsaModel(TableModel):
    """The configured TSAs: name, address, turned on, last answer."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Name"), self.tr("Address"), self.tr("Turned on"),
                          self.tr("Last answer")], parent)
        self.tsas: list[ts.Tsa] = []

    def load(self, tsas: list[ts.Tsa], tokens: list[ts.StoredToken],
             waiting: list[ts.Pending]) -> None:
        self.tsas = tsas
        rows: list[list[str]] = []
        tints: list[QColor | None] = []
        tips: list[str] = []
        for t in tsas:
            got = max((k.local_time for k in tokens if k.tsa == t.name), default="")
            errors = sorted(((p.last_try or "", part) for p in waiting
                             for part in p.last_error.split("; ")
                             if part.startswith(f"{t.name}: ")), reverse=True)
            if errors and errors[0][0] > got:
                last, tint = self.tr("no answer, {when}").format(
                    when=short_time(errors[0][0])), colour(BAD)
                tip = errors[0][1]
            elif got:
                last, tint, tip = self.tr("a timestamp, {when}").format(
                    when=short_time(got)), None, ""
            else:
                last, tint, tip = self.tr("not asked yet"), None, ""
            rows.append([t.name, t.url, self.tr("yes") if t.enabled else self.tr("no"), last])
            tints.append(tint)
            tips.append(tip or "; ".join(t.ca_subjects()))
        self.set_rows(rows, tints, tips)


class QueueModel(_Described):
    """What is waiting for a trusted timestamp, since when, and why."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("What"), self.tr("Waiting since"), self.tr("Why it waits")],
                         parent)
        self.files = {}

    def load(self, waiting: list[ts.Pending], files: dict[str, str]) -> None:
        self.files = files
        self.set_rows([[self.what(p.kind, p.subject), short_time(p.queued), self.why(p)]
                       for p in waiting], [],
                      [self.tr("{kind} {subject}\nSHA-256 sent: {sha}\nQueued {queued} UTC"
                               "{missing}").format(
                          kind=p.kind, subject=p.subject, sha=p.sha256,
                          queued=p.queued[:19].replace("T", " "),
                          missing=self.tr("\nWaiting for: {tsas}").format(
                              tsas=", ".join(p.missing)) if p.missing else "")
                       for p in waiting])

    def why(self, p: ts.Pending) -> str:
        if not p.missing:
            return self.tr("no Time-Stamp Authority is turned on")
        if p.last_error:
            return p.last_error
        return self.tr("not sent yet") if p.last_try is None else self.tr("waiting")


class TokenModel(_Described):
    """The timestamps received: the service's time and this computer's clock against it
    (flagged when far off)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("What"), self.tr("Given by"), self.tr("Trusted time"),
                          self.tr("This computer's clock")], parent)
        self.tokens: list[ts.StoredToken] = []
        self.files = {}

    def load(self, tokens: list[ts.StoredToken], files: dict[str, str]) -> None:
        self.tokens, self.files = tokens, files
        limit = duration(ts.SKEW_WARNING_SECONDS)
        self.set_rows(
            [[self.what(t.kind, t.subject), t.tsa, short_time(t.gen_time),
              _clock(t.skew_seconds) + (self.tr(" (WARNING)") if t.flagged else "")]
             for t in tokens],
            [colour(WARNING) if t.flagged else None for t in tokens],
            ["\n\n".join(part for part in (
                self.tr("{kind} {subject}\nThe service's time: {when} UTC").format(
                    kind=t.kind, subject=t.subject, when=t.gen_time[:19].replace("T", " ")),
                t.warning or "", self.tr(SKEW_TIP).format(limit=limit) if t.flagged else "")
                if part) for t in tokens])


def table_view(model: QAbstractTableModel, name: str, empty: str = "") -> HintedTable:
    """A read-only table of whole rows; ``empty``: what it says while it has none."""
    view = HintedTable()
    view.setModel(model)
    view.set_hint(empty)
    model.modelReset.connect(view.update_hint)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


