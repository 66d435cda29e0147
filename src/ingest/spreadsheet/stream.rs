//! One part of a workbook's zip archive, inflated on a thread of its own and read as it comes.
//!
//! Invariant: at most [`CHUNKS_IN_FLIGHT`] chunks of [`CHUNK_BYTES`] are held between the
//! inflating thread and the parser, so a sheet of hundreds of megabytes is never held whole;
//! the zip reader stops a part that inflates past its declared size, and that error (or any
//! other) reaches the parser as a read error at the point where it happened.

use std::io::{BufRead, Cursor, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// The bytes inflated at a time.
pub const CHUNK_BYTES: usize = 256 << 10;

/// How many inflated chunks may wait for the parser.
pub const CHUNKS_IN_FLIGHT: usize = 4;

/// The inflated bytes of a part, as a [`BufRead`] fed by the inflating thread.
pub struct Inflated {
    chunks: Receiver<std::io::Result<Vec<u8>>>,
    /// Chunks read, handed back to the inflating thread for reuse (fresh pages cost more
    /// than the copy).
    spent: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
    /// The part's declared inflated size.
    pub size: u64,
    ended: bool,
}

impl Read for Inflated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Inflated {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.at == self.chunk.len() && !self.ended {
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    let spent = std::mem::replace(&mut self.chunk, chunk);
                    if spent.capacity() > 0 {
                        let _ = self.spent.try_send(spent);
                    }
                    self.at = 0;
                }
                Ok(Err(e)) => {
                    self.ended = true;
                    return Err(e);
                }
                // The thread ends after the part's last chunk.
                Err(_) => self.ended = true,
            }
        }
        Ok(&self.chunk[self.at..])
    }

    fn consume(&mut self, n: usize) {
        self.at = (self.at + n).min(self.chunk.len());
    }
}

/// Why a part could not be opened.
#[derive(Debug)]
pub enum PartError {
    /// The archive has no part of this name.
    Missing,
    /// The zip reader refused the archive or the part.
    Zip(String),
}

/// Runs `parse` on the inflated bytes of the part `name` of the zip archive `bytes`, while
/// another thread inflates it. `parse` may stop early; the inflating thread then stops too.
pub fn with_part<T>(
    bytes: &[u8],
    name: &str,
    parse: impl FnOnce(&mut Inflated) -> T,
) -> Result<T, PartError> {
    let (send, chunks) = sync_channel::<std::io::Result<Vec<u8>>>(CHUNKS_IN_FLIGHT);
    let (opened_send, opened) = sync_channel::<Result<u64, PartError>>(1);
    let (spent, reuse) = sync_channel::<Vec<u8>>(CHUNKS_IN_FLIGHT + 2);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
                Ok(archive) => archive,
                Err(e) => {
                    let _ = opened_send.send(Err(PartError::Zip(e.to_string())));
                    return;
                }
            };
            let mut part = match archive.by_name(name) {
                Ok(part) => part,
                Err(zip::result::ZipError::FileNotFound) => {
                    let _ = opened_send.send(Err(PartError::Missing));
                    return;
                }
                Err(e) => {
                    let _ = opened_send.send(Err(PartError::Zip(e.to_string())));
                    return;
                }
            };
            if opened_send.send(Ok(part.size())).is_err() {
                return;
            }
            loop {
                let mut chunk = reuse.try_recv().unwrap_or_default();
                chunk.resize(CHUNK_BYTES, 0);
                let mut filled = 0;
                let result = loop {
                    match part.read(&mut chunk[filled..]) {
                        Ok(0) => break Ok(()),
                        Ok(n) => {
                            filled += n;
                            if filled == CHUNK_BYTES {
                                break Ok(());
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                chunk.truncate(filled);
                let last = filled < CHUNK_BYTES;
                if filled > 0 && send.send(Ok(chunk)).is_err() {
                    return;
                }
                if let Err(e) = result {
                    let _ = send.send(Err(e));
                    return;
                }
                if last {
                    return;
                }
            }
        });
        let size = opened.recv().unwrap_or(Err(PartError::Missing))?;
        let mut inflated = Inflated {
            chunks,
            spent,
            chunk: Vec::new(),
            at: 0,
            size,
            ended: false,
        };
        let out = parse(&mut inflated);
        // Dropping the receiver stops the thread at its next chunk.
        drop(inflated);
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn archive(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, data) in parts {
            zip.start_file(
                *name,
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated),
            )
            .unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn reads_a_part_in_chunks_whole() {
        let data: Vec<u8> = (0..CHUNK_BYTES * 5 + 17).map(|i| (i % 251) as u8).collect();
        let bytes = archive(&[("a.xml", b"small"), ("b.xml", &data)]);
        let read = with_part(&bytes, "b.xml", |part| {
            let mut out = Vec::new();
            part.read_to_end(&mut out).unwrap();
            (out, part.size)
        })
        .unwrap();
        assert_eq!(read.0, data);
        assert_eq!(read.1, data.len() as u64);
        // Stopping early ends the inflating thread (the call returns).
        let first = with_part(&bytes, "b.xml", |part| part.fill_buf().unwrap()[0]).unwrap();
        assert_eq!(first, 0);
        assert!(matches!(
            with_part(&bytes, "c.xml", |_| ()),
            Err(PartError::Missing)
        ));
        assert!(matches!(
            with_part(b"not a zip", "b.xml", |_| ()),
            Err(PartError::Zip(_))
        ));
    }
}
