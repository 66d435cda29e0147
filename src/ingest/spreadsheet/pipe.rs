//! A streaming reader's rows handed to their sink on the calling thread while the reader
//! parses on a thread of its own, so that a sheet's XML is parsed and its rows are made into
//! columns at the same time, on two cores.
//!
//! Invariant: the sink sees the calls it would see were it given to the reader directly, in
//! the same order and with the same cells; the first error in that order is the one
//! returned (a sink's error stops the reader at its next batch). Rows travel in batches of
//! [`BATCH_ROWS`], each row as the cells that changed since the row before it, and at most
//! [`BATCHES_IN_FLIGHT`] batches wait, so memory stays bounded whatever the sheet's size.

use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use super::rows::SheetRows;
use crate::ingest::error::IngestError;

/// Rows sent at a time.
const BATCH_ROWS: usize = 1024;

/// How many batches may wait for the sink.
const BATCHES_IN_FLIGHT: usize = 4;

/// One call of the reader on its sink.
enum Message {
    Begin(String, u64),
    Rows(Batch),
    Progress(u64),
    End,
}

/// Rows as the reader handed them on.
#[derive(Default)]
struct Batch {
    /// The texts of the cells sent, one after another.
    text: String,
    /// Where each cell sent ends in `text`.
    ends: Vec<usize>,
    rows: Vec<Row>,
}

/// One row of a batch. Its cells from `first_changed` (at most `length`) to `length` are
/// sent; the cells before are those of the row before it. A row of no cells is a blank row
/// between rows, which leaves the row before it as it was.
struct Row {
    number: u64,
    length: usize,
    first_changed: usize,
}

/// The reader's end of the pipe: a sink that sends what it is given.
struct Sender<'a> {
    file: &'a Path,
    send: SyncSender<Message>,
    spent: Receiver<Batch>,
    batch: Batch,
}

impl Sender<'_> {
    fn send(&mut self, message: Message) -> Result<(), IngestError> {
        self.send
            .send(message)
            .map_err(|_| IngestError::Spreadsheet {
                file: self.file.to_path_buf(),
                // Never shown: the sink's own error is returned instead.
                reason: "the rows' reader stopped".into(),
            })
    }

    fn flush(&mut self) -> Result<(), IngestError> {
        if self.batch.rows.is_empty() {
            return Ok(());
        }
        let mut next = self.spent.try_recv().unwrap_or_default();
        next.text.clear();
        next.ends.clear();
        next.rows.clear();
        let full = std::mem::replace(&mut self.batch, next);
        self.send(Message::Rows(full))
    }
}

impl SheetRows for Sender<'_> {
    fn begin(&mut self, sheet: &str, size: u64) -> Result<(), IngestError> {
        self.flush()?;
        self.send(Message::Begin(sheet.to_string(), size))
    }

    fn row(
        &mut self,
        number: u64,
        cells: &[String],
        first_changed: usize,
    ) -> Result<(), IngestError> {
        for cell in &cells[first_changed.min(cells.len())..] {
            self.batch.text.push_str(cell);
            self.batch.ends.push(self.batch.text.len());
        }
        self.batch.rows.push(Row {
            number,
            length: cells.len(),
            first_changed,
        });
        if self.batch.rows.len() == BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn progress(&mut self, parsed: u64) {
        // Progress is only shown: a stopped pipe is told by the next row.
        if self.flush().is_ok() {
            let _ = self.send(Message::Progress(parsed));
        }
    }

    fn end(&mut self) -> Result<(), IngestError> {
        self.flush()?;
        self.send(Message::End)
    }
}

/// Runs `read` on a thread of its own with a sink that hands each of its calls on to `sink`
/// on this thread; returns what `read` returns, or the sink's first error.
pub fn pipelined<T: Send>(
    file: &Path,
    sink: &mut dyn SheetRows,
    read: impl FnOnce(&mut dyn SheetRows) -> Result<T, IngestError> + Send,
) -> Result<T, IngestError> {
    let (send, messages) = sync_channel::<Message>(BATCHES_IN_FLIGHT);
    let (give_back, spent) = sync_channel::<Batch>(BATCHES_IN_FLIGHT + 2);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut sender = Sender {
                file,
                send,
                spent,
                batch: Batch::default(),
            };
            let read = read(&mut sender);
            // A reader that fails leaves its last batch: the sink sees its rows before the
            // reader's error, as it would have.
            let flushed = sender.flush();
            read.and_then(|value| flushed.map(|()| value))
        });
        // The row before, as the sink was last given it.
        let mut cells: Vec<String> = Vec::new();
        let mut failed = None;
        for message in &messages {
            let handled = match message {
                Message::Begin(sheet, size) => sink.begin(&sheet, size),
                Message::Progress(parsed) => {
                    sink.progress(parsed);
                    Ok(())
                }
                Message::End => sink.end(),
                Message::Rows(batch) => {
                    let handled = hand_on(&batch, &mut cells, sink);
                    let _ = give_back.try_send(batch);
                    handled
                }
            };
            if let Err(err) = handled {
                failed = Some(err);
                break;
            }
        }
        // A sink that failed stops the reader at its next send.
        drop(messages);
        let read = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match failed {
            Some(err) => Err(err),
            None => read,
        }
    })
}

/// Hands a batch's rows to `sink`, each made from the cells sent and the row before it.
fn hand_on(
    batch: &Batch,
    cells: &mut Vec<String>,
    sink: &mut dyn SheetRows,
) -> Result<(), IngestError> {
    let (mut cell, mut start) = (0, 0);
    for row in &batch.rows {
        if row.length == 0 {
            sink.row(row.number, &[], row.first_changed)?;
            continue;
        }
        // Cells past a row's length are empty in the reader, whatever the row before held.
        cells.resize(row.length, String::new());
        for text in &mut cells[row.first_changed.min(row.length)..] {
            let end = batch.ends[cell];
            text.clear();
            text.push_str(&batch.text[start..end]);
            (cell, start) = (cell + 1, end);
        }
        sink.row(row.number, cells, row.first_changed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every call a sink was given, with the whole row's cells; it refuses the row numbered
    /// `.1`.
    #[derive(Default, Debug, PartialEq)]
    struct Calls(Vec<String>, Option<u64>);

    impl SheetRows for Calls {
        fn begin(&mut self, sheet: &str, size: u64) -> Result<(), IngestError> {
            self.0.push(format!("begin {sheet} {size}"));
            Ok(())
        }
        fn row(&mut self, n: u64, cells: &[String], first: usize) -> Result<(), IngestError> {
            if Some(n) == self.1 {
                return Err(IngestError::Spreadsheet {
                    file: "f".into(),
                    reason: format!("the sink refused row {n}"),
                });
            }
            self.0.push(format!("row {n} {cells:?} {first}"));
            Ok(())
        }
        fn end(&mut self) -> Result<(), IngestError> {
            self.0.push("end".into());
            Ok(())
        }
    }

    /// Rows as an assembler hands them on: cells change from some column on, rows grow and
    /// shrink, blank rows come between, a row may repeat the one before (nothing changed);
    /// the reader fails at row `fail_at`.
    fn feed(sink: &mut dyn SheetRows, rows: u64, fail_at: Option<u64>) -> Result<u8, IngestError> {
        sink.begin("Data", 7)?;
        let mut cells: Vec<String> = Vec::new();
        for n in 1..=rows {
            if Some(n) == fail_at {
                return Err(IngestError::Spreadsheet {
                    file: "f".into(),
                    reason: format!("the reader failed at row {n}"),
                });
            }
            if n.is_multiple_of(7) {
                sink.row(n, &[], 0)?;
                continue;
            }
            let length = 3 + (n % 5) as usize;
            let before = cells.clone();
            cells.resize(length, String::new());
            for (i, cell) in cells.iter_mut().enumerate() {
                if i >= 2 && (n + i as u64).is_multiple_of(3) {
                    *cell = format!("{n}.{i}");
                }
            }
            let first = (0..length)
                .find(|&i| before.get(i).map_or("", String::as_str) != cells[i])
                .unwrap_or(usize::MAX);
            sink.row(n, &cells, first)?;
        }
        sink.end()?;
        Ok(1)
    }

    #[test]
    fn the_sink_sees_what_the_reader_hands_on() {
        for rows in [0, 1, 5, BATCH_ROWS as u64, 3 * BATCH_ROWS as u64 + 17] {
            let mut direct = Calls::default();
            let expected = feed(&mut direct, rows, None).unwrap();
            let mut piped = Calls::default();
            let got = pipelined(Path::new("f"), &mut piped, |s| feed(s, rows, None)).unwrap();
            assert_eq!((got, &piped), (expected, &direct), "{rows} rows");
            assert!(piped.0.len() as u64 >= rows + 2);
        }
    }

    #[test]
    fn the_first_error_in_order_is_returned() {
        let rows = 3 * BATCH_ROWS as u64;
        for (sink_fails, reader_fails, expected) in [
            (Some(100), Some(2000), "the sink refused row 100"),
            (Some(2000), Some(100), "the reader failed at row 100"),
            (None, Some(1500), "the reader failed at row 1500"),
            (Some(1500), None, "the sink refused row 1500"),
        ] {
            let mut direct = Calls(Vec::new(), sink_fails);
            let direct_error = feed(&mut direct, rows, reader_fails).unwrap_err();
            let mut piped = Calls(Vec::new(), sink_fails);
            let error =
                pipelined(Path::new("f"), &mut piped, |s| feed(s, rows, reader_fails)).unwrap_err();
            assert!(error.to_string().contains(expected), "{error}");
            assert_eq!(error.to_string(), direct_error.to_string());
            assert_eq!(piped, direct);
        }
    }
}
