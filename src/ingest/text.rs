//! CSV text: checked (NUL, UTF-8, UTF-16), cut into two pieces at a line start when large and
//! read on two threads, as a sequential read would.

use super::*;

pub(super) fn read_csv(
    path: &Path,
    bytes: &[u8],
    gzip: bool,
    session: &mut Session<'_>,
    progress: &ProgressBar,
) -> Result<InputAccount, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Empty {
            file: path.to_path_buf(),
        });
    }
    if let Some(byte_order) = utf16_byte_order(bytes) {
        return Err(IngestError::Utf16 {
            file: path.to_path_buf(),
            byte_order,
        });
    }
    let (head, tail) = input_text(path, bytes)?;
    let head = head.strip_prefix('\u{FEFF}').unwrap_or(head);
    let mut reader = FileReader::new(
        path,
        InputAccount::new(path, InputFormat::Csv, gzip),
        HEADER_SEARCH_ROWS,
    );
    progress.set_length((head.len() + tail.len()) as u64);
    progress.set_position(0);
    // Read up to the header (and any title rows) on this thread.
    let mut records = CsvRecords::new(head);
    while !matches!(reader.phase, Phase::HomeOffice { .. } | Phase::Tidy { .. }) {
        let mut fields = Vec::with_capacity(16);
        match next_record(path, &mut records, &mut fields)? {
            Some(line) => reader.row(line, &fields, session)?,
            None => break,
        }
    }
    let rest = &head[records.position()..];
    let rest_line = records.line();
    progress.inc(records.position() as u64);
    let two_pieces = match &reader.phase {
        Phase::HomeOffice { columns } if !tail.is_empty() => Some(columns.clone()),
        _ => None,
    };
    if let Some(columns) = two_pieces {
        read_in_two(
            path,
            rest,
            tail,
            rest_line,
            &columns,
            &mut reader,
            session,
            progress,
        )?;
    } else {
        // The second piece, if any, follows on (a header not found in the first piece is
        // still looked for in it).
        let next_line = read_records(path, rest, rest_line, &mut reader, session, progress)?;
        read_records(path, tail, next_line, &mut reader, session, progress)?;
    }
    reader.finish()
}

/// An input's text in two pieces that follow each other, the second empty unless the input
/// is large enough to read on two threads: then they meet at the start of a line near the
/// middle. The pieces are checked (no NUL byte, valid UTF-8) on as many threads, and the first
/// fault is reported as a check of the whole would report it.
pub(super) fn input_text<'b>(
    path: &Path,
    bytes: &'b [u8],
) -> Result<(&'b str, &'b str), IngestError> {
    let split = if bytes.len() >= PARALLEL_MIN_BYTES
        && std::env::var_os("OUTCOME_LENS_SEQUENTIAL").is_none()
    {
        split_point(bytes)
    } else {
        None
    };
    let at = split.unwrap_or(bytes.len());
    let (head, tail) = bytes.split_at(at);
    let (head_check, tail_check) = if tail.is_empty() {
        (check_text(head), TextCheck::Text(""))
    } else {
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| check_text(tail));
            let head_check = check_text(head);
            // A check cannot panic; were the thread lost, the tail is checked here.
            (
                head_check,
                worker.join().unwrap_or_else(|_| check_text(tail)),
            )
        })
    };
    let binary = |offset| IngestError::Binary {
        file: path.to_path_buf(),
        offset,
    };
    match (head_check, tail_check) {
        (TextCheck::Nul(offset), _) => Err(binary(offset)),
        (_, TextCheck::Nul(offset)) => Err(binary(at + offset)),
        (TextCheck::NotUtf8(offset), _) => Err(encoding_error(path, bytes, offset)),
        (_, TextCheck::NotUtf8(offset)) => Err(encoding_error(path, bytes, at + offset)),
        (TextCheck::Text(head), TextCheck::Text(tail)) => Ok((head, tail)),
    }
}

/// What a check of a stretch of an input's bytes found.
pub(super) enum TextCheck<'b> {
    Text(&'b str),
    /// A NUL byte at this offset in the stretch: a binary file.
    Nul(usize),
    /// Not UTF-8 from this offset in the stretch.
    NotUtf8(usize),
}

pub(super) fn check_text(bytes: &[u8]) -> TextCheck<'_> {
    if let Some(offset) = memchr::memchr(0, bytes) {
        return TextCheck::Nul(offset);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => TextCheck::Text(text),
        Err(e) => TextCheck::NotUtf8(e.valid_up_to()),
    }
}

/// CSV inputs of this many bytes or more are checked and read by two threads (unless the
/// environment variable `OUTCOME_LENS_SEQUENTIAL` is set, which the tests use to check that
/// both ways give the same bytes).
pub(super) const PARALLEL_MIN_BYTES: usize = 4 << 20;

/// The next record, with structural CSV errors turned into ingest errors.
pub(super) fn next_record<'t>(
    path: &Path,
    records: &mut CsvRecords<'t>,
    fields: &mut Vec<std::borrow::Cow<'t, str>>,
) -> Result<Option<u64>, IngestError> {
    records.next_record(fields).map_err(|e| match e {
        CsvError::UnclosedQuote { line } => IngestError::Csv {
            file: path.to_path_buf(),
            line,
            reason: "a quoted field is not closed before the end of the file (truncated file?)"
                .into(),
        },
        CsvError::TextAfterQuote { line, found } => IngestError::Csv {
            file: path.to_path_buf(),
            line,
            reason: format!("unexpected {found:?} after a closing quote"),
        },
    })
}

/// Feeds every record of `text` (which starts on line `first_line`) to `reader`; gives the
/// line that follows.
pub(super) fn read_records(
    path: &Path,
    text: &str,
    first_line: u64,
    reader: &mut FileReader<'_>,
    session: &mut Session<'_>,
    progress: &ProgressBar,
) -> Result<u64, IngestError> {
    let mut records = CsvRecords::starting_at_line(text, first_line);
    if let Phase::HomeOffice { columns } = &reader.phase {
        // Rows that repeat the previous row's period, force and offence fields skip them.
        records.share_leading(columns.block_fields());
    }
    let mut fields = Vec::with_capacity(16);
    let mut since_tick = 0u32;
    let mut reported = 0usize;
    while let Some(line) = next_record(path, &mut records, &mut fields)? {
        reader.row_sharing(line, &fields, records.shared(), session)?;
        since_tick += 1;
        if since_tick == 65_536 {
            since_tick = 0;
            progress.inc((records.position() - reported) as u64);
            reported = records.position();
        }
    }
    progress.inc((text.len() - reported) as u64);
    Ok(records.line())
}

/// Where to cut `bytes` in two: the start of a line near the middle with an even number of
/// quotes before it, so the cut cannot fall inside a quoted field (RFC 4180). A newline is
/// never part of a multi-byte UTF-8 character, so each side can be checked on its own.
pub(super) fn split_point(bytes: &[u8]) -> Option<usize> {
    let middle = bytes.len() / 2;
    let mut cut = middle + memchr::memchr(b'\n', &bytes[middle..])? + 1;
    let mut quotes = memchr::memchr_iter(b'"', &bytes[..cut]).count();
    // An odd count means the newline found is inside a quoted field: try the next ones.
    for _ in 0..1000 {
        if quotes.is_multiple_of(2) {
            return (cut < bytes.len()).then_some(cut);
        }
        let next = cut + memchr::memchr(b'\n', &bytes[cut..])? + 1;
        quotes += memchr::memchr_iter(b'"', &bytes[cut..next]).count();
        cut = next;
    }
    None
}

/// Reads the rows of a Home Office table in two pieces (`head`, starting on line
/// `first_line`, and `tail`, which follows it) on two threads, then merges the second into
/// the first in order, so the result equals a sequential read. The second piece is numbered
/// from 1 while it is read, and its rows renumbered once the first piece has said where it
/// ends (counting its newlines up front cost more).
#[allow(clippy::too_many_arguments)]
pub(super) fn read_in_two(
    path: &Path,
    head: &str,
    tail: &str,
    first_line: u64,
    columns: &HoColumns,
    reader: &mut FileReader<'_>,
    session: &mut Session<'_>,
    progress: &ProgressBar,
) -> Result<(), IngestError> {
    // Rows of a Home Office table run to about 210 bytes; reserving once saves regrowing
    // columns of hundreds of thousands of rows.
    session.ho.reserve((head.len() + tail.len()) / 180);
    let forces = session.ho.forces();
    let (head_result, tail_result) = std::thread::scope(|scope| {
        let worker = scope.spawn(|| read_tail(path, tail, 1, columns, forces, progress));
        let head_result = read_records(path, head, first_line, reader, session, progress);
        let tail_result = worker.join();
        (head_result, tail_result)
    });
    let tail_line = head_result?;
    let (mut tail_session, tail_account) = match tail_result {
        Ok(Ok(result)) => result,
        Ok(Err(error)) => {
            // The error names lines counted from the second piece's start: read it again
            // from its true first line for the message (a refused file costs this once).
            let hidden = ProgressBar::hidden();
            return Err(read_tail(path, tail, tail_line, columns, forces, &hidden)
                .err()
                .unwrap_or(error));
        }
        Err(_) => {
            return Err(IngestError::Table {
                file: path.to_path_buf(),
                reason: "the second reading thread failed".into(),
            })
        }
    };
    let shift = tail_line - 1;
    tail_session.ho.shift_lines(shift);
    let TailAccount {
        account: tail_account,
        pending_notes: mut tail_notes,
    } = tail_account;
    for row in tail_session
        .quarantine
        .iter_mut()
        .chain(tail_notes.iter_mut())
    {
        row.line += shift;
    }
    session.ho.absorb(tail_session.ho, path)?;
    // Note-like rows at the end of the first piece are quarantined if the second piece has
    // data rows (loaded or not), as a sequential read would find.
    if tail_account.rows_read > 0 {
        reader.flush_notes(session);
    }
    session.quarantine.extend(tail_session.quarantine);
    reader.account.absorb(&tail_account);
    reader.pending_notes.extend(tail_notes);
    Ok(())
}

/// Reads the second piece of a Home Office table (starting on line `first_line`) into a
/// session and account of its own.
pub(super) fn read_tail<'f>(
    path: &Path,
    tail: &str,
    first_line: u64,
    columns: &HoColumns,
    forces: &'f ForceTable,
    progress: &ProgressBar,
) -> Result<(Session<'f>, TailAccount), IngestError> {
    let mut tail_session = Session {
        kind: Some(TableKind::HomeOffice),
        ho: HoBuilder::new(forces),
        tidy: TidyBuilder::default(),
        quarantine: Vec::new(),
        canonical: Vec::new(),
    };
    tail_session.ho.add_input(&reader_label(path));
    tail_session.ho.reserve(tail.len() / 180);
    let mut tail_reader = FileReader {
        path: path.into(),
        phase: Phase::HomeOffice {
            columns: columns.clone(),
        },
        account: InputAccount::new(path, InputFormat::Csv, false),
        search_limit: HEADER_SEARCH_ROWS,
        pending_notes: Vec::new(),
    };
    read_records(
        path,
        tail,
        first_line,
        &mut tail_reader,
        &mut tail_session,
        progress,
    )?;
    Ok((
        tail_session,
        TailAccount {
            account: tail_reader.account,
            pending_notes: tail_reader.pending_notes,
        },
    ))
}

/// The second piece's accounting, and its note-like rows not yet known to be footnotes.
pub(super) struct TailAccount {
    pub(super) account: InputAccount,
    pub(super) pending_notes: Vec<QuarantinedRow>,
}

pub(super) fn reader_label(path: &Path) -> String {
    path.display().to_string()
}

/// Explains where and why `bytes` are not UTF-8 from `offset`.
pub(super) fn encoding_error(path: &Path, bytes: &[u8], offset: usize) -> IngestError {
    let byte = bytes[offset];
    let line = 1 + memchr::memchr_iter(b'\n', &bytes[..offset]).count() as u64;
    let hint = if (0x80..=0x9F).contains(&byte) || byte >= 0xA0 {
        let meaning = match byte {
            0x96 => " (an en dash there)",
            0x97 => " (an em dash there)",
            0x91..=0x94 => " (a curly quote there)",
            0xA3 => " (a pound sign there)",
            _ => "",
        };
        format!("; the file looks like Windows-1252{meaning}: re-save it as UTF-8")
    } else {
        String::new()
    };
    IngestError::Encoding {
        file: path.to_path_buf(),
        line,
        offset,
        byte,
        hint,
    }
}

/// The byte order of UTF-16 text (Excel's "Unicode Text" and some exports), told by its
/// byte-order mark or, without one, by the NUL high bytes of its first two ASCII characters.
pub(super) fn utf16_byte_order(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, ..] => Some("little-endian, with a byte-order mark"),
        [0xFE, 0xFF, ..] => Some("big-endian, with a byte-order mark"),
        [a, 0, b, 0, ..] if a.is_ascii() && b.is_ascii() && *a != 0 && *b != 0 => {
            Some("little-endian")
        }
        [0, a, 0, b, ..] if a.is_ascii() && b.is_ascii() && *a != 0 && *b != 0 => {
            Some("big-endian")
        }
        _ => None,
    }
}
