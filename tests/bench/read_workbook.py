#!/usr/bin/env python3
"""The Python baselines of tests/bench/workbooks.sh: reads a workbook's first sheet into a
data frame and prints its shape.

Usage: python3 tests/bench/read_workbook.py READER FILE

READER is one of
  polars           polars.read_excel (engine "calamine": fastexcel, Rust calamine underneath)
  pandas-calamine  pandas.read_excel(engine="calamine") (python-calamine)
  pandas-odf       pandas.read_excel(engine="odf") (odfpy; ODS only)
"""
import sys

reader, path = sys.argv[1], sys.argv[2]
if reader == "polars":
    import polars as pl
    frame = pl.read_excel(path, engine="calamine")
    print(frame.shape)
elif reader in ("pandas-calamine", "pandas-odf"):
    import pandas as pd
    frame = pd.read_excel(path, engine=reader.split("-")[1])
    print(frame.shape)
else:
    sys.exit(f"unknown reader {reader!r}")
