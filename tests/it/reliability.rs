//! Crash safety and concurrency of run folders. A run killed at seeded random points leaves
//! the previous complete output, byte for byte, or none, never a partial folder; two runs
//! started together on one output folder leave it complete and byte-identical to a single
//! run's, and the one that loses the lock says so and exits 1; a folder a killed run had moved
//! aside is put back by the next run.
//! (Determinism itself is `run::two_runs_are_byte_identical`.)

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Instant;

use crate::support::Workdir;

/// The seed of the kill delays; the failure message repeats it with the delays drawn.
const SEED: u64 = 8;

/// How many times a run is killed.
const KILLS: u32 = 10;

/// SplitMix64 (Steele, Lea and Flood 2014): a few lines of seeded randomness, so the kill
/// points are the same on every machine (as fractions of the run's duration).
struct SplitMix64(u64);

impl SplitMix64 {
    /// A uniform draw from [0, 1).
    fn next_unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The top 53 bits, exactly representable.
        #[allow(clippy::cast_precision_loss)]
        let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
        unit
    }
}

/// A tidy-counts table of twelve areas and its analysis file writing `out`: a small input, so
/// that most of a run's time is spent writing its folder (tables as CSV, Parquet and Excel,
/// charts, report, summary, manifest).
fn setup(work: &Workdir) {
    let mut csv = String::from("unit,period,numerator,denominator\n");
    for i in 0..12u32 {
        let denominator = 300 + 37 * i;
        let numerator = denominator / 3 + (i * 13) % 40;
        csv.push_str(&format!("Area {i:02},2019/20,{numerator},{denominator}\n"));
    }
    std::fs::write(work.path().join("areas.csv"), csv).expect("write input");
    std::fs::write(
        work.path().join("areas.toml"),
        "inputs = [\"areas.csv\"]\nfocus = [\"Area 03\"]\n[outputs]\nfolder = \"out\"\n",
    )
    .expect("write analysis file");
}

/// Starts `outcome-lens run --config areas.toml ARGS` in `work`, output discarded.
fn start(work: &Workdir, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("outcome-lens"))
        .current_dir(work.path())
        .env("OUTCOME_LENS_CACHE", work.cache())
        .args(["run", "--config", "areas.toml", "-q"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start outcome-lens run")
}

/// Waits for a run, returning its status and stderr.
fn finish(child: Child) -> (ExitStatus, String) {
    let out = child.wait_with_output().expect("wait for outcome-lens");
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    crate::golden::files_under(dir)
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(dir.join(&file)).expect("read output");
            (file, bytes)
        })
        .collect()
}

/// Names in the work folder that belong to a run in progress or a killed one: the temporary
/// and set-aside folders and the lock (`.out.tmp-PID`, `.out.old-PID`, `.out.lock`, …).
fn leftovers(work: &Workdir) -> Vec<String> {
    work.listing()
        .into_iter()
        .filter(|name| name.starts_with(".out"))
        .collect()
}

/// Names the files that differ between two snapshots.
fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut names: Vec<String> = a.keys().chain(b.keys()).cloned().collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| a.get(name) != b.get(name))
        .collect()
}

/// Ten runs replacing a complete folder (`--force`) are killed at seeded random points spread
/// over a run's duration, one in each tenth of it, mostly with SIGKILL (a crash: no clean-up)
/// and every third with SIGTERM. After each, the folder is the previous output byte for byte
/// or absent; a run that beat its signal wrote the same bytes, since runs are deterministic.
/// A folder that a killed run had moved aside is put back by the next run, and the next
/// complete run removes whatever the killed ones left.
#[test]
fn run_killed_at_random_points_leaves_previous_output_or_none() {
    let work = Workdir::new();
    setup(&work);
    let started = Instant::now();
    let (status, stderr) = finish(start(&work, &[]));
    let duration = started.elapsed();
    assert!(status.success(), "{stderr}");
    let complete = snapshot(&work.path().join("out"));
    assert!(complete.len() >= 14, "{:?}", complete.keys());

    let mut rng = SplitMix64(SEED);
    let mut drawn = Vec::new();
    let mut interrupted = 0;
    for kill in 0..KILLS {
        let fraction = (f64::from(kill) + rng.next_unit()) / f64::from(KILLS);
        let delay = duration.mul_f64(fraction);
        let signal = if kill % 3 == 2 { "TERM" } else { "KILL" };
        drawn.push(format!("{signal} at {fraction:.3} ({delay:?})"));
        let context = format!("seed {SEED}, run duration {duration:?}, kills {drawn:?}");
        let mut child = start(&work, &["--force"]);
        std::thread::sleep(delay);
        if signal == "KILL" {
            // SIGKILL; fails harmlessly if the run has already finished.
            let _ = child.kill();
        } else {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .stderr(Stdio::null())
                .status();
        }
        let (status, stderr) = finish(child);
        assert!(!stderr.contains("panicked"), "{context}: {stderr}");
        if !status.success() {
            interrupted += 1;
        }
        let out = work.path().join("out");
        if out.exists() {
            let now = snapshot(&out);
            assert!(
                now == complete,
                "{context}: the folder differs from the previous output in {:?}",
                differences(&complete, &now)
            );
        }
        if signal == "TERM" {
            assert_eq!(
                leftovers(&work),
                Vec::<String>::new(),
                "{context}: SIGTERM left files"
            );
        }
    }
    // With a signal in each tenth of the run, most land before it ends.
    assert!(
        interrupted >= KILLS / 2,
        "only {interrupted} of {KILLS} runs were interrupted: {drawn:?}"
    );

    // A run killed between moving the previous folder aside and moving its own into place
    // leaves no folder, only `.out.old-PID` (and its `.out.tmp-PID`): the next run puts the
    // previous folder back, whether it then stops (here: no --force) or replaces it.
    let out = work.path().join("out");
    if out.exists() {
        std::fs::rename(&out, work.path().join(".out.old-999999999")).unwrap();
    }
    std::fs::create_dir_all(work.path().join(".out.tmp-999999999")).unwrap();
    let (status, stderr) = finish(start(&work, &[]));
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("output folder out already exists; pass --force to replace it"),
        "{stderr}"
    );
    assert!(snapshot(&out) == complete, "the previous folder is back");

    // The next complete run removes whatever the killed runs left.
    let (status, stderr) = finish(start(&work, &["--force"]));
    assert!(status.success(), "{stderr}");
    assert!(snapshot(&out) == complete);
    assert_eq!(leftovers(&work), Vec::<String>::new());
}

/// Two runs started together on one output folder, first on a new folder and then replacing
/// it: one takes the lock and writes the folder, the other exits 1 naming the winner's
/// process; the folder is byte-identical to a single run's, and nothing is left behind.
#[test]
fn two_runs_started_together_on_one_folder() {
    let work = Workdir::new();
    setup(&work);
    let (status, stderr) = finish(start(&work, &[]));
    assert!(status.success(), "{stderr}");
    let single = snapshot(&work.path().join("out"));
    std::fs::remove_dir_all(work.path().join("out")).expect("remove the single run");

    for (round, args) in [("new folder", &[][..]), ("replacing it", &["--force"][..])] {
        let (first, second) = (start(&work, args), start(&work, args));
        let (first_pid, second_pid) = (first.id(), second.id());
        let (first, second) = (finish(first), finish(second));
        let outcomes = [(first_pid, first), (second_pid, second)];
        let winners: Vec<u32> = outcomes
            .iter()
            .filter(|(_, (status, _))| status.success())
            .map(|(pid, _)| *pid)
            .collect();
        assert_eq!(winners.len(), 1, "{round}: {outcomes:?}");
        let (_, (status, message)) = outcomes
            .iter()
            .find(|(_, (status, _))| !status.success())
            .expect("a loser");
        assert_eq!(status.code(), Some(1), "{round}: {message}");
        assert_eq!(message.lines().count(), 1, "{round}: {message}");
        let expected = format!(
            "outcome-lens: another outcome-lens run (process {}) is writing out; wait for it or remove",
            winners[0]
        );
        assert!(message.starts_with(&expected), "{round}: {message}");
        let now = snapshot(&work.path().join("out"));
        assert!(
            now == single,
            "{round}: the folder differs from a single run's in {:?}",
            differences(&single, &now)
        );
        assert_eq!(leftovers(&work), Vec::<String>::new(), "{round}");
    }
}
