"""The exhibit list lays out every exhibit, wherever a page happens to end: MuPDF's Story
drew nothing (on that page or the next) when asked to start a piece in the last ~22 points
of a page, so the list silently lost an exhibit's facts or the reason codes."""

from __future__ import annotations

import datetime as dt

import pymupdf

from vault.packages.report import ReportData, build_report

T0 = dt.datetime(2026, 5, 3, 9, 30, tzinfo=dt.UTC)


def exhibit(n: int, events: int) -> dict[str, object]:
    return {"ref": f"MO/{n}", "name": f"letter-{n}.pdf", "mime": "application/pdf",
            "size": 1000 + n, "sha256": f"{n:064x}",
            "receipts": [{"received": "2026-05-03T09:30:02.000000Z", "received_from": "post",
                          "imported_by": {"name": "Mary Okafor"},
                          "original_path": f"/media/usb/letter-{n}.pdf"}],
            "timeline": [{"seq": n * 100 + i, "time": "2026-05-03T09:30:02.000000Z",
                          "action": "imported", "actor": {"name": "Mary Okafor"}}
                         for i in range(events)]}


def test_no_exhibit_is_lost_at_the_foot_of_a_page() -> None:
    for events in range(1, 12):  # shifts where each exhibit starts on the page
        exhibits = [exhibit(n, events + n % 3) for n in range(1, 9)]
        data = ReportData(case="NB-2026-01", signer={"name": "Mary Okafor"},
                          certificate_fingerprint="AA:BB", custody_fingerprint="CC DD",
                          as_of=T0, exhibits=exhibits)
        with pymupdf.open(stream=build_report(data), filetype="pdf") as doc:
            text = " ".join(page.get_text() for page in doc)
        missing = [x["ref"] for x in exhibits if f"{x['ref']}: letter" not in text]
        assert missing == [], (events, missing)
        seqs = [ev["seq"] for x in exhibits for ev in x["timeline"]]  # type: ignore[attr-defined]
        assert [s for s in seqs if f"#{s}" not in text] == [], events


def test_the_pymupdf_lock_is_let_go_between_the_pieces_of_the_list(monkeypatch) -> None:
    """The list of a large package is made while the exhibits are written and the app's
    background readers (the viewer's pages, thumbnails) need PyMuPDF too: it holds the lock
    for one piece of the list at a time, never for the whole list."""
    import threading

    import vault.documents.thumbnails as thumbnails

    real = thumbnails.pdf_lock
    taken: list[int] = []

    class Counting:
        def __enter__(self) -> None:
            real.acquire()
            taken.append(threading.get_ident())

        def __exit__(self, *_exc: object) -> None:
            real.release()

    monkeypatch.setattr(thumbnails, "pdf_lock", Counting())
    exhibits = [exhibit(n, 12) for n in range(1, 61)]  # ~780 rows: several pieces
    data = ReportData(case="NB-2026-01", signer={"name": "Mary Okafor"},
                      certificate_fingerprint="AA:BB", custody_fingerprint="CC DD",
                      as_of=T0, exhibits=exhibits)
    pdf = build_report(data)
    assert len(taken) >= 2 + 780 // 150, len(taken)  # set up, each piece, finish
    assert not real.locked()
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        text = " ".join(page.get_text() for page in doc)
    assert all(f"{x['ref']}: letter" in text for x in exhibits)
