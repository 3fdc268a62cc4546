"""The tables of the "Trusted timestamps" dialog (docs/timestamps.md): the configured
Time-Stamp Authorities, what is waiting for a timestamp, the tokens received; with the colours
that flag a large clock difference."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QObject
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ui.colours import BAD, WARNING, colour
from ui.models import TableModel
from vault.clock import duration
from vault.timestamps import stamping as ts

SKEW_TIP = ("When this token arrived, the TSA's time and this computer's clock differed by "
            "more than {limit}. The token is kept and its time is the TSA's, signed by it; "
            "but either this computer's clock (and so the times in the custody log) or the "
            "TSA's clock is wrong. Check the computer's date and time.")


def _skew(seconds: float) -> str:
    return ("+" if seconds >= 0 else "−") + duration(abs(seconds))


class TsaModel(TableModel):
    """The configured TSAs: name, URL, enabled, last answer."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Name"), self.tr("URL"), self.tr("Enabled"),
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
                last, tint = self.tr("no answer at {when}").format(
                    when=errors[0][0][:19].replace("T", " ")), colour(BAD)
                tip = errors[0][1]
            elif got:
                last, tint, tip = self.tr("token at {when}").format(
                    when=got[:19].replace("T", " ")), None, ""
            else:
                last, tint, tip = self.tr("not asked yet"), None, ""
            rows.append([t.name, t.url, self.tr("yes") if t.enabled else self.tr("no"), last])
            tints.append(tint)
            tips.append(tip or "; ".join(t.ca_subjects()))
        self.set_rows(rows, tints, tips)


class QueueModel(TableModel):
    """What is waiting for a trusted timestamp."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("What"), self.tr("Subject"), self.tr("Queued"),
                          self.tr("Last error")], parent)

    def load(self, waiting: list[ts.Pending]) -> None:
        self.set_rows([[p.kind, p.subject, p.queued[:19].replace("T", " "),
                    p.last_error or p.reason] for p in waiting], [],
                  [self.tr("Waiting for: {tsas}").format(tsas=", ".join(p.missing))
                   if p.missing else p.reason for p in waiting])


class TokenModel(TableModel):
    """The tokens received: the TSA's time and the clock difference (flagged when large)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("What"), self.tr("Subject"), self.tr("TSA"),
                          self.tr("TSA time"), self.tr("Clock difference")], parent)
        self.tokens: list[ts.StoredToken] = []

    def load(self, tokens: list[ts.StoredToken]) -> None:
        self.tokens = tokens
        limit = _skew(ts.SKEW_WARNING_SECONDS).lstrip("+")
        self.set_rows([[t.kind, t.subject, t.tsa, t.gen_time[:19].replace("T", " ") + " UTC",
                    _skew(t.skew_seconds) + (self.tr(" (WARNING)") if t.flagged else "")]
                   for t in tokens],
                  [colour(WARNING) if t.flagged else None for t in tokens],
                  [f"{t.warning}\n\n{self.tr(SKEW_TIP).format(limit=limit)}" if t.flagged
                   else "" for t in tokens])


def table_view(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


