#!/usr/bin/env python3
"""Baseline for tests/bench/run.sh: per-force outcome-16 rates from the Home Office CSV with
Python polars, and nothing else (no funnel, no overdispersion, no outputs but the printout).

Basis assigned_in_period (`Force outcomes recorded in quarter`), numerator outcome type 16,
denominator outcome types 1-22, non-numeric cells skipped: the same rates as the
`rate` column of outcome-lens's force_comparison table.
"""
import sys

import polars as pl

COUNT = "Force outcomes recorded in quarter"
df = pl.read_csv(
    sys.argv[1],
    null_values=["NA", "N/A - offence code expired"],
    schema_overrides={"Offence Code": pl.Utf8},
)
rates = (
    df.filter(pl.col("Outcome Type").is_between(1, 22))
    .group_by("Force Name")
    .agg(
        numerator=pl.col(COUNT).filter(pl.col("Outcome Type") == 16).sum(),
        denominator=pl.col(COUNT).sum(),
    )
    .with_columns(rate=pl.col("numerator") / pl.col("denominator"))
    .sort("Force Name")
)
print(rates.height, "forces;", rates.filter(pl.col("Force Name") == "Cleveland").row(0))
