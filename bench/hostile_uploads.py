"""What hostile uploads cost: `python -m bench.hostile_uploads`.

Builds each file an attacker or a careless operator could upload, and runs, each in a fresh
Python process as the server would, the two readings of an import: the upload check the web
process does before a job exists (`importer.check_header`, what `import_schedule` runs) and
the worker's reading of the whole sheet (`importer.open_upload` and every row, as the job
walks it). The photo case runs what the specialist screen runs on an upload (the form field
and the photo preparation). Each process reports its peak RSS (VmHWM) and its RSS once
Django is loaded, whether the file was refused (and the message) or read, or how the
process died.

Baseline, in the same run: a normal small file of the same format (--baseline-rows rows),
and a normal small photo. Targets: every hostile file refused at < 50 MB above the process's
start, the largest file the checks accept (every column filled up to IMPORT_MAX_CELLS) read
in < 400 MB, and the formula without `r` found. Prints one JSON object on the last line.

Cases:
  largest_accepted  every column filled, up to the cell budget (--budget-rows to shrink it)
  xfd_1000000   8 KB (the format's workbook), one cell at XFD1000000 (the last column, a million rows down)
  xfd_1000      one cell at XFD1000
  empty_elements  ~40 KB holding --empty-mb MB of empty shared strings (<si/>)
  shared_string_copies  one 30 KB shared string named by 20,000 cells (600 MB once read)
  single_quoted_rows  rows numbered r='…' (single quotes) beyond the row limit
  formula_without_r  a formula cell without an `r` attribute
  photo_13000   a ~20 KB 13000×13000 PNG
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTITY = "clients"
# A refused file must cost little; a hostile case that goes wild is stopped here rather than
# taking the machine down (it then reports "died").
ADDRESS_SPACE_LIMIT = 3 * 1024**3
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _template():
    from importexport.registry import format_get
    from importexport.xlsx import build_template

    fmt = format_get(ENTITY)
    return build_template(fmt.columns, title=str(fmt.label))


def _with_sheet(template, sheet_data: bytes, *, shared_strings: bytes = b"") -> bytes:
    """The format's real workbook with `sheet_data` as its data sheet's rows (after the real
    header row), so that only the hostile part differs from a file the import accepts."""
    from importexport.xlsx import _DATA_ENTRY

    entries = dict(template.entries)
    if shared_strings:
        entries["xl/sharedStrings.xml"] = (
            f'<sst xmlns="{_MAIN}">'.encode() + shared_strings + b"</sst>"
        )
        entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
            b"</Types>",
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}"/></Types>'.encode(),
        )
        entries["xl/_rels/workbook.xml.rels"] = entries["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            f'<Relationship Id="rIdSst" Type="{_SST_REL}" Target="sharedStrings.xml"/>'
            "</Relationships>".encode(),
        )
    header = template._row(1, template.headers, template.header_style).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        with archive.open(_DATA_ENTRY, "w") as sheet:
            sheet.write(template.sheet_head.encode())
            sheet.write(header)
            sheet.write(sheet_data)
            sheet.write(template.sheet_tail.encode())
    return buffer.getvalue()


def build_files(
    target: Path, *, baseline_rows: int, empty_mb: int, budget_rows: int | None
) -> dict[str, Path]:
    from django.conf import settings
    from PIL import Image

    template = _template()
    files: dict[str, Path] = {}

    def save(name: str, data: bytes, suffix: str = ".xlsx") -> None:
        files[name] = target / f"{name}{suffix}"
        files[name].write_bytes(data)

    buffer = io.BytesIO()
    template.write(buffer, ([f"Client {i}", f"{i:08d}000199"] for i in range(baseline_rows)))
    save("baseline", buffer.getvalue())
    # The largest file an import accepts: every column filled, up to the cell budget.
    width = len(template.headers)
    rows = budget_rows or settings.IMPORT_MAX_CELLS // width - 1
    buffer = io.BytesIO()
    template.write(buffer, ([f"{i:012d}-{c:02d}" for c in range(width)] for i in range(rows)))
    save("largest_accepted", buffer.getvalue())
    # Cells far away: the readers build the whole rectangle up to the last cell.
    save(
        "xfd_1000000",
        _with_sheet(template, b'<row r="1000000"><c r="XFD1000000"><v>1</v></c></row>'),
    )
    save("xfd_1000", _with_sheet(template, b'<row r="1000"><c r="XFD1000"><v>1</v></c></row>'))
    # Every shared string is kept in memory before a cell is read, empty ones too.
    strings = b"<si/>" * (empty_mb * 1024 * 1024 // 5)
    save("empty_elements", _with_sheet(template, b"", shared_strings=strings))
    # One long shared string named by many cells: the readers copy it into each one.
    named = b"".join(
        b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (n, n) for n in range(2, 20_002)
    )
    long_string = b"<si><t>" + b"y" * 30_000 + b"</t></si>"
    save("shared_string_copies", _with_sheet(template, named, shared_strings=long_string))
    limit = settings.IMPORT_MAX_ROWS
    save(
        "single_quoted_rows",
        _with_sheet(
            template,
            f"<row r='{limit + 5}'><c r='A{limit + 5}' t='inlineStr'><is><t>Late</t></is></c>"
            f"<c r='B{limit + 5}' t='inlineStr'><is><t>12345678000199</t></is></c></row>".encode(),
        ),
    )
    save(
        "formula_without_r",
        _with_sheet(
            template,
            b'<row r="2"><c t="str"><f>HYPERLINK("http://example.com","Click")</f><v>Click</v></c>'
            b'<c t="inlineStr"><is><t>12345678000199</t></is></c></row>',
        ),
    )
    photo = io.BytesIO()
    Image.new("RGB", (400, 300), "teal").save(photo, format="JPEG")
    save("photo_baseline", photo.getvalue(), ".jpg")
    photo = io.BytesIO()
    Image.new("1", (13000, 13000)).save(photo, format="PNG", optimize=True)
    save("photo_13000", photo.getvalue(), ".png")
    return files


# --- one case in its own process -----------------------------------------------------------


def _run_import(path: Path, stage: str) -> dict:
    from importexport import importer
    from importexport.registry import format_get

    fmt = format_get(ENTITY)
    if stage == "web":
        importer.check_header(fmt, path)
        return {"rows": None}
    inspection, sheet = importer.open_upload(path)
    rows = sum(1 for _number, cells in sheet.rows() if not importer._blank(cells))
    return {"rows": rows - 1, "formula_rows": sorted(inspection.formula_rows)}


def _run_photo(path: Path) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from specialists.forms import PhotoField
    from tenancy.images import prepare_photo

    upload = PhotoField().clean(SimpleUploadedFile(path.name, path.read_bytes()))
    original, thumbnail = prepare_photo(upload)
    return {"original_bytes": original.size, "thumbnail_bytes": thumbnail.size}


def _peak_rss_mb() -> float:
    # VmHWM, not ru_maxrss: the latter keeps the peak of the parent that started this process.
    status = Path("/proc/self/status").read_text()
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
    return round(int(kilobytes) / 1024, 1)


def child(path: Path, stage: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
    _setup()
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from importexport.xlsx import FileError

    translation.activate("en")
    before = _peak_rss_mb()
    try:
        outcome = _run_photo(path) if stage == "photo" else _run_import(path, stage)
        outcome["outcome"] = "read"
    except (FileError, ValidationError) as exc:
        message = str(exc) if isinstance(exc, FileError) else "; ".join(exc.messages)
        outcome = {"outcome": "refused", "message": message}
    outcome.update(peak_rss_mb=_peak_rss_mb(), startup_rss_mb=before)
    print(json.dumps(outcome))


def measure(path: Path, stage: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.hostile_uploads", "--child", str(path), stage],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [""])[-1]
        return {"outcome": "died", "returncode": done.returncode, "error": last[:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline-rows", type=int, default=1000)
    parser.add_argument("--empty-mb", type=int, default=20)
    parser.add_argument(
        "--budget-rows", type=int, help="rows of the largest accepted file (default: the budget)"
    )
    parser.add_argument("--child", nargs=2, metavar=("PATH", "STAGE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("VIGIA_VAR_DIR", folder)
        _setup()
        files = build_files(
            Path(folder),
            baseline_rows=args.baseline_rows,
            empty_mb=args.empty_mb,
            budget_rows=args.budget_rows,
        )
        cases: dict[str, dict] = {}
        for name, path in files.items():
            stages = ("photo",) if name.startswith("photo") else ("web", "worker")
            cases[name] = {"file_bytes": path.stat().st_size}
            for stage in stages:
                cases[name][stage] = measure(path, stage)
    accepted = ("baseline", "largest_accepted", "photo_baseline", "formula_without_r")
    # What reading a hostile file costs beyond the process's own start (Django loaded).
    refusals = [
        result
        for name, case in cases.items()
        if name not in accepted
        for result in case.values()
        if isinstance(result, dict)
    ]
    largest = [cases["largest_accepted"][stage] for stage in ("web", "worker")]
    targets = {
        "hostile_refused": all(result["outcome"] == "refused" for result in refusals),
        "refused_cost_under_50_mb": all(
            result.get("peak_rss_mb", 1e9) - result.get("startup_rss_mb", 0) < 50
            for result in refusals
        ),
        "formula_row_found": cases["formula_without_r"]["worker"].get("formula_rows") == [2],
        "largest_accepted_read_under_400_mb": all(
            result["outcome"] == "read" and result["peak_rss_mb"] < 400 for result in largest
        ),
    }
    baseline = {
        "web": cases["baseline"]["web"].get("peak_rss_mb"),
        "worker": cases["baseline"]["worker"].get("peak_rss_mb"),
        "photo": cases["photo_baseline"]["photo"].get("peak_rss_mb"),
    }
    print(json.dumps({"cases": cases, "baseline_peak_rss_mb": baseline, "targets": targets}))


if __name__ == "__main__":
    main()
