# SPDX-License-Identifier: AGPL-3.0-or-later
"""Generate the fictional sample evidence in this directory.

Everything produced here is invented: the borough of "Northbridge", its
council, its constabulary, every person, business, address and number.
The output is deterministic, so running the script twice yields
byte-identical files.

Usage::

    python resources/samples/make_samples.py
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw, ImageFont
from PIL.TiffImagePlugin import IFDRational

OUT_DIR = Path(__file__).resolve().parent

# --- PDF layout constants (A4, points) -------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0  # A4 in points
MARGIN_X = 64.0
MARGIN_TOP = 64.0
MARGIN_BOTTOM = 72.0
BODY_FONT = "helv"
BOLD_FONT = "hebo"
BODY_SIZE = 10.5
LEADING = 1.4
CREATOR = "Evidence Vault make_samples.py"

# --- EXIF tag numbers -------------------------------------------------------

TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_ORIENTATION = 0x0112
TAG_DATETIME = 0x0132
TAG_EXIF_IFD = 0x8769
TAG_GPS_IFD = 0x8825
TAG_DATETIME_ORIGINAL = 0x9003
GPS_VERSION_ID = 0x0000
GPS_LATITUDE_REF = 0x0001
GPS_LATITUDE = 0x0002
GPS_LONGITUDE_REF = 0x0003
GPS_LONGITUDE = 0x0004

JPEG_QUALITY = 85
PHOTO_SIZE = (640, 480)

RGB = tuple[int, int, int]


# =============================================================================
# PDF helpers
# =============================================================================


class PdfWriter:
    """Minimal flowing-text writer on top of PyMuPDF base-14 fonts."""

    def __init__(self, doc: pymupdf.Document, footer: str) -> None:
        self.doc = doc
        self.footer = footer
        self.page: pymupdf.Page = self._new_page()
        self.y = MARGIN_TOP

    @property
    def text_width(self) -> float:
        return PAGE_WIDTH - 2 * MARGIN_X

    def _new_page(self) -> pymupdf.Page:
        page = self.doc.new_page(width=PAGE_WIDTH, height=PAGE_HEIGHT)
        self.y = MARGIN_TOP
        return page

    def ensure_space(self, height: float) -> None:
        if self.y + height > PAGE_HEIGHT - MARGIN_BOTTOM:
            self.page = self._new_page()

    def space(self, points: float) -> None:
        self.y += points

    def line(
        self,
        text: str,
        *,
        size: float = BODY_SIZE,
        bold: bool = False,
        indent: float = 0.0,
        align_right: bool = False,
    ) -> None:
        font = BOLD_FONT if bold else BODY_FONT
        height = size * LEADING
        self.ensure_space(height)
        x = MARGIN_X + indent
        if align_right:
            width = text_length(text, fontname=font, fontsize=size)
            x = PAGE_WIDTH - MARGIN_X - width
        self.page.insert_text((x, self.y + size), text, fontname=font, fontsize=size)
        self.y += height

    def paragraph(
        self,
        text: str,
        *,
        size: float = BODY_SIZE,
        bold: bool = False,
        indent: float = 0.0,
        after: float = 6.0,
    ) -> None:
        font = BOLD_FONT if bold else BODY_FONT
        for wrapped in wrap_text(text, font, size, self.text_width - indent):
            self.line(wrapped, size=size, bold=bold, indent=indent)
        self.y += after

    def heading(self, text: str, *, size: float = 12.0) -> None:
        self.ensure_space(size * LEADING * 3)
        self.space(4.0)
        self.line(text, size=size, bold=True)
        self.space(2.0)

    def rule(self) -> None:
        self.ensure_space(8.0)
        y = self.y + 3.0
        self.page.draw_line(
            (MARGIN_X, y),
            (PAGE_WIDTH - MARGIN_X, y),
            color=(0.4, 0.4, 0.4),
            width=0.6,
        )
        self.y += 8.0

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        col_widths: Sequence[float],
        *,
        size: float = 9.5,
    ) -> None:
        row_height = size * 2.0
        self.ensure_space(row_height * (len(rows) + 1))
        self._table_row(header, col_widths, size, bold=True, shade=True)
        for row in rows:
            self._table_row(row, col_widths, size, bold=False, shade=False)
        self.y += 8.0

    def _table_row(
        self,
        cells: Sequence[str],
        col_widths: Sequence[float],
        size: float,
        *,
        bold: bool,
        shade: bool,
    ) -> None:
        row_height = size * 2.0
        font = BOLD_FONT if bold else BODY_FONT
        x = MARGIN_X
        for cell, width in zip(cells, col_widths, strict=True):
            rect = (x, self.y, x + width, self.y + row_height)
            fill = (0.88, 0.88, 0.88) if shade else None
            self.page.draw_rect(rect, color=(0.3, 0.3, 0.3), fill=fill, width=0.5)
            self.page.insert_text(
                (x + 5.0, self.y + size * 1.35), cell, fontname=font, fontsize=size
            )
            x += width
        self.y += row_height

    def finish(self) -> None:
        total = self.doc.page_count
        for index in range(total):
            page = self.doc[index]
            number = index + 1
            label = f"{self.footer}  -  Page {number} of {total}"
            width = text_length(label, fontname=BODY_FONT, fontsize=8)
            page.insert_text(
                ((PAGE_WIDTH - width) / 2, PAGE_HEIGHT - 40),
                label,
                fontname=BODY_FONT,
                fontsize=8,
                color=(0.35, 0.35, 0.35),
            )


def text_length(text: str, fontname: str, fontsize: float) -> float:
    """Width of ``text`` in points for a base-14 font."""
    return float(pymupdf.get_text_length(text, fontname=fontname, fontsize=fontsize))


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap using base-14 font metrics."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_length(candidate, fontname=font, fontsize=size) <= width:
            current = candidate
        else:
            if current:
                lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class PdfMeta:
    title: str
    author: str
    subject: str
    keywords: str
    date: str  # PDF date string, e.g. "D:20140313090000Z"


def new_document() -> pymupdf.Document:
    return pymupdf.open()  # type: ignore[no-untyped-call]


def save_pdf(doc: pymupdf.Document, meta: PdfMeta, path: Path) -> None:
    doc.set_metadata(
        {
            "title": meta.title,
            "author": meta.author,
            "subject": meta.subject,
            "keywords": meta.keywords,
            "creator": CREATOR,
            "producer": CREATOR,
            "creationDate": meta.date,
            "modDate": meta.date,
        }
    )
    doc.save(path, garbage=4, deflate=True, clean=True, no_new_id=True)  # type: ignore[no-untyped-call]
    doc.close()  # type: ignore[no-untyped-call]


def letterhead(w: PdfWriter, organisation: str, lines: Sequence[str]) -> None:
    w.line(organisation, size=16, bold=True)
    for text in lines:
        w.line(text, size=9)
    w.rule()


def sign_off(w: PdfWriter, name: str, roles: Sequence[str], *, gap: float = 30.0) -> None:
    """Write "Yours sincerely" and the signature block on the same page."""
    w.ensure_space(gap + BODY_SIZE * LEADING * (2 + len(roles)))
    w.paragraph("Yours sincerely,", after=gap)
    w.line(name)
    for role in roles:
        w.line(role, size=9.5)


# =============================================================================
# Document 1: council committee minutes
# =============================================================================

MINUTES_ITEMS: list[tuple[str, list[str]]] = [
    (
        "1. Apologies for Absence",
        [
            "Apologies for absence were received from Councillor Bartholomew "
            "Quillfeather and Councillor Odessa Marchpane.",
        ],
    ),
    (
        "2. Declarations of Interest",
        [
            "Councillor Thaddeus Wrenfield declared a non-pecuniary interest in "
            "item 6 as a governor of Ashcombe Lane Primary School. No other "
            "declarations were made.",
        ],
    ),
    (
        "3. Minutes of the Previous Meeting",
        [
            "RESOLVED: That the minutes of the meeting held on 15 January 2014 "
            "be approved as a correct record and signed by the Chair.",
        ],
    ),
    (
        "4. Placement Sufficiency for Looked After Children",
        [
            "The Committee considered a report of the Head of Corporate "
            "Parenting, Mr Leopold Fennimore, on the availability of local "
            "foster placements. Members were informed that 41 children were "
            "placed outside the borough at the end of the third quarter, an "
            "increase of six on the previous quarter.",
            "In response to a question from Councillor Wrenfield, Mr Fennimore "
            "explained that a recruitment campaign for foster carers would be "
            "launched in April and that progress would be reported to the "
            "Committee in the autumn.",
            "RESOLVED: That the report be noted and that a further update be "
            "brought to the September meeting.",
        ],
    ),
    (
        "5. Youth Outreach Service - Quarterly Report",
        [
            "The Committee received the quarterly report of the Youth Outreach "
            "Coordinator, Ms Imogen Halliwick. The report set out attendance at "
            "the three youth centres and the detached youth work carried out in "
            "the Wharf Road and Canal Basin areas.",
            "Ms Halliwick drew Members' attention to section 4 of the report, "
            "which recorded concerns raised by outreach workers and by two "
            "parents about the possible exploitation of young people at the "
            "Crescent Grill takeaway, 14 Wharf Road. Workers had observed girls "
            "aged approximately 13 to 15 being given free food, lifts in cars "
            "and mobile telephones by adult men associated with the premises, "
            "often late in the evening. The report stated that the information "
            "had been passed to the Northbridge Constabulary and to the "
            "Children's Services duty team.",
            "Councillor Rowena Tallowby asked whether any action had been taken "
            "in response. The Director of Children's Services, Mrs Philippa "
            "Ormerod-Vance, advised that the matter was an operational one for "
            "the police and that it would not be appropriate for the Committee "
            "to discuss individual cases.",
            "Councillor Tallowby requested that a further report on the "
            "concerns be brought to the Committee. The Chair indicated that this "
            "was not necessary at this stage.",
            "RESOLVED: That the report be noted.",
            "[No action was recorded against this item.]",
        ],
    ),
    (
        "6. Home to School Transport Policy 2014/15",
        [
            "The Committee considered the draft Home to School Transport Policy "
            "for the 2014/15 academic year. The principal change was the "
            "withdrawal of discretionary transport for pupils living within "
            "three miles of their nearest suitable school.",
            "RESOLVED: That the draft policy be recommended to Cabinet for "
            "approval, subject to a consultation period of six weeks.",
        ],
    ),
    (
        "7. Children's Services Budget Monitoring - Period 10",
        [
            "The Committee received the budget monitoring report for period 10. "
            "A projected overspend of 1.2 million pounds was reported, mainly "
            "attributable to external residential placements.",
            "RESOLVED: That the report be noted.",
        ],
    ),
    (
        "8. Any Other Business",
        ["There was no other business."],
    ),
    (
        "9. Date of Next Meeting",
        [
            "The next meeting of the Committee will be held on Wednesday "
            "14 May 2014 at 6.30 pm in Committee Room 2, Northbridge Civic "
            "Centre.",
        ],
    ),
]


def make_council_minutes(path: Path) -> None:
    doc = new_document()
    w = PdfWriter(doc, "Northbridge Borough Council - Children's Services Committee")
    letterhead(
        w,
        "Northbridge Borough Council",
        ["Democratic Services, Civic Centre, Market Parade, Northbridge NB1 1AA"],
    )
    w.line("Children's Services Committee", size=14, bold=True)
    w.line("MINUTES", size=12, bold=True)
    w.space(4.0)
    w.paragraph(
        "Minutes of the meeting of the Children's Services Committee held on "
        "Wednesday 12 March 2014 at 6.30 pm in Committee Room 2, Northbridge "
        "Civic Centre."
    )
    w.paragraph(
        "PRESENT: Councillor Hester Quimbleton (Chair); Councillors Thaddeus "
        "Wrenfield, Rowena Tallowby, Cuthbert Ambry-Nolan, Jocasta Pellingham "
        "and Ezra Dunwiddie."
    )
    w.paragraph(
        "OFFICERS: Mrs Philippa Ormerod-Vance (Director of Children's "
        "Services), Mr Leopold Fennimore (Head of Corporate Parenting), "
        "Ms Imogen Halliwick (Youth Outreach Coordinator), Mr Silas Grebe "
        "(Finance Business Partner) and Miss Tamsin Oakhurst (Democratic "
        "Services Officer)."
    )
    for title, paragraphs in MINUTES_ITEMS:
        w.heading(title, size=11)
        for text in paragraphs:
            w.paragraph(text)
    w.space(10.0)
    w.paragraph("The meeting closed at 8.05 pm.")
    w.space(16.0)
    w.line("Signed: ................................................  (Chair)")
    w.line("Date:   ................................................")
    w.finish()
    save_pdf(
        doc,
        PdfMeta(
            title="Children's Services Committee - Minutes - 12 March 2014",
            author="Northbridge Borough Council, Democratic Services",
            subject="Minutes of the Children's Services Committee meeting "
            "of 12 March 2014 (fictional sample)",
            keywords="Northbridge, minutes, children's services, fictional",
            date="D:20140313091500Z",
        ),
        path,
    )


# =============================================================================
# Document 2: police letter
# =============================================================================


def make_police_letter(path: Path) -> None:
    doc = new_document()
    w = PdfWriter(doc, "Northbridge Constabulary - OFFICIAL")
    letterhead(
        w,
        "Northbridge Constabulary",
        [
            "Public Protection Unit, Harbour Street Police Station, Northbridge NB2 3PQ",
            "Telephone 0000 000 0000 (fictional)",
        ],
    )
    w.line("Our ref: NC/PPU/15/0447", size=9.5, align_right=True)
    w.line("1 June 2015", size=9.5, align_right=True)
    w.space(6.0)
    for text in (
        "Mrs Dolores Pennyworth-Hale",
        "22 Larkspur Close",
        "Northbridge",
        "NB4 7QX",
    ):
        w.line(text)
    w.space(14.0)
    w.paragraph("Dear Mrs Pennyworth-Hale,")
    w.paragraph(
        "Re: Information provided on 18 April 2015 concerning your daughter",
        bold=True,
    )
    body = [
        "Thank you for your letter of 18 April 2015 and for attending Harbour "
        "Street Police Station on 22 April 2015 to speak with officers from "
        "this unit. I write to acknowledge receipt of the information you "
        "provided regarding your concerns about your daughter and the adults "
        "she has been associating with in the Wharf Road area.",
        "The information you supplied, including the handwritten notes and "
        "the list of vehicle registration numbers, has been recorded on our "
        "systems and reviewed by a supervising officer.",
        "Having carefully considered all of the information currently "
        "available, I have to inform you that no offences have been "
        "identified that would justify a criminal investigation at this time. "
        "Your daughter has not made any disclosure to officers and has "
        "indicated that she attends the premises voluntarily. Accordingly, no "
        "further action will be taken by Northbridge Constabulary in relation "
        "to this matter.",
        "The information will be retained in accordance with our records "
        "management policy. Should you obtain any new information, or should "
        "your daughter wish to speak to an officer, please contact the Public "
        "Protection Unit quoting the reference above. In an emergency, always "
        "dial 999.",
        "I am sorry that this is not the outcome you were hoping for.",
    ]
    for text in body:
        w.paragraph(text)
    w.space(4.0)
    sign_off(
        w,
        "DS Alistair Crumbleworth",
        ["Detective Sergeant, Public Protection Unit", "Northbridge Constabulary"],
    )
    w.finish()
    save_pdf(
        doc,
        PdfMeta(
            title="Letter NC/PPU/15/0447 - No Further Action",
            author="Northbridge Constabulary, Public Protection Unit",
            subject="Acknowledgement of information and decision to take no "
            "further action (fictional sample)",
            keywords="Northbridge, police, NFA, fictional",
            date="D:20150601103000Z",
        ),
        path,
    )


# =============================================================================
# Document 3: FOI reply
# =============================================================================

FOI_TABLE_HEADER = (
    "Year",
    "Referrals received",
    "CSE identified as a risk",
    "Strategy meetings",
)
FOI_TABLE_ROWS = (
    ("2012", "2,314", "9", "4"),
    ("2013", "2,401", "14", "6"),
    ("2014", "2,388", "17", "7"),
    ("2015", "2,520", "31", "19"),
    ("2016", "2,617", "48", "33"),
    ("2017", "2,702", "52", "41"),
    ("2018", "2,655", "44", "38"),
    ("2019", "2,731", "39", "35"),
    ("2020", "2,290", "27", "24"),
    ("2021", "2,812", "36", "31"),
    ("2022", "2,864", "33", "30"),
)


def make_foi_reply(path: Path) -> None:
    doc = new_document()
    w = PdfWriter(doc, "Northbridge Borough Council - FOI 2023/1182")
    letterhead(
        w,
        "Northbridge Borough Council",
        [
            "Information Governance Team, Civic Centre, Market Parade, Northbridge NB1 1AA",
            "foi@northbridge.example",
        ],
    )
    w.line("Our ref: FOI 2023/1182", size=9.5, align_right=True)
    w.line("18 September 2023", size=9.5, align_right=True)
    w.space(6.0)
    w.line("Mr Fergus Applethwaite")
    w.line("By email only")
    w.space(12.0)
    w.paragraph("Dear Mr Applethwaite,")
    w.paragraph("Freedom of Information Act 2000 - Request FOI 2023/1182", bold=True)
    w.paragraph("Thank you for your request for information received on 21 August 2023. You asked:")
    w.paragraph(
        '"For each calendar year from 2012 to 2022, please provide (a) the '
        "total number of referrals received by Children's Social Care, (b) the "
        "number of those referrals in which child sexual exploitation (CSE) "
        "was identified as a risk factor, and (c) the number of strategy "
        'meetings held in respect of those CSE referrals."',
        indent=18.0,
    )
    w.paragraph(
        "I can confirm that the Council holds the information you requested. "
        "It is set out in the table below."
    )
    w.table(FOI_TABLE_HEADER, FOI_TABLE_ROWS, (70.0, 130.0, 140.0, 110.0))
    w.paragraph("Notes:", bold=True, after=2.0)
    for note in (
        "1. Figures are taken from the Council's case management system as at "
        "31 August 2023 and may differ slightly from previously published "
        "statistics owing to data cleansing.",
        "2. CSE was not recorded as a distinct risk factor before July 2013; "
        "figures for 2012 and the first half of 2013 were identified by a "
        "manual review and may be incomplete.",
        "3. A referral may relate to more than one child, and a child may be "
        "the subject of more than one referral in a year.",
    ):
        w.paragraph(note, size=9.5, indent=12.0, after=3.0)
    w.space(6.0)
    w.paragraph(
        "If you are dissatisfied with the handling of your request, you may ask "
        "for an internal review by writing to the Information Governance Team "
        "within 40 working days of the date of this letter. If you remain "
        "dissatisfied following the internal review, you may complain to the "
        "Information Commissioner's Office."
    )
    sign_off(
        w,
        "Beatrix Holloway-Strand",
        ["Information Governance Officer", "Northbridge Borough Council"],
    )
    w.finish()
    save_pdf(
        doc,
        PdfMeta(
            title="FOI 2023/1182 - Response",
            author="Northbridge Borough Council, Information Governance Team",
            subject="Freedom of Information response: referrals and CSE "
            "2012-2022 (fictional sample)",
            keywords="Northbridge, FOI, referrals, CSE, fictional",
            date="D:20230918143000Z",
        ),
        path,
    )


# =============================================================================
# Photos
# =============================================================================


@dataclass(frozen=True)
class PhotoMeta:
    make: str
    model: str
    taken: str  # EXIF format "YYYY:MM:DD HH:MM:SS"
    latitude: float  # decimal degrees, north positive
    longitude: float  # decimal degrees, east positive


def photo_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def to_dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Convert decimal degrees to EXIF degrees/minutes/seconds rationals."""
    value = abs(value)
    degrees = int(value)
    minutes_full = (value - degrees) * 60
    minutes = int(minutes_full)
    hundredths = round((minutes_full - minutes) * 60 * 100)
    return (
        IFDRational(degrees, 1),
        IFDRational(minutes, 1),
        IFDRational(hundredths, 100),
    )


def build_exif(meta: PhotoMeta) -> Image.Exif:
    exif = Image.Exif()
    exif[TAG_MAKE] = meta.make
    exif[TAG_MODEL] = meta.model
    exif[TAG_ORIENTATION] = 1
    exif[TAG_DATETIME] = meta.taken
    exif_ifd = exif.get_ifd(TAG_EXIF_IFD)
    exif_ifd[TAG_DATETIME_ORIGINAL] = meta.taken
    gps_ifd = exif.get_ifd(TAG_GPS_IFD)
    gps_ifd[GPS_VERSION_ID] = b"\x02\x03\x00\x00"
    gps_ifd[GPS_LATITUDE_REF] = "N" if meta.latitude >= 0 else "S"
    gps_ifd[GPS_LATITUDE] = to_dms(meta.latitude)
    gps_ifd[GPS_LONGITUDE_REF] = "E" if meta.longitude >= 0 else "W"
    gps_ifd[GPS_LONGITUDE] = to_dms(meta.longitude)
    return exif


def save_photo(image: Image.Image, meta: PhotoMeta, path: Path) -> None:
    image.save(
        path,
        format="JPEG",
        quality=JPEG_QUALITY,
        subsampling=2,
        exif=build_exif(meta),
    )


def draw_night_sky(draw: ImageDraw.ImageDraw, top: RGB, bottom: RGB) -> None:
    width, height = PHOTO_SIZE
    for y in range(height):
        t = y / (height - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)


def draw_takeaway_exterior() -> Image.Image:
    image = Image.new("RGB", PHOTO_SIZE)
    draw = ImageDraw.Draw(image)
    draw_night_sky(draw, (10, 14, 40), (40, 40, 70))
    # Terrace building.
    draw.rectangle((40, 90, 600, 420), fill=(88, 62, 52))
    for x in (90, 250, 410):
        draw.rectangle((x, 120, x + 100, 190), fill=(30, 30, 45), outline=(60, 50, 45))
    draw.polygon([(30, 90), (320, 40), (610, 90)], fill=(55, 45, 45))
    # Illuminated sign.
    draw.rectangle((60, 215, 580, 265), fill=(200, 30, 30), outline=(250, 220, 80), width=3)
    draw.text((320, 240), "CRESCENT GRILL", fill=(255, 235, 120), font=photo_font(30), anchor="mm")
    # Shop window and door.
    draw.rectangle((70, 280, 400, 410), fill=(250, 225, 150), outline=(40, 40, 40), width=4)
    draw.rectangle((90, 350, 380, 365), fill=(170, 120, 60))
    draw.text(
        (235, 310), "KEBABS  PIZZA  CHIPS", fill=(120, 30, 20), font=photo_font(18), anchor="mm"
    )
    draw.rectangle((430, 280, 520, 410), fill=(60, 70, 80), outline=(30, 30, 30), width=4)
    draw.text((545, 300), "14", fill=(230, 230, 230), font=photo_font(20), anchor="mm")
    # Pavement and a parked car.
    draw.rectangle((0, 420, 640, 480), fill=(70, 70, 75))
    draw.rounded_rectangle((380, 385, 600, 455), radius=18, fill=(25, 25, 30))
    for cx in (420, 560):
        draw.ellipse((cx - 20, 435, cx + 20, 475), fill=(10, 10, 10))
    draw.ellipse((585, 400, 600, 412), fill=(255, 250, 200))
    return image


def draw_bus_shelter() -> Image.Image:
    image = Image.new("RGB", PHOTO_SIZE)
    draw = ImageDraw.Draw(image)
    draw_night_sky(draw, (5, 8, 25), (30, 30, 50))
    # Street light with a glow.
    draw.rectangle((548, 60, 556, 400), fill=(80, 80, 85))
    draw.ellipse((480, 20, 620, 140), fill=(70, 65, 40))
    draw.ellipse((525, 50, 575, 80), fill=(255, 210, 120))
    # Road and kerb.
    draw.rectangle((0, 400, 640, 480), fill=(45, 45, 50))
    draw.rectangle((0, 395, 640, 405), fill=(120, 120, 120))
    # Shelter frame and glass.
    draw.rectangle((80, 150, 460, 160), fill=(30, 90, 60))
    for x in (80, 200, 330, 450):
        draw.rectangle((x, 160, x + 10, 395), fill=(30, 90, 60))
    draw.rectangle((90, 160, 450, 380), outline=(130, 160, 170), width=2)
    draw.rectangle((210, 200, 320, 330), fill=(235, 235, 220), outline=(20, 20, 20), width=3)
    draw.text((265, 220), "TIMETABLE", fill=(20, 20, 20), font=photo_font(14), anchor="mm")
    for row in range(6):
        y = 240 + row * 14
        draw.line([(222, y), (308, y)], fill=(110, 110, 110), width=2)
    # Bench and a flag sign.
    draw.rectangle((100, 330, 190, 342), fill=(150, 120, 70))
    draw.rectangle((470, 120, 530, 175), fill=(230, 40, 40))
    draw.text((500, 147), "BUS", fill=(255, 255, 255), font=photo_font(20), anchor="mm")
    draw.rectangle((497, 175, 503, 395), fill=(150, 150, 150))
    draw.text(
        (270, 430), "STOP NB114  WHARF ROAD", fill=(230, 230, 120), font=photo_font(22), anchor="mm"
    )
    return image


NOTICES: list[tuple[tuple[int, int, int, int], RGB, str]] = [
    ((70, 80, 250, 210), (255, 250, 230), "YOUTH CLUB\nThurs 7-9pm"),
    ((280, 70, 460, 190), (255, 240, 120), "LOST CAT\nsee Flat 3"),
    ((480, 90, 590, 240), (200, 230, 255), "COUNCIL\nNOTICE"),
    ((90, 250, 300, 400), (255, 255, 255), "Worried about\na young person?\nTalk to someone."),
    ((330, 230, 560, 380), (220, 255, 220), "Canal Basin\nClean-up\nSat 10am"),
]


def draw_notice_board() -> Image.Image:
    image = Image.new("RGB", PHOTO_SIZE, (150, 150, 140))
    draw = ImageDraw.Draw(image)
    # Wooden frame and cork.
    draw.rectangle((30, 30, 610, 450), fill=(110, 70, 35))
    draw.rectangle((50, 50, 590, 430), fill=(196, 150, 100))
    for i in range(0, 540, 9):
        x = 50 + i
        draw.point([(x, 50 + (i * 37) % 380), (x + 4, 50 + (i * 53) % 380)], fill=(160, 115, 70))
    # Pinned notices.
    for box, paper, text in NOTICES:
        draw.rectangle(box, fill=paper, outline=(90, 90, 90))
        cx = (box[0] + box[2]) // 2
        cy = (box[1] + box[3]) // 2
        draw.multiline_text(
            (cx, cy), text, fill=(30, 30, 40), font=photo_font(18), anchor="mm", align="center"
        )
        draw.ellipse((cx - 6, box[1] + 4, cx + 6, box[1] + 16), fill=(200, 20, 20))
    return image


CAMERA_MAKE = "Fictocam"
CAMERA_MODEL = "FC-640"

PHOTOS: list[tuple[str, Callable[[], Image.Image], PhotoMeta]] = [
    (
        "photo-takeaway-exterior.jpg",
        draw_takeaway_exterior,
        PhotoMeta(CAMERA_MAKE, CAMERA_MODEL, "2014:02:08 21:47:12", 53.408143, -2.214867),
    ),
    (
        "photo-bus-shelter.jpg",
        draw_bus_shelter,
        PhotoMeta(CAMERA_MAKE, CAMERA_MODEL, "2014:02:08 22:05:39", 53.407531, -2.212402),
    ),
    (
        "photo-notice-board.jpg",
        draw_notice_board,
        PhotoMeta(CAMERA_MAKE, CAMERA_MODEL, "2014:03:01 10:12:05", 53.410276, -2.219158),
    ),
]


def make_photos(out_dir: Path) -> list[Path]:
    paths: list[Path] = []
    for name, draw_scene, meta in PHOTOS:
        path = out_dir / name
        save_photo(draw_scene(), meta, path)
        paths.append(path)
    return paths


def verify_photo(path: Path) -> None:
    """Fail loudly if the EXIF written to ``path`` cannot be read back."""
    with Image.open(path) as image:
        exif = image.getexif()
        gps = exif.get_ifd(TAG_GPS_IFD)
        exif_ifd = exif.get_ifd(TAG_EXIF_IFD)
        for tag in (GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE):
            if tag not in gps:
                raise RuntimeError(f"{path.name}: GPS tag {tag:#06x} missing")
        if TAG_DATETIME_ORIGINAL not in exif_ifd:
            raise RuntimeError(f"{path.name}: DateTimeOriginal missing")
        for tag in (TAG_MAKE, TAG_MODEL, TAG_ORIENTATION):
            if tag not in exif:
                raise RuntimeError(f"{path.name}: tag {tag:#06x} missing")


# =============================================================================
# Entry point
# =============================================================================


def main() -> None:
    make_council_minutes(OUT_DIR / "council-minutes-2014-03-12.pdf")
    make_police_letter(OUT_DIR / "police-letter-2015-06-01.pdf")
    make_foi_reply(OUT_DIR / "foi-reply-2023-09-18.pdf")
    for path in make_photos(OUT_DIR):
        verify_photo(path)
    print(f"Samples written to {OUT_DIR}")


if __name__ == "__main__":
    main()
