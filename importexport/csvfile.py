"""Reading .csv uploads for the import engine, with the shape of importexport.xlsx's
reading side (`inspect_upload`, `open_sheet(...).rows()`), so that a format imports from a
.csv through the same job, chunks, failed rows and notification as from an .xlsx.

What is accepted: UTF-8, with or without a byte-order mark, separated by ";" (what a
Brazilian Excel writes) or ","; the separator is read from the header line. Anything else
is refused as a whole, with a reason, before a job exists."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_noop

from importexport.columns import EntityFormat
from importexport.xlsx import FileError

SUFFIX = ".csv"
SEPARATORS = (";", ",")
# A longer cell is no contact's data; csv's own limit (128 KiB) would fail mid-job instead.
FIELD_LIMIT = 32_768
_BOM = codecs.BOM_UTF8
_READ = 1 << 20


def is_csv(path: str | Path) -> bool:
    return Path(path).suffix.lower() == SUFFIX


@dataclass
class Inspection:
    delimiter: str
    rows: int  # records after the header, blank ones included
    sheet_name: str = ""
    formula_rows: dict[int, str] = field(default_factory=dict)  # a .csv holds no formulas


def _not_utf8() -> FileError:
    return FileError(
        gettext_noop(
            "The file is not UTF-8 text. Save it as “CSV UTF-8 (comma delimited)” and try again."
        )
    )


def _check_text(path: Path) -> None:
    """The whole file is UTF-8 text (a spreadsheet or other binary file is not), streamed."""
    with path.open("rb") as stream:
        head = stream.read(4)
        if head.startswith(b"PK\x03\x04"):
            raise FileError(
                gettext_noop("This is a spreadsheet (.xlsx), not a .csv file: save it as CSV.")
            )
        stream.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        while chunk := stream.read(_READ):
            if b"\x00" in chunk:
                raise _not_utf8()
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise _not_utf8() from exc
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise _not_utf8() from exc


def _delimiter(header_line: str) -> str:
    """The separator the header uses: the more frequent of ";" and "," outside quotes."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    if not any(counts.values()):
        return SEPARATORS[0]  # one column: either reads it
    return max(SEPARATORS, key=lambda sep: counts[sep])


def _reader(path: Path, delimiter: str):
    stream = path.open(encoding="utf-8-sig", newline="")
    return stream, csv.reader(stream, delimiter=delimiter, strict=True)


def _damaged(exc: Exception) -> FileError:
    return FileError(
        gettext_noop("The .csv file cannot be read (%(problem)s): check its quotes."),
        problem=str(exc),
    )


def inspect_upload(path: str | Path) -> Inspection:
    """Checks a file is a readable, reasonable .csv: size, encoding, separator, row count."""
    path = Path(path)
    if path.stat().st_size > settings.IMPORT_MAX_FILE_BYTES:
        raise FileError(
            gettext_noop("The file is larger than %(size)d MB."),
            size=settings.IMPORT_MAX_FILE_BYTES // (1024 * 1024),
        )
    _check_text(path)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        header_line = stream.readline()
    delimiter = _delimiter(header_line)
    limit = settings.IMPORT_MAX_ROWS
    stream, reader = _reader(path, delimiter)
    previous = csv.field_size_limit(FIELD_LIMIT)
    try:
        with stream:
            count = -1
            for count, _row in enumerate(reader):
                if count > limit:
                    raise FileError(
                        gettext_noop(
                            "The file has more than %(max)s rows; split it into smaller files."
                        ),
                        max=limit,
                    )
    except csv.Error as exc:
        raise _damaged(exc) from exc
    finally:
        csv.field_size_limit(previous)
    return Inspection(delimiter=delimiter, rows=max(0, count))


@dataclass
class Sheet:
    path: Path
    delimiter: str

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every record, header first, as (record number, cells); streamed from the file."""
        stream, reader = _reader(self.path, self.delimiter)
        previous = csv.field_size_limit(FIELD_LIMIT)
        try:
            with stream:
                yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise _damaged(exc) from exc
        finally:
            csv.field_size_limit(previous)


def open_sheet(path: str | Path, inspection: Inspection) -> Sheet:
    return Sheet(Path(path), inspection.delimiter)


def template_csv(fmt: EntityFormat, *, delimiter: str = ";") -> bytes:
    """A format's template as a .csv: its headers and one example row, UTF-8 with a
    byte-order mark and ";", as a Brazilian Excel opens and saves it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    columns: Sequence = fmt.columns
    writer.writerow([column.header for column in columns])
    writer.writerow([column.example for column in columns])
    return _BOM + buffer.getvalue().encode()
