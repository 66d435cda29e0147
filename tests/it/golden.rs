//! Golden files: expected run outputs under tests/golden/<name>/.
//! Refresh them on purpose with `UPDATE_GOLDEN=1 cargo test --test it`, and read the diff.

use std::path::{Path, PathBuf};

use crate::support::root;

/// The golden files of a run: every CSV table and summary.json (binary files such as
/// Parquet and XLSX are covered by the determinism test instead).
fn golden_files(run: &Path) -> Vec<String> {
    files_under(run)
        .into_iter()
        .filter(|f| f.ends_with(".csv") || f == "summary.json")
        .collect()
}

/// Every file below `dir`, as sorted relative paths with `/`.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if let Ok(relative) = path.strip_prefix(base) {
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Compares a run folder with tests/golden/<name>, or rewrites the goldens when
/// UPDATE_GOLDEN=1.
pub fn check_folder(run: &Path, name: &str) {
    let golden: PathBuf = root().join("tests/golden").join(name);
    let files = golden_files(run);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&golden);
        for file in &files {
            let target = golden.join(file);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(run.join(file), target).unwrap();
        }
        return;
    }
    assert_eq!(
        files,
        golden_files(&golden),
        "the run's files differ from tests/golden/{name} (UPDATE_GOLDEN=1 refreshes them)"
    );
    for file in files {
        let actual = std::fs::read_to_string(run.join(&file))
            .unwrap()
            .replace("\r\n", "\n");
        let expected = std::fs::read_to_string(golden.join(&file))
            .unwrap()
            .replace("\r\n", "\n");
        if actual != expected {
            let first = actual
                .lines()
                .zip(expected.lines())
                .position(|(a, e)| a != e)
                .unwrap_or(actual.lines().count().min(expected.lines().count()));
            panic!(
                "tests/golden/{name}/{file} differs at line {}:\n```expected\n{}\n```\n```actual\n{}\n```\n(UPDATE_GOLDEN=1 refreshes the goldens; read the diff)",
                first + 1,
                expected.lines().nth(first).unwrap_or("<end of file>"),
                actual.lines().nth(first).unwrap_or("<end of file>")
            );
        }
    }
}
