#!/usr/bin/env python3
"""Makes the workbooks of the XLSX and ODS benchmark (tests/bench/workbooks.sh) from the real
2018/19 Home Office table.

Usage: python3 tests/bench/make_workbooks.py TABLE.csv.gz OUT_DIR [YEARS]

Writes into OUT_DIR:
  outcomes-2018-19.xlsx   the whole table (621,280 rows) as Excel lays a workbook out: one
                          sheet, every text cell a shared string (t="s"), whole-number counts,
                          quarters and outcome types as number cells, cell references on every
                          cell, the sheet deflated. Offence codes stay text ("4.10" is not 4.1),
                          as do the missing-value tokens in count columns.
  outcomes-2018-19.ods    the same workbook converted by LibreOffice (soffice --headless
                          --convert-to ods), as an office suite writes ODS: only when soffice
                          is installed and the file is not there yet.
  series/outcomes-YYYY-YY.xlsx
                          YEARS (default 12) workbooks for the years ending March 2009 to
                          March 2020: the real table with its financial year relabelled and
                          each count multiplied by a factor drawn uniformly from 0.9 to 1.1
                          (seeded by the year) and rounded; tokens and negative counts are kept.

Every file is written only if missing, so a second run reuses them. Standard library only.
"""
import csv
import gzip
import io
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Outcomes_open_data" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>"""

# Columns written as numbers when they hold a whole number: quarter, outcome type, counts.
NUMERIC = {"Financial Quarter", "Outcome Type",
           "Force outcomes for offences recorded in quarter", "Force outcomes recorded in quarter"}
COUNTS = {"Force outcomes for offences recorded in quarter", "Force outcomes recorded in quarter"}


def column_letters(n):
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def is_whole(text):
    body = text[1:] if text.startswith("-") else text
    return body.isdigit() and (body == "0" or not body.startswith("0"))


def write_xlsx(path, header, rows):
    """Writes rows (lists of text) under header as an Excel-style workbook."""
    strings, order = {}, []
    letters = [column_letters(i) for i in range(len(header))]
    numeric = [h in NUMERIC for h in header]

    def shared(text):
        index = strings.get(text)
        if index is None:
            index = strings[text] = len(order)
            order.append(text)
        return index

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/styles.xml", STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            sheet = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            last = f"{letters[-1]}{len(rows) + 1}"
            sheet.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                        f'<dimension ref="A1:{last}"/><sheetData>')
            spans = f"1:{len(header)}"
            for r, cells in enumerate([header] + rows, start=1):
                parts = [f'<row r="{r}" spans="{spans}">']
                for c, text in enumerate(cells):
                    if text == "":
                        continue
                    ref = f"{letters[c]}{r}"
                    if r > 1 and numeric[c] and is_whole(text):
                        parts.append(f'<c r="{ref}"><v>{text}</v></c>')
                    else:
                        parts.append(f'<c r="{ref}" t="s"><v>{shared(text)}</v></c>')
                parts.append("</row>")
                sheet.write("".join(parts))
            sheet.write("</sheetData></worksheet>")
            sheet.flush()
            sheet.detach()
        sst = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="{len(order)}">']
        for text in order:
            space = ' xml:space="preserve"' if text != text.strip() else ""
            sst.append(f"<si><t{space}>{escape(text)}</t></si>")
        sst.append("</sst>")
        book.writestr("xl/sharedStrings.xml", "".join(sst))
    tmp.rename(path)


def relabel(fy_start):
    return f"{fy_start}/{(fy_start + 1) % 100:02d}"


def main():
    table, out = Path(sys.argv[1]), Path(sys.argv[2])
    years = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    out.mkdir(parents=True, exist_ok=True)
    with gzip.open(table, "rt", encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    year_column = header.index("Financial Year")
    count_columns = [i for i, h in enumerate(header) if h in COUNTS]

    full = out / "outcomes-2018-19.xlsx"
    if not full.exists():
        write_xlsx(full, header, rows)
        print(f"wrote {full} ({full.stat().st_size} bytes, {len(rows)} rows)", file=sys.stderr)
    ods = out / "outcomes-2018-19.ods"
    soffice = shutil.which("soffice")
    if not ods.exists() and soffice:
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                            "--convert-to", "ods", "--outdir", str(out), str(full)],
                           check=True, stdout=subprocess.DEVNULL)
        print(f"wrote {ods} ({ods.stat().st_size} bytes)", file=sys.stderr)

    series = out / "series"
    series.mkdir(exist_ok=True)
    for k in range(years):
        fy = 2008 + k
        path = series / f"outcomes-{fy}-{(fy + 1) % 100:02d}.xlsx"
        if path.exists():
            continue
        rng = random.Random(fy)
        label = relabel(fy)
        perturbed = []
        for row in rows:
            row = list(row)
            row[year_column] = label
            for c in count_columns:
                text = row[c]
                if is_whole(text) and not text.startswith("-"):
                    row[c] = str(round(int(text) * rng.uniform(0.9, 1.1)))
            perturbed.append(row)
        write_xlsx(path, header, perturbed)
        print(f"wrote {path} ({path.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
