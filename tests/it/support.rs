//! Helpers for the integration tests: the binary, a scratch folder, and paths to the real data.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cases of a bad-input corpus's `expected.tsv` (in `folder`, relative to the project
/// root): (file, exit code, a fragment of its message), comment and blank lines skipped.
pub fn corpus_cases(folder: &str) -> Vec<(String, i32, String)> {
    let path = root().join(folder).join("expected.tsv");
    let text = std::fs::read_to_string(&path).expect("expected.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let mut parts = line.splitn(3, '\t');
            let file = parts.next().expect("file").to_string();
            let code = parts
                .next()
                .expect("exit")
                .parse::<i32>()
                .expect("exit code");
            let message = parts.next().expect("message").to_string();
            (file, code, message)
        })
        .collect()
}

/// A real data file the project keeps under `data/raw/` (see `data/README.md`), so that a
/// clone alone passes its tests. Tests that need it fail, rather than skip, when it is missing.
pub fn realdata(relative: &str) -> PathBuf {
    let path = root().join("data/raw").join(relative);
    assert!(
        path.exists(),
        "real data file {} is missing: it is committed under data/raw/ (see data/README.md)",
        path.display()
    );
    path
}

/// A fresh scratch folder for one test, with the binary run inside it.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    /// A new empty folder.
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("create a temporary folder"),
        }
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A new folder holding a copy of every file of the bundled sample (`data/sample`): the
    /// analysis file, its Home Office table and the synthetic force extract.
    pub fn with_sample() -> Workdir {
        let work = Workdir::new();
        work.copy_sample();
        work
    }

    /// Copies every file of the bundled sample (`data/sample`) into this folder.
    pub fn copy_sample(&self) {
        self.copy_sample_into(".");
    }

    /// Copies every file of the bundled sample into a subfolder of this one.
    pub fn copy_sample_into(&self, folder: &str) {
        let target = self.path().join(folder);
        std::fs::create_dir_all(&target).expect("make the sample's folder");
        for entry in std::fs::read_dir(root().join("data/sample")).expect("list data/sample") {
            let path = entry.expect("an entry of data/sample").path();
            if path.is_file() {
                let name = path.file_name().expect("a file name");
                std::fs::copy(&path, target.join(name)).expect("copy the sample");
            }
        }
    }

    /// The folder's private ingest cache (`OUTCOME_LENS_CACHE`), so that tests never share one.
    pub fn cache(&self) -> PathBuf {
        self.path().join(".cache")
    }

    /// `outcome-lens ARGS` in this folder with its private ingest cache: (exit code, stdout,
    /// stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let mut cmd = self.command();
        cmd.args(args);
        output(&mut cmd)
    }

    /// A file of the folder as text.
    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path().join(relative))
            .unwrap_or_else(|e| panic!("{relative}: {e}"))
    }

    /// `outcome-lens` with its working directory set to this folder and its private ingest
    /// cache.
    pub fn command(&self) -> Command {
        let mut cmd = Command::cargo_bin("outcome-lens").expect("the outcome-lens binary");
        cmd.current_dir(self.path())
            .env("OUTCOME_LENS_CACHE", self.cache());
        cmd
    }

    /// Names of the files in the folder, sorted.
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path())
            .expect("list the folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// Runs a command and returns (exit code, stdout, stderr).
pub fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run outcome-lens");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Formats a count as the report does (thousands separators, whole units).
pub fn thousands(text: &str) -> String {
    let value = text.parse::<f64>().expect("a count").round();
    let digits = format!("{}", value.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 {
        format!("\u{2212}{out}")
    } else {
        out
    }
}
