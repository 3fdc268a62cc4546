"""The chronology's timeline: one lane per person or body, each fact drawn in the lanes of
those it involves; a fact on a known day is a dot, an uncertain date a bar over its whole
interval (open at an end that is not known: "before", "after"). Key facts are larger and
ringed, disputed ones hollow, so that colour never carries the meaning alone. Filters of the
view apply. The mouse, or the keyboard (Left and Right move between facts, Enter opens the
source), reaches every fact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QScrollArea, QToolTip, QWidget

from vault.chronology.model import DISPUTED, Entity, Fact

OTHER = ""  # the lane of facts that involve nobody of the cast


@dataclass(frozen=True)
class Mark:
    fact: Fact
    lane: int
    rect: QRectF  # where it is drawn (for the mouse)
    span: bool
    open_start: bool = False  # "before": its interval has no known start
    open_end: bool = False  # "after": no known end


def display(e: Entity | None, short: str) -> str:
    if e is None:
        return "Others" if short == OTHER else f"@{short}"
    return f"{e.name} ({e.pseudonym})" if e.pseudonym else e.name


class Timeline(QWidget):
    """The drawing; it sits in a scroll area (:class:`TimelineArea`)."""

    activated = Signal(object)  # the Fact opened (double-click, Enter)

    RADIUS = 5

    @property
    def lane(self) -> int:
        """A lane's height: its name's line with room, at any text size."""
        return max(34, self.fontMetrics().height() + 14)

    @property
    def top(self) -> int:
        """Where the lanes start: under the legend and the years' labels."""
        return 2 * self.fontMetrics().height() + 18

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Timeline"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.facts: list[Fact] = []
        self.people: dict[str, Entity] = {}
        self.lanes: list[str] = []
        self.marks: list[Mark] = []
        self.undated = 0
        self.start = self.end = dt.date(2000, 1, 1)
        self.current = -1  # index into self.dated (the keyboard's fact)
        self.dated: list[Fact] = []
        self.min_width = 600

    # ------------------------------------------------------------------ data
    def set_facts(self, facts: list[Fact], people: dict[str, Entity]) -> None:
        self.facts, self.people = facts, people
        self.dated = [f for f in facts if f.date.interval() != (None, None)]
        self.undated = len(facts) - len(self.dated)
        lanes: dict[str, None] = {}
        for f in self.dated:
            for short in [s for s, _ in f.people] or [OTHER]:
                lanes.setdefault(short, None)
        self.lanes = list(lanes)
        days = [d for f in self.dated for d in f.date.interval() if d is not None]
        if days:
            lo, hi = min(days), max(days)
            self.start = dt.date(lo.year, 1, 1)
            self.end = dt.date(hi.year + 1, 1, 1)
        self.current = min(self.current, len(self.dated) - 1)
        years = self.end.year - self.start.year
        self.min_width = self._label_width() + max(480, 140 * years) + 40
        self.setMinimumSize(self.min_width, self.top + self.lane * max(1, len(self.lanes)) + 40)
        self.updateGeometry()
        self._layout()
        self._describe()
        self.update()

    def clear(self) -> None:
        self.set_facts([], {})

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def _label_width(self) -> int:
        fm = self.fontMetrics()
        names = [display(self.people.get(s), s) for s in self.lanes] or [""]
        return min(260, max(fm.horizontalAdvance(n) for n in names) + 16)

    # ------------------------------------------------------------------ geometry
    def _x(self, day: dt.date, left: float, width: float) -> float:
        total = max(1, (self.end - self.start).days)
        return left + width * (day - self.start).days / total

    def _plot(self) -> tuple[float, float, float]:
        """(left, right, width) of the plotted dates."""
        left, right = self._label_width() + 8, self.width() - 24
        return left, right, max(10.0, right - left)

    def _layout(self) -> None:
        """Where each fact goes, in each lane it involves (for painting and the mouse)."""
        left, right, width = self._plot()
        marks: list[Mark] = []
        for f in self.dated:
            lo, hi = f.date.interval()
            x0 = self._x(lo, left, width) if lo else left
            x1 = self._x(hi + dt.timedelta(days=1), left, width) if hi else right
            r = self.RADIUS + (2 if f.key else 0)
            for short in [s for s, _ in f.people] or [OTHER]:
                lane = self.lanes.index(short)
                cy = self.top + lane * self.lane + self.lane / 2
                if lo != hi:
                    rect = QRectF(x0, cy - r, max(x1 - x0, 2 * r), 2 * r)
                else:
                    rect = QRectF(x0 - r, cy - r, 2 * r, 2 * r)
                marks.append(Mark(f, lane, rect, lo != hi, lo is None, hi is None))
        # bars first, dots over them
        self.marks = sorted(marks, key=lambda m: not m.span)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout()

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text, mid = pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Mid)
        accent = pal.color(QPalette.ColorRole.Highlight)
        fm = self.fontMetrics()
        labels = self._label_width()
        left, _right, width = self._plot()
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        p.setPen(text)
        legend = self.tr("● on a known day    ▬ over its uncertain dates    ◉ key fact    "
                         "○ disputed")
        p.drawText(QRectF(8, 4, self.width() - 16, fm.height() + 2),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, legend)
        if not self.dated:
            p.drawText(QRectF(8, self.top, self.width() - 16, 60), Qt.AlignmentFlag.AlignLeft,
                       self.tr("No dated facts to draw.") if not self.facts else
                       self.tr("None of these facts has a date yet."))
            return
        axis_y = self.top - 6
        p.setPen(QPen(mid, 1))
        for year in range(self.start.year, self.end.year + 1):
            x = self._x(dt.date(year, 1, 1), left, width)
            p.drawLine(QPointF(x, axis_y), QPointF(x, self.top + self.lane * len(self.lanes)))
            if year < self.end.year:
                p.setPen(text)
                p.drawText(QPointF(x + 3, axis_y - 3), str(year))
                p.setPen(QPen(mid, 1))
        for i, short in enumerate(self.lanes):
            y = self.top + i * self.lane
            if i % 2:
                p.fillRect(QRectF(0, y, self.width(), self.lane),
                           pal.color(QPalette.ColorRole.AlternateBase))
            p.setPen(text)
            name = fm.elidedText(display(self.people.get(short), short),
                                 Qt.TextElideMode.ElideRight, labels - 12)
            p.drawText(QRectF(8, y, labels - 8, self.lane),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
        for m in self.marks:
            self._draw(p, m, accent, text)
        if self.current >= 0:
            fact = self.dated[self.current]
            p.setPen(QPen(accent, 2, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            for m in self.marks:
                if m.fact is fact:
                    p.drawRect(m.rect.adjusted(-4, -4, 4, 4))
        bottom = self.top + self.lane * len(self.lanes) + 6
        if self.undated:
            p.setPen(text)
            p.drawText(QRectF(8, bottom, self.width() - 16, fm.height() + 4),
                       Qt.AlignmentFlag.AlignLeft,
                       self.tr("{n} undated facts are not drawn: they are in the Facts "
                               "tab.").format(n=self.undated))

    def _draw(self, p: QPainter, m: Mark, accent: QColor, text: QColor) -> None:
        f, rect = m.fact, m.rect
        disputed = f.status in DISPUTED
        r = rect.height() / 2
        cy = rect.center().y()
        if m.span:
            fill = QColor(accent)
            fill.setAlpha(90)
            p.setPen(QPen(accent, 1.5, Qt.PenStyle.DashLine if disputed else
                          Qt.PenStyle.SolidLine))
            p.setBrush(Qt.BrushStyle.NoBrush if disputed else fill)
            p.drawRoundedRect(rect, r, r)
            p.setPen(QPen(text, 1.5))
            if m.open_start:  # "before": an arrow at the start
                x = rect.left()
                p.drawLine(QPointF(x, cy), QPointF(x + 8, cy - 5))
                p.drawLine(QPointF(x, cy), QPointF(x + 8, cy + 5))
            if m.open_end:  # "after": an arrow at the end
                x = rect.right()
                p.drawLine(QPointF(x, cy), QPointF(x - 8, cy - 5))
                p.drawLine(QPointF(x, cy), QPointF(x - 8, cy + 5))
        else:
            p.setPen(QPen(accent, 2))
            p.setBrush(Qt.BrushStyle.NoBrush if disputed else accent)
            p.drawEllipse(rect)
        if f.key:
            p.setPen(QPen(text, 1.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            if m.span:
                p.drawRoundedRect(rect.adjusted(-3, -3, 3, 3), r + 3, r + 3)
            else:
                p.drawEllipse(rect.adjusted(-3, -3, 3, 3))

    # ------------------------------------------------------------------ the mouse
    def fact_at(self, pos: QPointF) -> Fact | None:
        for m in reversed(self.marks):  # dots are drawn over the bars they sit on
            if m.rect.adjusted(-3, -3, 3, 3).contains(pos):
                return m.fact
        return None

    def tip(self, f: Fact) -> str:
        names = {s: display(self.people.get(s), s) for s, _ in f.people}
        text = f.text
        for short, name in names.items():
            text = text.replace(f"@{short}", name)
        status = "" if f.status == "undisputed" else f" [{f.status}]"
        sources = "; ".join(c.where() for c in f.citations) or self.tr("no citation")
        return f"{f.number}. {f.date.show()}: {text}{status} ({sources})"

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        f = self.fact_at(event.position())
        if f is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.tip(f), self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        f = self.fact_at(event.position())
        if f is not None:
            self.current = self.dated.index(f)
            self._describe()
            self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        f = self.fact_at(event.position())
        if f is not None:
            self.activated.emit(f)

    # ------------------------------------------------------------------ the keyboard
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if not self.dated:
            super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.current = min(len(self.dated) - 1, self.current + 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.current = max(0, self.current - 1)
        elif key == Qt.Key.Key_Home:
            self.current = 0
        elif key == Qt.Key.Key_End:
            self.current = len(self.dated) - 1
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current >= 0:
            self.activated.emit(self.dated[self.current])
            return
        else:
            super().keyPressEvent(event)
            return
        self._describe()
        self.update()
        self._show_current()

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self.current < 0 and self.dated:
            self.current = 0
            self._describe()
            self.update()
        super().focusInEvent(event)

    def _show_current(self) -> None:
        parent = self.parentWidget()
        area = parent.parentWidget() if parent is not None else None
        if isinstance(area, QScrollArea) and 0 <= self.current < len(self.dated):
            for m in self.marks:
                if m.fact is self.dated[self.current]:
                    c = m.rect.center()
                    area.ensureVisible(int(c.x()), int(c.y()), 80, 40)
                    break

    def _describe(self) -> None:
        """What a screen reader says: the lanes, and the fact the keyboard is on."""
        if 0 <= self.current < len(self.dated):
            self.setAccessibleDescription(self.tip(self.dated[self.current]))
        else:
            self.setAccessibleDescription(self.tr("{n} dated facts in {lanes} lanes").format(
                n=len(self.dated), lanes=len(self.lanes)))


class TimelineArea(QScrollArea):
    """The timeline, scrolling when it is larger than the room it has."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline = Timeline()
        self.setWidget(self.timeline)
        self.setWidgetResizable(True)
        self.setAccessibleName(self.tr("Timeline"))
