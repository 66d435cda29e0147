use super::*;

fn load(text: &str) -> Result<Config> {
    Config::from_toml(Path::new("dir/analysis.toml"), text, &Overrides::default())
}

fn error(text: &str) -> String {
    format!("{:#}", load(text).unwrap_err())
}

const MINIMAL: &str = "inputs = [\"x.csv\"]\n[outputs]\nfolder = \"out\"\n";

#[test]
fn defaults() {
    let config = load(MINIMAL).unwrap();
    assert_eq!(config.outcomes, [16]);
    assert_eq!(config.basis, Basis::AssignedInPeriod);
    assert_eq!(config.denominator.types, (1..=22).collect::<Vec<u8>>());
    assert_eq!(config.period, PeriodSpec::All);
    assert_eq!(config.scope.name, "all");
    assert_eq!(config.funnel.method, FunnelMethod::Arcsine);
    assert_eq!(config.funnel.overdispersion, Adjustment::Additive);
    assert_eq!(config.inputs, [PathBuf::from("dir/x.csv")]);
    assert_eq!(config.out, PathBuf::from("dir/out"));
    assert!(!config.include_btp);
    assert!(config.in_national_set("Cleveland"));
    assert!(config.in_national_set("London, City of"));
    assert!(!config.in_national_set("British Transport Police"));
    assert!(!config.in_national_set("England and Wales"));
    assert_eq!(
        config.peer_group_of("Cleveland").map(|g| g.name.as_str()),
        Some("region_north_east")
    );
}

#[test]
fn unknown_keys_name_the_valid_choices() {
    let message = error("inputs = [\"x.csv\"]\nfocus = [\"Cleveland\"]\nbogus = 1\n");
    assert!(
        message.contains("dir/analysis.toml:3: unknown field `bogus`"),
        "{message}"
    );
    assert!(message.contains("expected one of"), "{message}");
    let message = error("inputs = [\"x.csv\"]\n[funnel]\nmethod = \"wilson\"\n");
    assert!(
        message.contains("unknown variant `wilson`, expected one of `normal`, `exact`, `arcsine`"),
        "{message}"
    );
}

#[test]
fn focus_spellings_are_made_canonical_and_scopes_checked() {
    let config = load(&format!(
        "focus = [\"Cleveland Police\", \"Area 7\"]\n{MINIMAL}"
    ))
    .unwrap();
    // A known spelling becomes the canonical name; anything else waits for the data (a tidy
    // table's unit, or an unknown-force error in the run).
    assert_eq!(config.focus, ["Area 7", "Cleveland"]);
    let message = error("inputs = [\"x.csv\"]\nscope = \"domestic\"\n");
    assert!(
        message.contains("unknown scope \"domestic\"; valid scopes: all, domestic_abuse_proxy, violence_against_the_person"),
        "{message}"
    );
}

#[test]
fn da_proxy_is_labelled_as_a_proxy() {
    let config = load(&format!("scope = \"domestic_abuse_proxy\"\n{MINIMAL}")).unwrap();
    assert!(config.scope.proxy);
    assert_eq!(
        config.scope.label,
        "DA proxy: violence offence codes 8N, 105A, 8L, 8Q, 3B"
    );
}

#[test]
fn periods_and_denominators() {
    let config = load(&format!(
        "period = \"2018/19\"\ndenominator = \"suspect_identified\"\n{MINIMAL}"
    ))
    .unwrap();
    assert_eq!(config.period, PeriodSpec::FinancialYear(2018));
    assert!(!config.denominator.types.contains(&14));
    let config = load(&format!(
        "period = {{ rolling_12_months_to = \"2018/19 Q2\" }}\n{MINIMAL}"
    ))
    .unwrap();
    let spec = config.period;
    assert!(spec.contains(Period::new(2017, 3).unwrap()));
    assert!(spec.contains(Period::new(2018, 2).unwrap()));
    assert!(!spec.contains(Period::new(2017, 2).unwrap()));
    assert!(!spec.contains(Period::new(2018, 3).unwrap()));
    assert!(error(&format!("period = \"2018\"\n{MINIMAL}")).contains("is not a financial year"));
    assert!(error(&format!("denominator = [1, 2]\n{MINIMAL}"))
        .contains("outcome type 16 is counted in the numerator but not in the denominator"));
}

#[test]
fn peer_groups_from_the_analysis_file() {
    let config = load(&format!(
        "{MINIMAL}[peers.groups.cleveland_msg]\nowner = \"Cleveland\"\nmembers = [\"Cleveland\", \"Durham\", \"Humberside\"]\n"
    ))
    .unwrap();
    assert_eq!(
        config.peer_group_of("Cleveland").map(|g| g.name.as_str()),
        Some("cleveland_msg")
    );
    assert_eq!(
        config.peer_group_of("Durham").map(|g| g.name.as_str()),
        Some("region_north_east")
    );
    let message = error(&format!(
        "{MINIMAL}[peers.groups.x]\nmembers = [\"Nowhere\"]\n"
    ));
    assert!(
        message.contains("peers.groups.x: unknown force \"Nowhere\""),
        "{message}"
    );
}

#[test]
fn funnel_levels_and_target() {
    let config = load(&format!(
        "{MINIMAL}[funnel]\nlevels = [0.99, 0.68]\ntarget = 0.2\n"
    ))
    .unwrap();
    assert_eq!(config.funnel.levels.outer().label(), "99");
    assert_eq!(config.funnel.levels.inner().label(), "68");
    assert_eq!(config.funnel.target, Target::Fixed(0.2));
    assert!(
        error(&format!("{MINIMAL}[funnel]\nlevels = [0.95]\n")).contains("give exactly two levels")
    );
    assert!(error(&format!("{MINIMAL}[funnel]\nlevels = [0.95, 1.5]\n")).contains("funnel"));
    assert!(error(&format!("{MINIMAL}[funnel]\nwinsorise = 0.7\n")).contains("winsorise"));
}

/// Values of the wrong form are answered with the key, the value as written and the accepted
/// forms, never serde's words ("untagged enum", "did not match any variant") or a key twice.
#[test]
fn wrong_forms_name_the_key_the_value_and_the_accepted_forms() {
    let cases: &[(&str, &str)] = &[
        (
            "outcome = \"16\"\n",
            "dir/analysis.toml:2: outcome: \"16\" is not an outcome type; write outcome = 16 or outcome = [15, 16] (whole numbers 0-22), without quotes",
        ),
        ("outcome = [15, \"16\"]\n", "outcome: [15, \"16\"] is not an outcome type"),
        ("outcome = 300\n", "outcome: 300 is not an outcome type"),
        (
            "period = 2018\n",
            "period: 2018 is not a financial year (\"2018/19\"), \"all\", or { rolling_12_months_to = \"2018/19 Q4\" }",
        ),
        (
            "period = { rolling_12_months = \"2018/19 Q4\" }\n",
            "period: { rolling_12_months = \"2018/19 Q4\" } is not a financial year",
        ),
        (
            "denominator = 16\n",
            "denominator: 16 is not \"all_assigned\", \"suspect_identified\" or a list of outcome types such as [1, 2, 16]",
        ),
        (
            "denominator = \"everything\"\n",
            "dir/analysis.toml: denominator: \"everything\" is not one of all_assigned, suspect_identified, or a list of outcome types",
        ),
        (
            "[funnel]\ntarget = true\n",
            "target: true is not \"pooled\" or a rate strictly between 0 and 1 such as 0.2",
        ),
    ];
    for (extra, expected) in cases {
        let text = if extra.starts_with('[') {
            format!("inputs = [\"x.csv\"]\n{extra}")
        } else {
            format!("inputs = [\"x.csv\"]\n{extra}[outputs]\nfolder = \"out\"\n")
        };
        let message = error(&text);
        assert!(message.contains(expected), "{extra}: {message}");
        for leaked in ["untagged", "variant", "denominator: denominator"] {
            assert!(!message.contains(leaked), "{extra}: {message}");
        }
        assert_eq!(message.lines().count(), 1, "{message}");
    }
}
