"""Reading and writing the .xlsx files, safely and in constant memory.

Writing: openpyxl builds a small template workbook per format (the "Informações" sheet,
header styles, column widths, data-validation lists). Every file of an export is that
template with its data sheet's <sheetData> streamed straight into the zip entry as inline
strings, so memory stays flat and a 7,000-row file takes a fraction of a second.

Reading: `inspect_upload` looks at the zip's declared sizes and streams the sheet XML
before anything parses it (zip bombs, too many rows, formulas); `open_sheet` then uses
calamine, which reads a sheet far faster than openpyxl."""

from __future__ import annotations

import io
import re
import zipfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree
from xml.parsers import expat

import python_calamine
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from importexport.columns import BOOL, CHOICE, Column
from notifications.models import Reason, reason_text

DATA_SHEET = "Dados"
INFO_SHEET = "Informações"
# Last column of a failed-rows file; imports skip it, so the corrected file goes back as is.
REASON_HEADER = "Motivo do erro"
_DATA_ENTRY = "xl/worksheets/sheet1.xml"
# One pass per cell: escape what XML reserves, drop the control characters XML forbids.
_XML_TEXT = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        **{chr(code): None for code in (*range(0, 9), 11, 12, *range(14, 32))},
    }
)
# Most cells hold none of these: one C-level scan spares them the per-character translation.
_XML_UNSAFE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")
# Excel refuses to open a file with a longer cell: a longer value is cut and ends in the mark,
# which the "Informações" sheet explains.
CELL_MAX_CHARS = 32_767
CUT_MARK = "[…]"
# Cells a spreadsheet would run as a formula once someone edits them.
_FORMULA_START = ("=", "+", "-", "@")
_LAST_COLUMN = 16_384  # XFD, the last column a spreadsheet has
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


class FileError(ValueError):
    """The whole file is unusable. The reason is kept as message ids and their values, so
    that a job stores it untranslated and each reader gets it in their own language;
    str() gives it in the current one."""

    def __init__(self, message: str, /, **params: Any) -> None:
        super().__init__(message)
        self.reason: Reason = [(message, params)]

    @classmethod
    def joined(cls, reason: Reason) -> FileError:
        message, params = reason[0]
        error = cls(message, **params)
        error.reason = list(reason)
        return error

    def __str__(self) -> str:
        return reason_text(self.reason)


# --- writing ------------------------------------------------------------------------------


@dataclass
class Template:
    headers: tuple[str, ...]
    entries: dict[str, bytes]
    sheet_head: str
    sheet_tail: str
    header_style: int
    text_style: int
    letters: tuple[str, ...] = field(default=())

    def write(self, target: str | Path | BinaryIO, rows: Iterable[Sequence[str]]) -> int:
        """Writes one .xlsx holding `rows` under the header; returns how many rows."""
        count = 0
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, data in self.entries.items():
                archive.writestr(name, data)
            with archive.open(_DATA_ENTRY, "w") as sheet:
                sheet.write(self.sheet_head.encode())
                sheet.write(self._row(1, self.headers, self.header_style).encode())
                buffer: list[str] = []
                for count, row in enumerate(rows, start=1):
                    buffer.append(self._row(count + 1, row, 0))
                    if len(buffer) >= 500:
                        sheet.write("".join(buffer).encode())
                        buffer.clear()
                sheet.write("".join(buffer).encode())
                sheet.write(self.sheet_tail.encode())
        return count

    def _row(self, number: int, values: Sequence[Any], style: int) -> str:
        cells = []
        append = cells.append
        for letter, value in zip(self.letters, values, strict=False):
            if not value:
                continue
            text = value if type(value) is str else str(value)
            if len(text) > CELL_MAX_CHARS:
                text = text[: CELL_MAX_CHARS - len(CUT_MARK)] + CUT_MARK
            if _XML_UNSAFE.search(text):
                text = text.translate(_XML_TEXT)
                if not text:
                    continue
            cell_style = style or (self.text_style if text[0] in _FORMULA_START else 0)
            space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
            styled = f' s="{cell_style}"' if cell_style else ""
            append(
                f'<c r="{letter}{number}"{styled} t="inlineStr"><is><t{space}>{text}</t></is></c>'
            )
        return f'<row r="{number}">{"".join(cells)}</row>'


def build_template(
    columns: Sequence[Column], *, title: str, extra_headers: Sequence[str] = ()
) -> Template:
    """The workbook every file of one format shares. Call inside the user's language:
    the "Informações" sheet is written in it."""
    workbook = Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    info = workbook.create_sheet(INFO_SHEET)
    headers = tuple(column.header for column in columns) + tuple(extra_headers)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="14213D")
    for index, header in enumerate(headers, start=1):
        cell = data.cell(row=1, column=index, value=header)
        cell.font, cell.fill = bold, fill
        width = max(14, min(40, len(header) + 4))
        data.column_dimensions[get_column_letter(index)].width = width
    # A style that tells spreadsheets to keep a cell's text as text, even after an edit.
    marker = data.cell(row=2, column=1)
    marker.quotePrefix = True
    data.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        values = column.choices or (("yes", "no") if column.kind == BOOL else ())
        if column.kind in (CHOICE, BOOL) and values:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(values) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=column.header,
                error=_("Choose one of: %(values)s") % {"values": ", ".join(values)},
            )
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}1048576")
            data.add_data_validation(validation)
    _write_info(info, columns, title)
    header_style, text_style = data.cell(row=1, column=1).style_id, marker.style_id
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    sheet = entries.pop(_DATA_ENTRY).decode()
    start = sheet.index("<sheetData>") + len("<sheetData>")
    end = sheet.index("</sheetData>")
    head = re.sub(r"<dimension [^>]*/>", "", sheet[:start])
    return Template(
        headers=headers,
        entries=entries,
        sheet_head=head,
        sheet_tail=sheet[end:],
        header_style=header_style,
        text_style=text_style,
        letters=tuple(get_column_letter(i) for i in range(1, len(headers) + 1)),
    )


def _write_info(sheet, columns: Sequence[Column], title: str) -> None:
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = _(
        "Fill one row per record in the “%(sheet)s” sheet, keeping the header row as it is. "
        "Lists take names separated by “;”."
    ) % {"sheet": DATA_SHEET}
    sheet["A3"] = _(
        "A cell holds at most %(max)s characters in Excel: an exported value longer than that "
        "is cut and ends in “%(mark)s”; importing that file stores the cut value."
    ) % {"max": intcomma(CELL_MAX_CHARS), "mark": CUT_MARK}
    labels = (
        _("Column"),
        _("Required"),
        _("Type"),
        _("Allowed values"),
        _("Example"),
        _("Description"),
        _("Empty cell on update"),
    )
    for index, label in enumerate(labels, start=1):
        cell = sheet.cell(row=4, column=index, value=label)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = (
            22,
            12,
            22,
            36,
            30,
            60,
            40,
        )[index - 1]
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, column in enumerate(columns, start=5):
        values = (
            column.header,
            _("Yes") if column.required else _("No"),
            column.type_label,
            column.allowed_values(),
            column.example,
            str(column.description),
            column.empty_on_update(),
        )
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=index, value=value)
            cell.alignment = wrap
            cell.quotePrefix = True


# --- reading ------------------------------------------------------------------------------


@dataclass
class Inspection:
    sheet_name: str
    rows: int  # rows after the header, blank ones included
    formula_rows: dict[int, str]  # spreadsheet row number → first column with a formula


# Transitional (what every spreadsheet writes) and strict spreadsheet markup.
_MAINS = (_NS["m"], "http://purl.oclc.org/ooxml/spreadsheetml/main")


def _tags(*names: str) -> frozenset[str]:
    return frozenset(f"{main} {name}" for main in _MAINS for name in names)


_ROW_TAGS, _CELL_TAGS, _DIMENSION_TAGS = _tags("row"), _tags("c"), _tags("dimension")
# What makes a cell hold something the readers keep; an empty styled cell is skipped by them.
_CONTENT_TAGS, _FORMULA_TAGS = _tags("v", "is", "f"), _tags("f")
_VALUE_TAGS, _TEXT_TAGS, _STRING_TAGS = _tags("v"), _tags("t"), _tags("si")
_REFERENCE = re.compile(r"\s*\$?([A-Za-z]{1,3})\$?([0-9]{1,9})\s*")
_READ_BYTES = 1 << 20
# Parts smaller than this are never refused for their compression ratio: short XML repeats a lot.
_RATIO_FLOOR_BYTES = 1 << 20


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def inspect_upload(path: str | Path) -> Inspection:
    """Checks a file is a readable, reasonable .xlsx without trusting what it claims, before
    anything loads it: the zip's declared sizes and compression ratios, then one streaming pass
    over the data sheet's XML that checks its declared dimension and every row and cell
    reference (what the readers would allocate), and finds the formulas."""
    path = Path(path)
    if path.stat().st_size > settings.IMPORT_MAX_FILE_BYTES:
        raise FileError(
            gettext_noop("The file is larger than %(size)d MB."),
            size=settings.IMPORT_MAX_FILE_BYTES // (1024 * 1024),
        )
    if not zipfile.is_zipfile(path):
        raise FileError(gettext_noop("This is not an .xlsx file (Excel workbook)."))
    try:
        with zipfile.ZipFile(path) as archive:
            return _inspect_archive(archive)
    except (
        zipfile.BadZipFile,
        KeyError,
        ElementTree.ParseError,
        expat.ExpatError,
        EOFError,
        OSError,
        ValueError,
    ) as exc:
        if isinstance(exc, FileError):
            raise
        raise FileError(gettext_noop("The .xlsx file is damaged and cannot be read.")) from exc


def _check_sizes(archive: zipfile.ZipFile) -> None:
    if sum(info.file_size for info in archive.infolist()) > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise FileError(
            gettext_noop("The file unpacks to more than %(size)d MB; split it into smaller files."),
            size=settings.IMPORT_MAX_UNCOMPRESSED_BYTES // (1024 * 1024),
        )
    # Every part counts: the readers load shared strings and styles whole, before any row.
    for info in archive.infolist():
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR_BYTES and ratio > settings.IMPORT_MAX_COMPRESSION_RATIO:
            raise FileError(
                gettext_noop(
                    "The file is packed %(ratio)d times (its part “%(part)s”), far more than a "
                    "spreadsheet's data is: it is refused as a possible zip bomb."
                ),
                ratio=int(ratio),
                part=info.filename[:80],
            )


def _entry(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _inspect_archive(archive: zipfile.ZipFile) -> Inspection:
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise FileError(gettext_noop("This is not an .xlsx file (Excel workbook)."))
    _check_sizes(archive)
    # Small files whose size the checks above bound; ElementTree resolves no external
    # entities and Python's expat refuses entity-expansion bombs.
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    sheets = workbook.findall("m:sheets/m:sheet", _NS)
    if not sheets:
        raise FileError(gettext_noop("The workbook has no sheet."))
    # The data sheet by its name, wherever it was moved; else the first sheet.
    first = next((sheet for sheet in sheets if sheet.get("name") == DATA_SHEET), sheets[0])
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    rel_id = first.get(f"{{{_NS['r']}}}id")
    target = next(
        (
            rel.get("Target")
            for rel in rels.findall("rel:Relationship", _NS)
            if rel.get("Id") == rel_id
        ),
        None,
    )
    if not target:
        raise FileError(gettext_noop("The .xlsx file is damaged and cannot be read."))
    scan = _SheetScan()
    strings = next(
        (
            rel.get("Target", "")
            for rel in rels.findall("rel:Relationship", _NS)
            if rel.get("Type", "").endswith("/sharedStrings")
        ),
        "",
    )
    if strings:
        with archive.open(_entry(strings)) as stream:
            scan.feed_shared_strings(stream)
    with archive.open(_entry(target)) as stream:
        scan.feed(stream)
    return Inspection(
        sheet_name=first.get("name", ""),
        rows=max(0, scan.last_row - 1),
        formula_rows=scan.formulas,
    )


class _SheetScan:
    """One pass of a sheet's XML through expat, in constant memory: every row and cell
    position as the readers compute it (an `r` in either quoting, or none: then the one after
    the previous), checked against the row limit and the cell budget as it comes; the text
    the readers would hold (a shared string is copied into every cell that names it, so a
    small file can name a long one a million times); and the first formula of each row. A
    real XML parser, not patterns over the bytes, so that no spelling of the markup (quotes,
    prefixes, entities, comments) hides a cell from it."""

    def __init__(self) -> None:
        self.max_rows = settings.IMPORT_MAX_ROWS + 1  # the header row comes on top
        self.max_cells = settings.IMPORT_MAX_CELLS
        self.max_text = settings.IMPORT_MAX_TEXT_BYTES
        self.row = 0
        self.column = 0
        self.last_row = 0
        self.last_column = 0
        self.formulas: dict[int, str] = {}
        self.columns: dict[str, int] = {}
        self.cell_kept = True  # no cell opened yet
        self.shared_cell = False
        self.shared_lengths = array("L")
        self.text = 0
        self.parser: Any = None

    def _parser(self, start) -> Any:
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = start
        return self.parser

    def _feed(self, parser, stream: BinaryIO) -> None:
        while chunk := stream.read(_READ_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def feed_shared_strings(self, stream: BinaryIO) -> None:
        """The length of every shared string; the readers hold them all, and a copy in each
        cell that names one."""
        self._feed(self._parser(self._shared_start), stream)

    def _shared_start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag in _STRING_TAGS:
            self.shared_lengths.append(0)
            self.parser.CharacterDataHandler = None
        elif tag in _TEXT_TAGS and self.shared_lengths:
            self.parser.CharacterDataHandler = self._shared_text

    def _shared_text(self, text: str) -> None:
        size = len(text.encode())
        self.shared_lengths[-1] += size
        self._add_text(size)

    def feed(self, stream: BinaryIO) -> None:
        self._feed(self._parser(self.start), stream)

    def _cell_text(self, text: str) -> None:
        if self.shared_cell:
            try:
                size = self.shared_lengths[int(text)]
            except (ValueError, IndexError):
                raise FileError(
                    gettext_noop("The .xlsx file is damaged and cannot be read.")
                ) from None
        else:
            size = len(text.encode())
        self._add_text(size)

    def _add_text(self, size: int) -> None:
        self.text += size
        if self.text > self.max_text:
            raise FileError(
                gettext_noop(
                    "The sheet holds more than %(size)d MB of text; split it into smaller files."
                ),
                size=self.max_text // (1024 * 1024),
            )

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        # A value or formula belongs to the cell opened last: nothing else in a sheet has
        # one. No end handler: this pass runs once per element of the largest files.
        if self.parser.CharacterDataHandler is not None:
            self.parser.CharacterDataHandler = None
        if tag in _CONTENT_TAGS:
            if not self.cell_kept:
                self.cell_kept = True
                self._keep(self.row, self.column)
            if tag in _VALUE_TAGS and self.shared_cell:
                self.parser.CharacterDataHandler = self._cell_text
            if tag in _FORMULA_TAGS:
                self.formulas.setdefault(self.row, get_column_letter(self.column))
        elif tag in _CELL_TAGS:
            reference = attributes.get("r")
            if reference is None:
                row, column = self.row or 1, self.column + 1
            else:
                row, column = self._reference(reference)
            if row > self.max_rows or column > _LAST_COLUMN:
                self._check(row, column, reference)
            self.row, self.column, self.cell_kept = row, column, False
            self.shared_cell = attributes.get("t") == "s"
        elif tag in _ROW_TAGS:
            number = attributes.get("r")
            row = self.row + 1 if number is None else self._number(number)
            if row > self.max_rows:
                self._check(row, 1, number)
            # Until a cell opens, nothing in the row can be kept.
            self.row, self.column, self.cell_kept = row, 0, True
        elif tag in _TEXT_TAGS:
            self.parser.CharacterDataHandler = self._cell_text
        elif tag in _DIMENSION_TAGS:
            # What the file says it holds: readers size their tables from it.
            for reference in attributes.get("ref", "").split(":")[-1:]:
                if reference:
                    row, column = self._reference(reference)
                    self._check(row, column, reference)
                    self._check_area(row, column, reference)

    def _keep(self, row: int, column: int) -> None:
        if row > self.last_row or column > self.last_column:
            self.last_row, self.last_column = max(self.last_row, row), max(self.last_column, column)
            if self.last_row * self.last_column > self.max_cells:
                self._check_area(
                    self.last_row, self.last_column, f"{get_column_letter(column)}{row}"
                )

    def _reference(self, reference: str) -> tuple[int, int]:
        match = _REFERENCE.fullmatch(reference)
        if not match:
            raise FileError(
                gettext_noop("The sheet names a cell “%(cell)s”, which is no cell reference."),
                cell=reference[:20],
            )
        letters, digits = match.groups()
        column = self.columns.get(letters)
        if column is None:
            column = self.columns[letters] = column_number(letters)
        return int(digits), column

    def _number(self, text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise FileError(
                gettext_noop("The sheet numbers a row “%(row)s”, which is no row number."),
                row=text[:20],
            ) from None

    def _check(self, row: int, column: int, reference: str | None) -> None:
        if row > self.max_rows:
            raise _too_many_rows()
        if column > _LAST_COLUMN:
            raise FileError(
                gettext_noop("The sheet names a cell “%(cell)s”, which is no cell reference."),
                cell=(reference or "")[:20],
            )

    def _check_area(self, rows: int, columns: int, reference: str) -> None:
        if rows * columns > self.max_cells:
            raise FileError(
                gettext_noop(
                    "The sheet reaches cell %(cell)s: %(rows)s rows × %(columns)s columns is "
                    "more than the %(max)s cells an import reads. Delete what lies beyond your "
                    "data, or split the file."
                ),
                cell=reference[:20],
                rows=rows,
                columns=columns,
                max=settings.IMPORT_MAX_CELLS,
            )


def _too_many_rows() -> FileError:
    return FileError(
        gettext_noop("The file has more than %(max)s rows; split it into smaller files."),
        max=settings.IMPORT_MAX_ROWS,
    )


@dataclass
class Sheet:
    """A sheet calamine loaded once; its rows can be walked several times."""

    sheet: Any

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """Every row, header first, as (spreadsheet row number, calamine values)."""
        # calamine's range starts at the first non-empty row.
        first = (self.sheet.start or (0, 0))[0] + 1
        for offset, row in enumerate(self.sheet.iter_rows()):
            yield first + offset, row


def open_sheet(path: str | Path, sheet_name: str) -> Sheet:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        return Sheet(workbook.get_sheet_by_name(sheet_name))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise FileError(gettext_noop("The .xlsx file is damaged and cannot be read.")) from exc
