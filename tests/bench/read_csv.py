#!/usr/bin/env python3
"""Baseline for tests/bench/ingest.sh: read the Home Office outcomes CSV with Python polars.

The options are the ones the real file needs: polars' defaults fail on the count columns'
`NA` and `N/A - offence code expired` tokens, and `Offence Code` must stay text (`8N`, `4.10`).
Prints the shape so the read cannot be optimised away.
"""
import sys

import polars as pl

df = pl.read_csv(
    sys.argv[1],
    null_values=["NA", "N/A - offence code expired"],
    schema_overrides={"Offence Code": pl.Utf8},
)
print(df.shape)
