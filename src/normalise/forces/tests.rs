use super::*;

fn table() -> ForceTable {
    ForceTable::bundled().expect("bundled forces table parses")
}

#[test]
fn bundled_table_has_43_territorial_forces_and_btp() {
    let t = table();
    let territorial = t
        .forces()
        .iter()
        .filter(|f| f.kind == ForceKind::Territorial)
        .count();
    assert_eq!(territorial, 43);
    let btp = t
        .lookup("British Transport Police")
        .map(|id| t.force(id).kind);
    assert_eq!(btp, Some(ForceKind::Transport));
}

#[test]
fn publishers_names_and_aliases_resolve() {
    let t = table();
    let name = |s: &str| t.lookup(s).map(|id| t.force(id).name.clone());
    assert_eq!(name("London, City of").as_deref(), Some("London, City of"));
    assert_eq!(
        name("City of London Police").as_deref(),
        Some("London, City of")
    );
    assert_eq!(
        name("Devon & Cornwall").as_deref(),
        Some("Devon and Cornwall")
    );
    assert_eq!(
        name("Avon & Somerset").as_deref(),
        Some("Avon and Somerset")
    );
    assert_eq!(
        name("Hampshire and Isle of Wight").as_deref(),
        Some("Hampshire")
    );
    assert_eq!(name("  CLEVELAND ").as_deref(), Some("Cleveland"));
    assert_eq!(name("E23000013").as_deref(), Some("Cleveland"));
    assert_eq!(name("Dyfed\u{2013}Powys").as_deref(), Some("Dyfed-Powys"));
    assert_eq!(name("Clevland"), None);
}

#[test]
fn closest_names_for_typos() {
    let t = table();
    assert_eq!(t.closest_names("Clevland", 1), ["Cleveland"]);
    assert!(t
        .closest_names("Nothumbria", 3)
        .contains(&"Northumbria".to_string()));
}

#[test]
fn user_aliases_extend_and_are_checked() {
    let mut t = table();
    t.add_alias("Cleveland Constab.", "Cleveland").unwrap();
    assert!(t.lookup("cleveland constab.").is_some());
    let err = t.add_alias("X", "Clevland").unwrap_err().to_string();
    assert!(err.contains("closest known names: Cleveland"), "{err}");
    let err = t.add_alias("Durham", "Cleveland").unwrap_err().to_string();
    assert!(err.contains("given to both"), "{err}");
}

/// The Welsh forces' Welsh names are aliases; a total is never offered as the closest force.
#[test]
fn welsh_names_and_no_aggregate_suggestions() {
    let t = ForceTable::bundled().unwrap();
    for (welsh, force) in [
        ("Heddlu Dyfed-Powys", "Dyfed-Powys"),
        ("Heddlu Gogledd Cymru", "North Wales"),
        ("Heddlu De Cymru", "South Wales"),
        ("Heddlu Gwent", "Gwent"),
    ] {
        let id = t.lookup(welsh).unwrap_or_else(|| panic!("{welsh}"));
        assert_eq!(t.force(id).name, force);
    }
    for typo in ["England and Walse", "England", "Englnd & Wales", "Wales"] {
        let offered = t.closest_names(typo, 5);
        assert!(
            !offered.iter().any(|n| n == "England and Wales"),
            "{typo}: {offered:?}"
        );
    }
}
