#!/usr/bin/env python3
"""Makes data/reference/national_mix_2018_19.csv, the national offence mix and outcome counts
that `outcome-lens synth` draws synthetic record-level extracts from.

Run from the project folder (Python 3 standard library only):

    python3 tests/reference/national_mix.py > data/reference/national_mix_2018_19.csv

Input: data/raw/home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz,
the Home Office crime-outcomes open data table for the year ending March 2019 (DATA.md section 9.1).
The 43 territorial forces are summed over the four quarters; British Transport Police and
expired offence codes ("(outcomes only)") are left out. Non-numeric count cells are skipped.

Columns written:
- recorded_crimes: sum of "Force outcomes for offences recorded in quarter" over every outcome
  type including 0, i.e. the offences recorded in the year (the offence mix);
- open_crimes: the same column for outcome type 0 (not yet assigned an outcome when extracted);
- assigned_1 .. assigned_21: sum of "Force outcomes recorded in quarter" (outcomes assigned in
  the year, the project's default basis) per outcome type; 19 is never present in 2018/19;
- da_share_assumption: an ASSUMPTION, not data. The Home Office table has no domestic-abuse
  flag (DATA.md section 4). The share of each offence subgroup that a synthetic extract flags
  as domestic abuse is set by hand below so that about 15% of recorded crime is flagged, as
  ONS reported for the year ending March 2019; violence, harassment and rape carry most of it.
"""
import collections
import csv
import gzip
import sys

SOURCE = "data/raw/home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz"
RECORDED = "Force outcomes for offences recorded in quarter"
ASSIGNED = "Force outcomes recorded in quarter"
TYPES = [t for t in range(1, 22) if t != 19]

# ASSUMPTION: share of each offence subgroup flagged as domestic abuse in synthetic extracts.
DA_SHARE = {
    "Violence with injury": 0.40,
    "Violence without injury": 0.36,
    "Harassment": 0.40,
    "Homicide": 0.20,
    "Rape": 0.35,
    "Other sexual offences": 0.15,
    "Criminal damage": 0.12,
    "Arson": 0.10,
    "Public order offences": 0.08,
    "Miscellaneous crimes": 0.10,
    "Other theft offences": 0.04,
    "Domestic burglary": 0.03,
    "Possession of weapons offences": 0.03,
    "Robbery": 0.02,
    "Possession of drugs": 0.0,
    "Trafficking of drugs": 0.0,
}
DA_SHARE_OTHER = 0.01


def number(text):
    try:
        return int(text)
    except ValueError:
        return None


def main():
    info = {}
    recorded = collections.Counter()
    open_crimes = collections.Counter()
    assigned = collections.defaultdict(collections.Counter)
    with gzip.open(SOURCE, "rt", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row["Offence code expired"] or row["Force Name"] == "British Transport Police":
                continue
            code = row["Offence Code"]
            info[code] = (row["Offence Description"], row["Offence Group"], row["Offence Subgroup"])
            outcome = int(row["Outcome Type"])
            value = number(row[RECORDED])
            if value is not None:
                recorded[code] += value
                if outcome == 0:
                    open_crimes[code] += value
            value = number(row[ASSIGNED])
            if value is not None and outcome != 0:
                assigned[code][outcome] += value
    out = csv.writer(sys.stdout, lineterminator="\n")
    for line in (__doc__.strip().splitlines()):
        sys.stdout.write(("# " + line).rstrip() + "\n")
    out.writerow(["offence_code", "offence_description", "offence_group", "offence_subgroup",
                  "recorded_crimes", "open_crimes", "da_share_assumption"]
                 + [f"assigned_{t}" for t in TYPES])
    for code in sorted(info):
        description, group, subgroup = info[code]
        counts = [max(assigned[code][t], 0) for t in TYPES]
        if recorded[code] <= 0 or sum(counts) <= 0:
            continue
        share = DA_SHARE.get(subgroup, DA_SHARE_OTHER)
        out.writerow([code, description, group, subgroup, recorded[code],
                      max(open_crimes[code], 0), f"{share:.2f}"] + counts)


if __name__ == "__main__":
    main()
