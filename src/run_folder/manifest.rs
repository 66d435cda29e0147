//! `manifest.json`, typed: the tool, the analysis file as run, the inputs (or the extract)
//! with their sha256 and row accounting, and every output with its sha256 and size. One
//! writer for `run` and `extract`; `diff` and `chart` read it through the same types.

use serde::{Deserialize, Serialize};

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The tool that wrote the folder.
    pub tool: Tool,
    /// The analysis file as run.
    pub analysis_file: AnalysisFile,
    /// The inputs of the national comparison (absent from a folder of `outcome-lens extract`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<Input>>,
    /// The record-level extract, when one was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extract: Option<Input>,
    /// Every file of the folder but the manifest, sorted by path.
    pub outputs: Vec<Output>,
}

/// The tool's name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `outcome-lens`.
    pub name: String,
    /// Its version.
    pub version: String,
}

impl Tool {
    /// This build of the tool.
    #[must_use]
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// The analysis file as run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisFile {
    /// Its file name (no folder).
    pub name: Option<String>,
    /// The sha256 of its text.
    pub sha256: String,
    /// Its text.
    pub text: String,
}

impl AnalysisFile {
    /// The entry for an analysis file at `path` holding `text`.
    #[must_use]
    pub fn of(path: &std::path::Path, text: &str) -> AnalysisFile {
        AnalysisFile {
            name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            sha256: crate::output::sha256_hex(text.as_bytes()),
            text: text.to_string(),
        }
    }
}

/// An input file: its path as the analysis file names it, sha256 and row accounting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// The path, relative to the analysis file where it can be.
    pub path: String,
    /// The sha256 of its bytes.
    pub sha256: String,
    /// Its row accounting as the reader kept it.
    pub accounting: serde_json::Value,
}

/// An output file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// The path inside the folder.
    pub path: String,
    /// The sha256 of its bytes.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
}

impl Output {
    /// The entry for `bytes` at `path`.
    #[must_use]
    pub fn of(path: String, bytes: &[u8]) -> Output {
        Output {
            path,
            sha256: crate::output::sha256_hex(bytes),
            bytes: bytes.len() as u64,
        }
    }
}

impl Manifest {
    /// The manifest of a folder whose files are `outputs` as (path, sha256, size).
    #[must_use]
    pub fn new(
        analysis_file: AnalysisFile,
        inputs: Option<Vec<Input>>,
        extract: Option<Input>,
        outputs: Vec<(String, String, u64)>,
    ) -> Manifest {
        let mut outputs: Vec<Output> = outputs
            .into_iter()
            .map(|(path, sha256, bytes)| Output {
                path,
                sha256,
                bytes,
            })
            .collect();
        outputs.sort_by(|a, b| a.path.cmp(&b.path));
        Manifest {
            tool: Tool::this(),
            analysis_file,
            inputs,
            extract,
            outputs,
        }
    }

    /// Puts `entry` in place of the output with its path (or adds it); whether anything
    /// changed.
    pub fn put_output(&mut self, entry: Output) -> bool {
        match self.outputs.iter_mut().find(|o| o.path == entry.path) {
            Some(old) if *old == entry => false,
            Some(old) => {
                *old = entry;
                true
            }
            None => {
                self.outputs.push(entry);
                self.outputs.sort_by(|a, b| a.path.cmp(&b.path));
                true
            }
        }
    }

    /// The inputs' (path, sha256), sorted by path.
    #[must_use]
    pub fn input_hashes(&self) -> std::collections::BTreeMap<String, String> {
        self.inputs
            .iter()
            .flatten()
            .map(|i| (i.path.clone(), i.sha256.clone()))
            .collect()
    }

    /// The manifest's bytes: sorted keys, two-space indent, a final newline.
    ///
    /// # Errors
    ///
    /// Never in practice (the types serialise to JSON).
    pub fn to_bytes(&self) -> anyhow::Result<Vec<u8>> {
        let value = serde_json::to_value(self)?;
        let mut bytes = serde_json::to_vec_pretty(&value)?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
