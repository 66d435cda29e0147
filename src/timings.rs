//! Stage timings for profiling a run (`OUTCOME_LENS_TIMINGS=1`): wall time and, where Linux
//! reports them, CPU time, page faults and anonymous memory, read from `/proc/self`.
//!
//! Invariant: prints to stderr only when asked; reads nothing but `/proc/self`.

/// Stage timings on stderr when `OUTCOME_LENS_TIMINGS` is set (for profiling a run): wall
/// time and, where Linux reports them, the process's CPU time (user + system, all threads),
/// its minor page faults (fresh memory, which costs much more than it seems on some virtual
/// machines) and its anonymous memory at the end of the stage.
pub struct Stopwatch {
    last: Option<(std::time::Instant, Option<Counters>)>,
}

impl Stopwatch {
    /// A stopwatch that prints only when `OUTCOME_LENS_TIMINGS` is set.
    pub fn from_env() -> Stopwatch {
        Stopwatch {
            last: std::env::var_os("OUTCOME_LENS_TIMINGS")
                .map(|_| (std::time::Instant::now(), Counters::read())),
        }
    }

    /// Prints the stage just ended and starts the next.
    pub fn lap(&mut self, stage: &str) {
        if let Some((wall, counters)) = self.last.as_mut() {
            let (now, counters_now) = (std::time::Instant::now(), Counters::read());
            let usage = counters
                .zip(counters_now)
                .map(|(a, b)| {
                    format!(
                        ", CPU {:.0} ms, {} page faults, {:.0} MB anonymous",
                        1000.0 * (b.cpu_seconds - a.cpu_seconds),
                        b.minor_faults.saturating_sub(a.minor_faults),
                        b.anonymous_kb as f64 / 1024.0
                    )
                })
                .unwrap_or_default();
            eprintln!(
                "timing: {stage}: {:.1} ms{usage}",
                1000.0 * (now - *wall).as_secs_f64()
            );
            *wall = now;
            *counters = counters_now;
        }
    }
}

/// What Linux counts for this process (`/proc/self/stat` and `/proc/self/status`).
#[derive(Clone, Copy)]
struct Counters {
    /// User + system CPU seconds, all threads (clock ticks of 10 ms).
    cpu_seconds: f64,
    minor_faults: u64,
    /// Resident anonymous memory (`RssAnon`).
    anonymous_kb: u64,
}

impl Counters {
    fn read() -> Option<Counters> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let after_name = stat.get(stat.rfind(')')? + 2..)?;
        let fields: Vec<&str> = after_name.split(' ').collect();
        let number = |i: usize| fields.get(i)?.parse::<u64>().ok();
        // Fields 10, 14 and 15 of stat(5), counted here from field 3 (the state).
        let cpu_ticks = number(11)? + number(12)?;
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let anonymous_kb = status
            .lines()
            .find_map(|line| line.strip_prefix("RssAnon:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(Counters {
            cpu_seconds: cpu_ticks as f64 / 100.0,
            minor_faults: number(7)?,
            anonymous_kb,
        })
    }
}
