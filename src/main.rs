//! The `outcome-lens` binary: parses arguments, runs the command, prints an error chain once.

use std::process::ExitCode;

use clap::Parser;

use outcome_lens::cli::{self, Cli};
use outcome_lens::exit::Exit;

/// mimalloc, as polars itself recommends: the ingest allocates and frees column buffers of
/// tens of megabytes, which glibc's allocator hands back to the kernel and faults in afresh
/// each time (on the 2018/19 table that cost about a seventh of the ingest's time).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            }
            .into();
        }
    };
    match cli::run(cli) {
        Ok(exit) => exit.into(),
        Err(err) if is_broken_pipe(&err) => Exit::Success.into(),
        Err(err) => {
            eprintln!("outcome-lens: {err:#}");
            Exit::Failure.into()
        }
    }
}

/// A closed stdout (`outcome-lens … | head`) is not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
