#!/usr/bin/env python3
"""Writes the committed seed corpora in tests/fuzz/seeds/<target>/ from small real files.

Usage, from the project folder: python3 tests/fuzz/make_seeds.py

Sources: tests/bad-input/*, tests/fixtures/* (the XLSX/ODS reader fixtures, trimmed to their
first rows), data/sample/* (heads), and the heads of ../shared/realdata files. Each seed is a
few KB at most; the fuzzers' own corpus growth (tests/fuzz/corpus/) is not committed.
"""
import gzip
import re
import shutil
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "fuzz" / "seeds"
REAL = ROOT.parent / "shared" / "realdata"


def head(path, lines, binary=False):
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return b"".join(raw.splitlines(keepends=True)[:lines])


def write(target, name, data):
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def main():
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    bad = ROOT / "tests" / "bad-input"
    fixtures = ROOT / "tests" / "fixtures"

    # Home Office CSV: the bad-input files, fixture and real-data heads, one gzip.
    for f in sorted(bad.glob("*.csv")):
        if not f.name.startswith("tidy"):
            write("home_office_csv", f.name, f.read_bytes())
    write("home_office_csv", "fixture-head.csv", head(fixtures / "ho-2018-19-extract.csv", 12))
    first60 = head(REAL / "home-office-outcomes" / "ho-outcomes-ye-mar2019-first60rows.csv", 15)
    write("home_office_csv", "realdata-first-rows.csv", first60)
    write("home_office_csv", "realdata-first-rows.csv.gz", gzip.compress(first60, mtime=0))
    full = REAL / "home-office-outcomes" / "prc-outcomes-open-data-mar2019-tables.FULL.csv.gz"
    write("home_office_csv", "realdata-full-head.csv", head(full, 10))

    # Tidy counts: the bad-input tidy files and small tables with groups and tokens.
    for f in sorted(bad.glob("tidy*.csv")):
        write("tidy_counts_csv", f.name, f.read_bytes())
    write("tidy_counts_csv", "groups-and-tokens.csv",
          b"unit,period,offence_group,numerator,denominator\r\n"
          b"Area A,2019/20,Violence,5,10\r\nArea A,2019/20,Theft,..,12\r\n"
          b"\"Area B, North\",2019/20,Violence,[c],7\r\nArea C,2019/20,Violence,-1,4\r\n"
          b"Area D,2019/20,Violence,abc,4\r\nArea E,2019/20,Violence,3\r\n")
    write("tidy_counts_csv", "title-rows.csv",
          b"Domestic abuse outcomes by area\n\nunit,period,numerator,denominator,note\n"
          b"North,2018/19 Q1,1,2,x\nSouth,2018/19 Q1,NA,3,\nSouth,2018/19 Q1,1,3,\n")

    # XLSX: the fixture itself, the garbage file, and sheet XML (see outcome_lens::fuzzing::xlsx).
    write("xlsx", "fixture.xlsx", (fixtures / "ho-2018-19-extract.xlsx").read_bytes())
    write("xlsx", "garbage.xlsx", (bad / "garbage.xlsx").read_bytes())
    z = zipfile.ZipFile(fixtures / "ho-2018-19-extract.xlsx")
    sheets = [z.read(f"xl/worksheets/sheet{i}.xml") for i in (1, 2, 3)]
    rows = re.findall(rb"<row .*?</row>", sheets[2])
    data = re.sub(rb"<sheetData>.*</sheetData>", lambda m: b"<sheetData>" + b"".join(rows[:6]) + b"</sheetData>", sheets[2], flags=re.S)
    shared = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">'
              b"<si><t>2018/19</t></si><si><t>Cleveland</t></si><si><t>N/A - offence code expired</t></si></sst>")
    write("xlsx", "parts-fixture.xml", shared + b"\0" + sheets[0] + b"\0" + sheets[1] + b"\0" + data)
    # One data sheet whose text cells use the shared strings (t="s") and numbers (t="n").
    shared_data = re.sub(rb'<c r="A(\d+)" t="inlineStr"><is><t>2018/19</t></is></c>', rb'<c r="A\1" t="s"><v>0</v></c>', data)
    shared_data = re.sub(rb'<c r="C([4-9])" t="inlineStr"><is><t>[^<]*</t></is></c>', rb'<c r="C\1" t="s"><v>1</v></c>', shared_data)
    write("xlsx", "parts-shared-strings.xml", shared + b"\0" + shared_data)

    # ODS: the fixture itself and its content.xml with each table cut to its first rows.
    write("ods", "fixture.ods", (fixtures / "ho-2018-19-extract.ods").read_bytes())
    content = zipfile.ZipFile(fixtures / "ho-2018-19-extract.ods").read("content.xml")
    def cut(table):
        kept = re.findall(rb"<table:table-row[ >].*?</table:table-row>", table.group(0), flags=re.S)[:7]
        start = re.match(rb"<table:table [^>]*>.*?(?=<table:table-row)", table.group(0), flags=re.S).group(0)
        return start + b"".join(kept) + b"</table:table>"
    content = re.sub(rb"<table:table .*?</table:table>", cut, content, flags=re.S)
    write("ods", "content-fixture.xml", content)

    # Extracts: the synthetic sample's head, plus duplicates, blanks and quarantined rows.
    extract = head(ROOT / "data" / "sample" / "force_extract.csv", 25)
    write("extract_csv", "sample-head.csv", extract)
    write("extract_csv", "sample-head.csv.gz", gzip.compress(extract, mtime=0))
    lines = extract.splitlines(keepends=True)
    tricky = (lines[0] + lines[1] + lines[1]  # the same crime twice
              + lines[2].replace(b"2018-04-05", b"")  # an outcome without its date
              + b"\n" + lines[3].replace(b",Y,", b",DA,")
              + b"CL/18/9,2018-13-40,,8N,16,Y,Area,V1,,,\n"
              + b'"CL/18/10","01/04/2018","","105A","Named Suspect Identified: Evidential Difficulties - Victim Does Not Support Police Action","N","X",,,,\n')
    write("extract_csv", "tricky.csv", tricky)

    # Analysis files: the sample's, and small ones for the other choices.
    write("analysis_toml", "sample-analysis.toml", (ROOT / "data" / "sample" / "analysis.toml").read_bytes())
    write("analysis_toml", "tidy.toml",
          b'inputs = ["areas.csv"]\noutcome = [14, 16]\ndenominator = [1, 2, 14, 15, 16]\n'
          b'basis = "recorded_in_period"\nperiod = { rolling_12_months_to = "2018/19 Q4" }\n'
          b'focus = ["North"]\n[funnel]\nmethod = "exact"\nlevels = [0.95, 0.998]\noverdispersion = "multiplicative"\ntarget = 0.35\n'
          b'[outputs]\nfolder = "out"\nformats = ["csv"]\n')
    write("analysis_toml", "scopes.toml",
          b'inputs = ["raw/*.xlsx"]\nscope = "mine"\n[aliases]\n"Cleveland Police" = "Cleveland"\n'
          b'[scopes.mine]\ninclude_codes = ["8N"]\n[peers.groups.g]\nmembers = ["Durham", "Cleveland Police"]\nowner = "Durham"\n'
          b'[spc]\nshift_length = 8\n[mix]\nstrata = "offence_group"\n[outputs]\nfolder = "x"\n'
          b'[extract]\nfile = "e.csv"\n[extract.columns]\ncrime_reference = "a"\nrecorded_date = "b"\noutcome_date = "c"\n'
          b'offence_description = "d"\noutcome = "e"\ndomestic_abuse = "f"\narea = "g"\n'
          b'[extract.offence_codes]\n"Assault" = "8N"\n[extract.audit]\nshare = 0.5\nstratify = "area"\n')


if __name__ == "__main__":
    main()
