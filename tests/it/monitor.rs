//! Monitoring against the action plan (issue #19) seen from the command line: `diff` lists
//! new rule hits and changed variation labels, and `--fail-on` gates on them.

use crate::support::Workdir;

/// Copies run folder `from` to `to` inside `work`.
fn copy_run(work: &Workdir, from: &str, to: &str) {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let (from, to) = (work.path().join(from), work.path().join(to));
    let mut files = Vec::new();
    walk(&from, &mut files);
    for file in files {
        let target = to.join(file.strip_prefix(&from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, &target).unwrap();
    }
}

/// A CSV field as `diff` writes it: quoted when it holds a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Rewrites `table` of a run folder with `edit` applied to its rows (header first).
fn edit_table(work: &Workdir, table: &str, edit: impl FnOnce(&mut Vec<Vec<String>>)) {
    let path = work.path().join(table);
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let mut rows = vec![reader
        .headers()
        .unwrap()
        .iter()
        .map(String::from)
        .collect::<Vec<_>>()];
    for record in reader.records() {
        rows.push(record.unwrap().iter().map(String::from).collect());
    }
    edit(&mut rows);
    let mut writer = csv::Writer::from_path(&path).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
}

/// The month after the sample's last: a point that turned special cause (concerning) and hit
/// a rule is listed; a new month with common-cause variation is not; `--fail-on
/// special_cause_concerning` exits 3 on the first and 0 when only other things differ.
#[test]
fn diff_lists_new_rule_hits_and_variation_labels_and_gates_on_them() {
    let work = Workdir::with_sample();
    let (code, _, stderr) = work.run(&["run", "--config", "analysis.toml", "--out", "a", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    copy_run(&work, "a", "b");
    let mut changed = (String::new(), String::new());
    edit_table(&work, "b/tables/extract_by_month.csv", |rows| {
        let column = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
        let (source, period) = (column("source"), column("period"));
        let (variation, beyond) = (column("variation"), column("rule_beyond_limits"));
        let last = rows.len() - 1;
        assert_eq!(rows[last][variation], "common_cause", "{:?}", rows[last]);
        let mut next = rows[last].clone();
        next[period] = "2099-01".into();
        rows[last][variation] = "special_cause_concerning".into();
        rows[last][beyond] = "true".into();
        changed = (rows[last][source].clone(), rows[last][period].clone());
        rows.push(next);
    });
    let subject = format!("{} {}", changed.0, changed.1);
    let quoted = csv_field(&subject);
    let (code, stdout, _) = work.run(&["diff", "a", "b"]);
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.contains(
            &format!("variation,{quoted},variation,common_cause,special_cause_concerning").as_str()
        ),
        "{stdout}"
    );
    assert!(
        lines.contains(&format!("rule,{quoted},rule_beyond_limits,false,true").as_str()),
        "{stdout}"
    );
    assert!(
        !stdout.contains("2099-01"),
        "a common-cause new month is not news: {stdout}"
    );
    assert_eq!(
        lines.len(),
        3,
        "the header and the two changes only: {stdout}"
    );

    let (code, _, stderr) = work.run(&["diff", "a", "b", "--fail-on", "special_cause_concerning"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "gate: variation {subject} variation: common_cause -> special_cause_concerning"
        )),
        "{stderr}"
    );
    let (code, _, stderr) = work.run(&["diff", "a", "b", "--fail-on", "rule_hit"]);
    assert_eq!(code, 3, "{stderr}");

    // Only a chart differs: a difference (exit 1), but not one the gate is about (exit 0).
    copy_run(&work, "a", "c");
    let chart = work.path().join("c/charts/funnel.svg");
    let svg = std::fs::read_to_string(&chart).unwrap();
    std::fs::write(&chart, svg.replace("Cleveland", "Clevel&#97;nd")).unwrap();
    let (code, _, _) = work.run(&["diff", "a", "c"]);
    assert_eq!(code, 1);
    let (code, _, stderr) = work.run(&["diff", "a", "c", "--fail-on", "special_cause_concerning"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, _) = work.run(&["diff", "a", "c", "--fail-on", "any"]);
    assert_eq!(code, 3);
    let (code, _, stderr) = work.run(&["diff", "a", "a", "--fail-on", "concerning"]);
    assert_eq!(code, 2, "an unknown gate is a usage error: {stderr}");
}
