use super::*;
use crate::config::{Config, Overrides};
use crate::extract::read::read_from;
use indicatif::ProgressBar;
use std::path::Path;

fn config(audit: &str) -> ExtractConfig {
    let text = format!("inputs = [\"x.csv\"]\n[outputs]\nfolder = \"out\"\n[extract]\nfile = \"e.csv\"\n[extract.columns]\ncrime_reference = \"Ref\"\nrecorded_date = \"Recorded\"\noutcome_date = \"Closed\"\noffence_code = \"Code\"\noutcome = \"Outcome\"\ndomestic_abuse = \"DA\"\narea = \"Area\"\nvictim_reference = \"Victim\"\nunit = \"Team\"\n{audit}");
    Config::from_toml(Path::new("a.toml"), &text, &Overrides::default())
        .unwrap()
        .extract
        .unwrap()
}

/// 30 outcome-16 domestic-abuse crimes in North, 4 in South; others that are not eligible.
fn extract_text(reverse: bool) -> String {
    let mut rows = Vec::new();
    for i in 0..30 {
        rows.push(format!(
            "N{i:02},2019-04-01,2019-04-0{},8N,16,Y,North,V{},CID",
            2 + i % 7,
            i % 9
        ));
    }
    for i in 0..4 {
        rows.push(format!("S{i},2019-04-01,2019-04-02,8N,16,Y,South,W{i},"));
    }
    rows.push("X1,2019-04-01,2019-04-02,8N,16,N,South,W9,CID".into());
    rows.push("X2,2019-04-01,2019-04-02,8N,15,Y,South,W9,CID".into());
    rows.push("X3,2019-04-01,,8N,,Y,South,W9,CID".into());
    if reverse {
        rows.reverse();
    }
    format!(
        "Ref,Recorded,Closed,Code,Outcome,DA,Area,Victim,Team\n{}\n",
        rows.join("\n")
    )
}

fn drawn(text: &str, settings: &AuditConfig) -> (AuditSample, String) {
    let config = config("");
    let extract = read_from(&config, text.as_bytes(), &ProgressBar::hidden()).unwrap();
    let sample = draw(&extract, &config, settings);
    let csv = to_csv(&sample, &extract);
    (sample, csv)
}

fn settings(seed: u64, size: AuditSize, stratify: Stratify) -> AuditConfig {
    AuditConfig {
        seed,
        size,
        stratify,
    }
}

#[test]
fn stratified_and_reproducible() {
    let s = settings(11, AuditSize::PerStratum(5), Stratify::Area);
    let (sample, csv) = drawn(&extract_text(false), &s);
    assert_eq!(sample.eligible, 34);
    assert_eq!(
        sample.strata,
        [("North".to_string(), 30, 5), ("South".to_string(), 4, 4)]
    );
    assert_eq!(csv.lines().count(), 1 + 9);
    assert_eq!(csv.lines().next().unwrap(), COLUMNS.join(","));
    assert!(csv.lines().skip(1).all(|l| l.ends_with(",11,")), "{csv}");
    assert!(!csv.contains("X1") && !csv.contains("X2") && !csv.contains("X3"));
    let north = csv.lines().find(|l| l.starts_with("North")).unwrap();
    assert!(north.starts_with("North,30,5,6.000000,N"), "{north}");
    // The same seed gives the same bytes, whatever the order of the extract's rows.
    let (_, again) = drawn(&extract_text(true), &s);
    assert_eq!(csv, again);
    // Another seed draws other crimes from North.
    let (_, other) = drawn(
        &extract_text(false),
        &settings(12, AuditSize::PerStratum(5), Stratify::Area),
    );
    assert_ne!(csv, other);
}

#[test]
fn shares_round_up_and_units_can_be_strata() {
    let (sample, _) = drawn(
        &extract_text(false),
        &settings(1, AuditSize::Share(0.1), Stratify::Unit),
    );
    assert_eq!(
        sample.strata,
        [
            ("(no unit recorded)".to_string(), 4, 1),
            ("CID".to_string(), 30, 3)
        ]
    );
}

#[test]
fn settings_come_from_the_file_and_the_command_line() {
    let config_with = config("[extract.audit]\nseed = 7\nper_stratum = 3\n");
    let resolved = resolve(&config_with, &AuditOverrides::default()).unwrap();
    assert_eq!(
        resolved,
        settings(7, AuditSize::PerStratum(3), Stratify::Area)
    );
    let resolved = resolve(
        &config_with,
        &AuditOverrides {
            seed: Some(8),
            share: Some(0.5),
            stratify: Some(Stratify::Unit),
            ..AuditOverrides::default()
        },
    )
    .unwrap();
    assert_eq!(resolved, settings(8, AuditSize::Share(0.5), Stratify::Unit));
    let bare = config("");
    let message = resolve(&bare, &AuditOverrides::default())
        .unwrap_err()
        .to_string();
    assert!(message.starts_with("no seed"), "{message}");
    let message = resolve(
        &bare,
        &AuditOverrides {
            seed: Some(1),
            ..AuditOverrides::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(message.starts_with("no sample size"), "{message}");
}
