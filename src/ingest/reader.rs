//! Rows of one input, whatever its format: the header found, then each row loaded, quarantined,
//! or counted as not data (blank, a repeated header, a footnote).

use super::*;

/// Where one input is in its reading: looking for the header, or loading rows.
pub(super) enum Phase {
    Seeking {
        rows: usize,
        first_row: Option<String>,
    },
    HomeOffice {
        columns: HoColumns,
    },
    Tidy {
        columns: TidyColumns,
        input: u32,
    },
}

/// True for an empty or all-whitespace cell; decides on the first byte for almost every cell.
pub(super) fn is_blank(cell: &str) -> bool {
    match cell.as_bytes().first() {
        None => true,
        Some(b) if !b.is_ascii_whitespace() && b.is_ascii() => false,
        Some(_) => cell.trim().is_empty(),
    }
}

/// Reads the rows of one input, whatever its format.
pub(super) struct FileReader<'p> {
    pub(super) path: std::borrow::Cow<'p, Path>,
    pub(super) phase: Phase,
    pub(super) account: InputAccount,
    pub(super) search_limit: usize,
    /// Rows that refused to load and look like footnotes, held until a data row follows them
    /// (then they are quarantined) or the input ends (then they are footnotes).
    pub(super) pending_notes: Vec<QuarantinedRow>,
}

/// A row whose only text is in its first one or two cells (`Source: Home Office`, `Note 1`,
/// `Notes: …`): a footnote if nothing but such rows follow it.
pub(super) fn looks_like_note<S: AsRef<str>>(cells: &[S]) -> bool {
    let filled: Vec<usize> = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !is_blank(c.as_ref()))
        .map(|(i, _)| i)
        .collect();
    !filled.is_empty() && filled.iter().all(|&i| i < 2)
}

impl<'p> FileReader<'p> {
    pub(super) fn new(
        path: impl Into<std::borrow::Cow<'p, Path>>,
        account: InputAccount,
        search_limit: usize,
    ) -> FileReader<'p> {
        FileReader {
            path: path.into(),
            phase: Phase::Seeking {
                rows: 0,
                first_row: None,
            },
            account,
            search_limit,
            pending_notes: Vec::new(),
        }
    }

    pub(super) fn row<S: AsRef<str>>(
        &mut self,
        line: u64,
        cells: &[S],
        session: &mut Session<'_>,
    ) -> Result<(), IngestError> {
        self.row_sharing(line, cells, false, session)
    }

    /// [`Self::row`], told whether the row's leading block fields
    /// ([`HoColumns::block_fields`]) are byte for byte the previous row's.
    pub(super) fn row_sharing<S: AsRef<str>>(
        &mut self,
        line: u64,
        cells: &[S],
        same_block: bool,
        session: &mut Session<'_>,
    ) -> Result<(), IngestError> {
        let blank = cells.iter().all(|c| is_blank(c.as_ref()));
        let outcome = match &mut self.phase {
            Phase::Seeking { rows, first_row } => {
                if blank {
                    return Ok(());
                }
                *rows += 1;
                if first_row.is_none() {
                    *first_row = Some(
                        cells
                            .iter()
                            .map(AsRef::as_ref)
                            .collect::<Vec<_>>()
                            .join(","),
                    );
                }
                match match_header(cells) {
                    Some(HeaderMatch::HomeOffice(columns)) => {
                        self.start(TableKind::HomeOffice, line, session)?;
                        self.account.ignored_columns = columns.ignored.clone();
                        session.ho.add_input(&self.account.file);
                        self.phase = Phase::HomeOffice { columns };
                    }
                    Some(HeaderMatch::Tidy(columns)) => {
                        self.start(TableKind::TidyCounts, line, session)?;
                        let input = session.tidy.add_input(&self.path, &columns)?;
                        self.phase = Phase::Tidy { columns, input };
                    }
                    Some(HeaderMatch::MissingColumns(missing)) => {
                        return Err(IngestError::MissingColumns {
                            file: self.path.to_path_buf(),
                            line,
                            columns: missing.join(", "),
                        })
                    }
                    Some(HeaderMatch::DuplicateColumn { header, columns }) => {
                        return Err(IngestError::DuplicateColumn {
                            file: self.path.to_path_buf(),
                            line,
                            header,
                            columns,
                        })
                    }
                    None => {
                        self.account.title_rows += 1;
                        if *rows >= self.search_limit {
                            return Err(self.no_header());
                        }
                    }
                }
                return Ok(());
            }
            _ if blank => {
                self.account.blank_rows += 1;
                return Ok(());
            }
            Phase::HomeOffice { columns } => session.ho.push(
                &self.path,
                line,
                cells,
                columns,
                same_block,
                &mut self.account,
            )?,
            Phase::Tidy { columns, input } => {
                session
                    .tidy
                    .push(&self.path, *input, line, cells, columns, &mut self.account)?
            }
        };
        match outcome {
            RowOutcome::Loaded => {
                self.flush_notes(session);
                self.account.rows_read += 1;
                self.account.rows_loaded += 1;
            }
            RowOutcome::Quarantined(reason) => {
                // The header again (a file made by pasting tables together): not data.
                if match_header(cells).is_some() {
                    self.account.header_rows_repeated += 1;
                    return Ok(());
                }
                let row = QuarantinedRow {
                    file: self.account.file.clone(),
                    line,
                    reason,
                    cells: cells.iter().map(|c| c.as_ref().to_string()).collect(),
                };
                // A row of one or two cells of text that refuses to load may be a footnote
                // below the table; it is one only if no data row follows it.
                if looks_like_note(cells) {
                    self.pending_notes.push(row);
                } else {
                    self.flush_notes(session);
                    self.quarantine(row, session);
                }
            }
        }
        Ok(())
    }

    /// Quarantines a row that could not be loaded.
    pub(super) fn quarantine(&mut self, row: QuarantinedRow, session: &mut Session<'_>) {
        self.account.rows_read += 1;
        self.account.rows_quarantined += 1;
        session.quarantine.push(row);
    }

    /// The note-like rows held back turn out to have data after them: they are quarantined.
    pub(super) fn flush_notes(&mut self, session: &mut Session<'_>) {
        for row in std::mem::take(&mut self.pending_notes) {
            self.quarantine(row, session);
        }
    }

    pub(super) fn start(
        &mut self,
        kind: TableKind,
        line: u64,
        session: &mut Session<'_>,
    ) -> Result<(), IngestError> {
        match session.kind {
            Some(other) if other != kind => {
                return Err(IngestError::MixedKinds {
                    file: self.path.to_path_buf(),
                    kind: kind.describe(),
                    other: other.describe(),
                })
            }
            _ => session.kind = Some(kind),
        }
        self.account.kind = Some(kind);
        self.account.header_line = line;
        Ok(())
    }

    pub(super) fn no_header(&self) -> IngestError {
        let (rows, first_row) = match &self.phase {
            Phase::Seeking { rows, first_row } => (*rows, first_row.clone().unwrap_or_default()),
            _ => (0, String::new()),
        };
        let mut hint = String::new();
        if !first_row.contains(',') {
            if let Some(delimiter) = [';', '\t', '|']
                .into_iter()
                .find(|d| first_row.contains(*d))
            {
                hint = format!(
                    "; the first row has no commas but contains {delimiter:?}, so the file looks {delimiter:?}-delimited: save it as comma-separated CSV"
                );
            }
        }
        IngestError::NoHeader {
            file: self.path.to_path_buf(),
            rows_searched: rows.min(self.search_limit),
            hint,
        }
    }

    /// Ends the input: note-like rows after the last data row are footnotes, counted apart.
    pub(super) fn finish(mut self) -> Result<InputAccount, IngestError> {
        match &self.phase {
            Phase::Seeking { rows: 0, .. } => Err(IngestError::Empty {
                file: self.path.to_path_buf(),
            }),
            Phase::Seeking { .. } => Err(self.no_header()),
            _ => {
                self.account.note_rows += self.pending_notes.len() as u64;
                Ok(self.account)
            }
        }
    }
}
