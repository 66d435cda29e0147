"""Makes data/sample/audit_reviewed.csv: the bundled sample's audit sample
(tests/golden/sample/audit_sample.csv, as `outcome-lens run` draws it) with SYNTHETIC
findings, so that `outcome-lens audit` has a reviewed file to read. Nothing here is a real
review of a real crime: the extract itself is synthetic.

Findings are drawn with a fixed seed from planted shares of inappropriate closures per area
(higher in Middlesbrough 2, the area synth raised), with about one case in ten `cannot_tell`;
two checklist columns follow the finding (an inappropriate closure more often lacks
supervisor review and evidence-led consideration); every sixth case has a second reviewer,
who agrees four times in five. Run from the project root: python3 data/sample/make_reviewed.py
"""
import csv
import random

PLANTED = {
    "Hartlepool 1": 0.2,
    "Hartlepool 2": 0.2,
    "Middlesbrough 1": 0.25,
    "Middlesbrough 2": 0.5,
    "Redcar and Cleveland 1": 0.2,
    "Stockton-on-Tees 1": 0.2,
}

rng = random.Random(20190401)
with open("tests/golden/sample/audit_sample.csv", newline="") as f:
    rows = list(csv.DictReader(f))
columns = list(rows[0].keys()) + [
    "second_reviewer_finding",
    "supervisor_reviewed",
    "evidence_led_considered",
    "reviewer",
    "notes",
]
for k, row in enumerate(rows):
    u = rng.random()
    if u < 0.1:
        finding = "cannot_tell"
    elif u < 0.1 + 0.9 * PLANTED[row["stratum"]]:
        finding = "inappropriate"
    else:
        finding = "appropriate"
    row["reviewer_finding"] = finding
    bad = finding == "inappropriate"
    row["supervisor_reviewed"] = "no" if rng.random() < (0.7 if bad else 0.2) else "yes"
    row["evidence_led_considered"] = (
        "not_recorded" if rng.random() < 0.15 else ("no" if rng.random() < (0.8 if bad else 0.3) else "yes")
    )
    row["second_reviewer_finding"] = ""
    if k % 6 == 0:
        row["second_reviewer_finding"] = (
            finding if rng.random() < 0.8 else rng.choice(["appropriate", "inappropriate", "cannot_tell"])
        )
    row["reviewer"] = f"R{1 + k % 3}"
    row["notes"] = "synthetic finding, not a real review"
with open("data/sample/audit_reviewed.csv", "w", newline="") as f:
    writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
