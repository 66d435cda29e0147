use super::*;

#[test]
fn groups_compare_without_case() {
    assert_eq!(canonical_group("Drug Offences"), "Drug offences");
    assert_eq!(
        canonical_group("Violence against the person"),
        "Violence against the person"
    );
    assert_eq!(canonical_group(" Other  crimes "), "Other crimes");
}
