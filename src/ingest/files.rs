//! Reading files: text files, folder listings, large files mapped read-only once, and their
//! sha256.
//!
//! Invariant: the only code that maps a file; `ingest` reads inputs through it and `cache`
//! and the manifest hash them through it.

use std::fs::File;
use std::path::Path;
use std::sync::{Arc, Mutex, Weak};

use anyhow::{Context, Result};
use polars_utils::mmap::MMapSemaphore;

/// A text file's contents (an analysis file, a peer-groups file).
pub fn read_text(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// The names of the entries of a folder, unsorted.
pub fn entry_names(dir: &Path) -> std::io::Result<Vec<std::ffi::OsString>> {
    Ok(std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect())
}

/// A file opened for reading (a record-level extract, streamed by its reader).
pub fn open(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Lower-case hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Files at least this large are mapped rather than read (the ingest's inputs, and the files
/// hashed for the cache and the manifest).
pub(crate) const MAP_MIN_BYTES: u64 = 1 << 20;

/// The file mapped read-only if it is large enough to be worth it; `None` for a small file
/// or one that cannot be mapped (it is then read). As with any mapped file (and polars' own
/// readers), a file cut short by another program while it is mapped stops the process.
///
/// A file already mapped (same device, inode, size and modification time) and still in use is
/// not mapped again: a fresh run's input is hashed and read at the same time, and one mapping
/// halves the page-table work (mapping 131 MB costs 10–30 ms of the kernel's time).
pub(crate) fn map_large(file: &File) -> Option<Arc<MMapSemaphore>> {
    use std::os::unix::fs::MetadataExt;
    type Identity = (u64, u64, u64, i64, i64);
    static MAPPED: Mutex<Vec<(Identity, Weak<MMapSemaphore>)>> = Mutex::new(Vec::new());
    let meta = file.metadata().ok()?;
    if meta.len() < MAP_MIN_BYTES {
        return None;
    }
    let identity = (
        meta.dev(),
        meta.ino(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec(),
    );
    let new_map = || MMapSemaphore::new_from_file(file).ok().map(Arc::new);
    let Ok(mut mapped) = MAPPED.lock() else {
        return new_map();
    };
    mapped.retain(|(_, map)| map.strong_count() > 0);
    if let Some(map) = mapped
        .iter()
        .find(|(known, _)| *known == identity)
        .and_then(|(_, map)| map.upgrade())
    {
        return Some(map);
    }
    let map = new_map()?;
    mapped.push((identity, Arc::downgrade(&map)));
    Some(map)
}

/// The sha256 of a file: mapped if large (no copy), else streamed.
pub fn sha256_file(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    if let Some(map) = map_large(&file) {
        return Ok(hex(&Sha256::digest(map.as_ref())));
    }
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buffer)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_in_use_is_mapped_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("large.csv");
        std::fs::write(&path, vec![b'a'; MAP_MIN_BYTES as usize]).unwrap();
        let first = map_large(&File::open(&path).unwrap()).unwrap();
        let second = map_large(&File::open(&path).unwrap()).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        drop((first, second));
        // Written again (another size): a new mapping of the new bytes.
        std::fs::write(&path, vec![b'b'; MAP_MIN_BYTES as usize + 1]).unwrap();
        let third = map_large(&File::open(&path).unwrap()).unwrap();
        assert_eq!(third.as_ref().as_ref().len(), MAP_MIN_BYTES as usize + 1);
        assert_eq!(third.as_ref().as_ref()[0], b'b');
        // A small file is read, not mapped.
        std::fs::write(&path, b"small").unwrap();
        assert!(map_large(&File::open(&path).unwrap()).is_none());
    }
}
