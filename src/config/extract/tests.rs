use super::*;
use crate::config::{AdjustWhen, Config, Overrides};
use crate::stats::{Adjustment, FunnelMethod, Scale};

const COLUMNS: &str = "[extract.columns]\ncrime_reference = \"Ref\"\nrecorded_date = \"Recorded\"\noutcome_date = \"Closed\"\noffence_code = \"Code\"\noutcome = \"Outcome\"\ndomestic_abuse = \"DA\"\narea = \"Area\"\n";

fn load(main: &str, extract: &str) -> anyhow::Result<Config> {
    let text = format!(
        "inputs = [\"x.csv\"]\n{main}\n[outputs]\nfolder = \"out\"\n[extract]\nfile = \"e.csv\"\n{extract}"
    );
    Config::from_toml(Path::new("dir/a.toml"), &text, &Overrides::default())
}

fn extract(main: &str, extract: &str) -> ExtractConfig {
    load(main, extract)
        .unwrap_or_else(|e| panic!("{e:#}"))
        .extract
        .expect("extract")
}

fn error(main: &str, extract: &str) -> String {
    format!("{:#}", load(main, extract).expect_err("an error"))
}

#[test]
fn defaults_and_inheritance() {
    let config = extract(
        "outcome = [16]\ndenominator = \"suspect_identified\"\n[funnel]\nmethod = \"exact\"\nlevels = [0.9, 0.99]\ntarget = 0.4\n[spc]\nshift_length = 6\n",
        COLUMNS,
    );
    assert_eq!(config.file, PathBuf::from("dir/e.csv"));
    assert_eq!(config.file_label, "e.csv");
    assert_eq!(config.scope, ExtractScope::DomesticAbuse);
    assert_eq!(config.area_level, AreaLevel::District);
    assert_eq!(config.measure.numerator, [16]);
    assert!(!config.measure.denominator.contains(&14));
    assert_eq!(config.measure.basis, Basis::AssignedInPeriod);
    assert_eq!(config.funnel.method, FunnelMethod::Exact);
    assert_eq!(config.funnel.levels.outer().label(), "99");
    // A fixed national target is not inherited by a within-force funnel.
    assert_eq!(config.funnel.target, Target::Pooled);
    assert_eq!(config.spc.shift_length, 6);
    assert_eq!(config.audit, None);
    assert_eq!(config.source_label(), "force extract");
    let (numerator, denominator) = config.measure.masks();
    assert!(numerator[16] && !numerator[15] && denominator[15] && !denominator[0]);
}

#[test]
fn every_key() {
    let config = extract(
        "",
        &format!(
            "force = \"Cleveland\"\nnote = \"synthetic extract, not real Cleveland data\"\nscope = \"non_da\"\narea_level = \"lsoa\"\n{COLUMNS}victim_reference = \"V\"\nunit = \"U\"\nvictim_age_band = \"Age\"\nvictim_sex = \"Sex\"\n[extract.outcome_labels]\n\"NSI  Victim Does Not Support\" = 16\n[extract.offence_codes]\n\"Common assault\" = \" 105a \"\n[extract.flag_values]\nyes = [\"DA\"]\nno = [\"Non-DA\"]\n[extract.funnel]\nmethod = \"normal\"\noverdispersion = \"multiplicative\"\nscale = \"natural\"\nwinsorise = 0.05\nadjust_when = \"significant\"\nlevels = [0.998, 0.95]\ntarget = \"pooled\"\n[extract.audit]\nseed = 42\nshare = 0.1\nstratify = \"unit\"\n"
        ),
    );
    assert_eq!(config.scope, ExtractScope::NotDomesticAbuse);
    assert!(config.scope.includes(false) && config.scope.compares(true));
    assert_eq!(config.area_level, AreaLevel::Lsoa);
    assert_eq!(config.outcome_labels["nsi victim does not support"], 16);
    assert_eq!(config.offence_codes["common assault"], "105A");
    assert_eq!(config.flag_yes, ["da"]);
    assert_eq!(config.flag_no, ["non-da"]);
    assert_eq!(config.funnel.method, FunnelMethod::Normal);
    assert_eq!(config.funnel.overdispersion, Adjustment::Multiplicative);
    assert_eq!(config.funnel.scale, Scale::Natural);
    assert_eq!(config.funnel.adjust_when, AdjustWhen::Significant);
    assert_eq!(
        config.audit,
        Some(AuditConfig {
            seed: 42,
            size: AuditSize::Share(0.1),
            stratify: Stratify::Unit,
        })
    );
    assert_eq!(
        config.source_label(),
        "Cleveland (synthetic extract, not real Cleveland data)"
    );
}

#[test]
fn a_planned_sample_size() {
    let planned = |keys: &str| {
        extract("", &format!("{COLUMNS}[extract.audit]\nseed = 7\n{keys}"))
            .audit
            .expect("audit")
            .size
    };
    assert_eq!(
        planned("margin = 0.05\n"),
        AuditSize::Margin {
            margin: 0.05,
            expected: 0.5,
            neyman: false,
        }
    );
    assert_eq!(
        planned("margin = 0.1\nexpected = 0.3\nallocation = \"Neyman\"\n"),
        AuditSize::Margin {
            margin: 0.1,
            expected: 0.3,
            neyman: true,
        }
    );
}

#[test]
fn errors_name_the_key() {
    let cases = [
        (format!("bogus = 1\n{COLUMNS}"), "unknown field `bogus`"),
        (
            format!("scope = \"domestic\"\n{COLUMNS}"),
            "unknown variant `domestic`, expected one of `da`, `non_da`, `all`",
        ),
        (
            COLUMNS.replace("offence_code = \"Code\"\n", ""),
            "extract.columns: give offence_code",
        ),
        (
            COLUMNS.replace("offence_code", "offence_description"),
            "extract.offence_codes: offence_description is mapped",
        ),
        (
            COLUMNS.replace("area = \"Area\"\n", ""),
            "missing field `area`",
        ),
        (
            format!("{COLUMNS}[extract.outcome_labels]\n\"x\" = 23\n"),
            "extract.outcome_labels: \"x\" = 23 is not an outcome type (0-22)",
        ),
        (
            format!("{COLUMNS}[extract.outcome_labels]\n\"A b\" = 16\n\"a  B\" = 15\n"),
            "is given twice",
        ),
        (
            format!("{COLUMNS}[extract.flag_values]\nyes = [\"x\"]\nno = [\"X\"]\n"),
            "extract.flag_values: \"x\" is listed as both yes and no",
        ),
        (
            format!("{COLUMNS}[extract.audit]\nseed = 1\nper_stratum = 3\nshare = 0.1\n"),
            "extract.audit: give one of per_stratum, share and margin, not several",
        ),
        (
            format!("{COLUMNS}[extract.audit]\nseed = 1\nshare = 0.1\nmargin = 0.05\n"),
            "extract.audit: give one of per_stratum, share and margin, not several",
        ),
        (
            format!("{COLUMNS}[extract.audit]\nseed = 1\nmargin = 0.7\n"),
            "extract.audit.margin: 0.7 is not in (0, 0.5]",
        ),
        (
            format!("{COLUMNS}[extract.audit]\nseed = 1\nmargin = 0.05\nexpected = 2\n"),
            "extract.audit.expected: 2 is not a share in [0, 1]",
        ),
        (
            format!(
                "{COLUMNS}[extract.audit]\nseed = 1\nmargin = 0.05\nallocation = \"optimal\"\n"
            ),
            "extract.audit.allocation: \"optimal\" is not one of proportional, neyman",
        ),
        (
            format!(
                "{COLUMNS}[extract.audit]\nseed = 1\nper_stratum = 3\nallocation = \"neyman\"\n"
            ),
            "extract.audit: expected and allocation plan a sample for margin: give margin too",
        ),
        (
            format!("{COLUMNS}[extract.audit]\nseed = 1\n"),
            "extract.audit: give per_stratum",
        ),
        (
            format!("{COLUMNS}[extract.audit]\nseed = 1\nshare = 1.5\n"),
            "extract.audit.share: 1.5 is not in (0, 1]",
        ),
        (
            format!("{COLUMNS}[extract.audit]\nseed = 1\nper_stratum = 2\nstratify = \"unit\"\n"),
            "extract.audit.stratify: \"unit\" needs extract.columns.unit",
        ),
        (
            format!("{COLUMNS}[extract.funnel]\nwinsorise = 0.5\n"),
            "extract.funnel: winsorise: 0.5 is outside [0, 0.5)",
        ),
        (
            format!("{COLUMNS}[extract.funnel]\ntarget = \"national\"\n"),
            "extract.funnel: target: \"national\" is not \"pooled\"",
        ),
    ];
    for (text, expected) in cases {
        let message = error("", &text);
        assert!(
            message.contains(expected),
            "{expected:?} not in {message:?}"
        );
        assert!(message.starts_with("dir/a.toml"), "{message}");
    }
}
