//! Exit codes: the only place exit numbers live (STYLE.md §5).

use std::process::ExitCode;

/// How the program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success; also `validate` clean, `diff` equal, and a broken pipe on stdout.
    Success,
    /// Failure: bad data, IO, validation problems, `diff` found differences.
    Failure,
    /// Usage error (clap's convention).
    Usage,
    /// A `--fail-on` gate tripped for a focus force.
    Gate,
    /// Stopped by SIGINT or SIGTERM (128 + 2, the shell's convention).
    Interrupted,
}

impl Exit {
    /// The process exit number.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Gate => 3,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}
