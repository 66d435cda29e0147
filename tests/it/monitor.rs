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

/// The bundled sample's analysis file with `[monitor] events_file` pointing at `file` (and
/// its own `[[events]]` removed when `only_file`).
fn with_events_file(work: &Workdir, file: &str, only_file: bool) -> String {
    let text = work.read("analysis.toml");
    let mut text = if only_file {
        let start = text.find("[[events]]").expect("the sample has an event");
        let end = start + text[start..].find("\n[monitor]").expect("then [monitor]");
        format!("{}{}", &text[..start], &text[end + 1..])
    } else {
        text
    };
    text = text.replacen(
        "[monitor]\n",
        &format!("[monitor]\nevents_file = {file:?}\n"),
        1,
    );
    let name = format!("analysis-{file}.toml");
    std::fs::write(work.path().join(&name), text).unwrap();
    name
}

/// An events file is read as `[[events]]` are: the sample's event from a CSV gives the same
/// monitoring as from the analysis file (its place aside), and events from both are merged.
#[test]
fn an_events_file_gives_the_events_of_the_analysis_file() {
    let work = Workdir::with_sample();
    std::fs::write(
        work.path().join("events.csv"),
        "\u{feff}Quarter,Label,Kind,Phase\r\n2019/20 Q1,Supervisor review of outcome 16 (illustrative),action_plan,\r\n",
    )
    .unwrap();
    let (code, _, stderr) = work.run(&[
        "run",
        "--config",
        "analysis.toml",
        "--out",
        "from-toml",
        "-q",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let config = with_events_file(&work, "events.csv", true);
    let (code, _, stderr) = work.run(&["run", "--config", &config, "--out", "from-csv", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    for table in [
        "monitor_events",
        "monitor_displacement",
        "extract_events",
        "trend",
    ] {
        assert_eq!(
            work.read(&format!("from-toml/tables/{table}.csv")),
            work.read(&format!("from-csv/tables/{table}.csv")),
            "{table}"
        );
    }
    // Both: the file's event and the analysis file's, on other days, are both measured.
    std::fs::write(
        work.path().join("more.csv"),
        "date,label,kind\n2019-10-01,Training of supervisors,training\n",
    )
    .unwrap();
    let config = with_events_file(&work, "more.csv", false);
    let (code, _, stderr) = work.run(&["run", "--config", &config, "--out", "both", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&work.read("both/summary.json")).unwrap();
    let events: Vec<&str> = summary["monitor"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "Supervisor review of outcome 16 (illustrative)",
            "Training of supervisors"
        ]
    );
}

/// The events-file corpus (tests/bad-input/events/expected.tsv): each bad file gives exit 1,
/// one line naming the file (and the line and value where there are), and no run folder.
#[test]
fn a_bad_events_file_is_refused_in_one_line_and_nothing_is_written() {
    let corpus = crate::support::root().join("tests/bad-input/events");
    let work = Workdir::with_sample();
    let mut checked = 0;
    for (file, code, message) in crate::support::corpus_cases("tests/bad-input/events") {
        std::fs::copy(corpus.join(&file), work.path().join(&file)).unwrap();
        let config = with_events_file(&work, &file, true);
        let out = format!("out-{file}");
        let (actual, _, stderr) = work.run(&["run", "--config", &config, "--out", &out, "-q"]);
        assert_eq!(actual, code, "{file}: {stderr}");
        assert!(
            stderr.contains(&message),
            "{file}: expected {message:?} in {stderr}"
        );
        assert!(stderr.contains(&file), "{file}: names the file: {stderr}");
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "{file}: one line: {stderr}"
        );
        assert!(!work.path().join(&out).exists(), "{file}: nothing written");
        checked += 1;
    }
    assert_eq!(checked, 15);
    // The good file of the corpus runs.
    std::fs::copy(corpus.join("good.csv"), work.path().join("good.csv")).unwrap();
    let config = with_events_file(&work, "good.csv", true);
    let (code, _, stderr) = work.run(&["run", "--config", &config, "--out", "good", "-q"]);
    assert_eq!(code, 0, "{stderr}");
}

/// The sample's Home Office displacement: the counts around the event (2018/19 against
/// 2019/20, four quarters each) are the sums of Cleveland's proxy rows in the two input files,
/// computed apart from the tool (Python's csv module over both .csv.gz files, assigned basis,
/// numeric counts): outcome 16 9,261 → 8,367, 15 1,326 → 2,121, 1 1,224 → 1,946, of 16,168 →
/// 17,079 assigned. make_series.py moved 15% of 16 out in 2019/20, half to 15 and half to 1,
/// so the sentence says "partly consistent" (15 and 16 together fell too).
#[test]
fn the_sample_measures_displacement_from_the_home_office_tables() {
    let work = Workdir::with_sample();
    let (code, _, stderr) = work.run(&["run", "--config", "analysis.toml", "--out", "out", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let table = work.read("out/tables/monitor_displacement.csv");
    let row = |group: &str| -> Vec<String> {
        table
            .lines()
            .map(|l| l.split(',').map(String::from).collect::<Vec<_>>())
            .find(|f| f[0] == "Cleveland" && f[3] == group)
            .unwrap_or_else(|| panic!("no row for {group}"))
    };
    for (group, before, after) in [
        ("16", "9261", "8367"),
        ("15", "1326", "2121"),
        ("1 (charge or summons)", "1224", "1946"),
    ] {
        let r = row(group);
        assert_eq!((r[4].as_str(), r[5].as_str()), (before, after), "{group}");
    }
    let share: f64 = row("16")[6].parse().unwrap();
    assert!((share - 9261.0 / 16168.0).abs() < 1e-8);
    let summary: serde_json::Value = serde_json::from_str(&work.read("out/summary.json")).unwrap();
    let sentence = summary["monitor"]["displacement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == "home_office")
        .expect("a Home Office displacement")["sentence"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        sentence.ends_with("partly consistent with displacement"),
        "{sentence}"
    );
    // The mix by quarter: twenty quarters, 2018/19's assigned outcomes those of the funnel.
    let mix = work.read("out/tables/outcome_mix.csv");
    let rows: Vec<Vec<&str>> = mix
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 20);
    let assigned: u64 = rows
        .iter()
        .filter(|r| r[1].starts_with("2018/19"))
        .map(|r| r[3].parse::<u64>().unwrap())
        .sum();
    assert_eq!(assigned, 16_168);
    assert!(work
        .path()
        .join("out/charts/displacement-cleveland.svg")
        .exists());
    assert!(work
        .path()
        .join("out/charts/extract-displacement.svg")
        .exists());
}
