//! The house rules of ARCHITECTURE.md, checked on the source tree: no import circle between
//! top-level modules, nor between the files of `stats`; `stats` imports nothing of the crate
//! outside itself; `render` and
//! `report` import no pipeline stage; `std::fs` only in the edge modules. Each failure names
//! the file and line; `house_rules_fail_on_planted_violations` shows each rule failing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::root;

/// The modules that touch the file system: readers, writers, the run folder read back, the
/// cache, and the stage timings (which read `/proc/self`).
const EDGES: &[&str] = &["ingest", "output", "cache", "run_folder", "timings"];

/// The stages that `render` and `report` must not import: they draw and write what a run's
/// tables and summary hold, never recompute them.
const PIPELINE: &[&str] = &[
    "ingest", "measure", "compare", "cache", "run", "extract", "config",
];

/// One reference from a file to a top-level module of the crate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Use {
    from: String,
    to: String,
    file: PathBuf,
    line: usize,
}

/// The top-level module a source file belongs to (`src/a.rs` and `src/a/…` are `a`), or
/// `None` for the crate roots.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "main" && name != "lib").then_some(name)
}

/// Whether a file is test code (`tests.rs` or under a `tests/` folder of a module).
fn is_test_file(file: &Path) -> bool {
    file.file_name().is_some_and(|n| n == "tests.rs")
        || file.components().any(|c| c.as_os_str() == "tests")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("list the source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The code of a line without its `//` comment (string contents are kept; a `//` inside a
/// string cuts the line short, which can only hide a reference, never invent one).
fn code(line: &str) -> &str {
    line.find("//").map_or(line, |i| &line[..i])
}

/// The top-level modules a line names through `crate::` paths, including grouped imports
/// (`use crate::{a, b::c};`), which may span lines: `group` carries an open group along.
fn crate_names(line: &str, group: &mut Option<usize>, out: &mut Vec<String>) {
    let mut rest = line;
    if let Some(depth) = group.as_mut() {
        rest = scan_group(rest, depth, out);
        if *depth == 0 {
            *group = None;
        } else {
            return;
        }
    }
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(inner) = after.strip_prefix('{') {
            let mut depth = 1;
            rest = scan_group(inner, &mut depth, out);
            if depth > 0 {
                *group = Some(depth);
                return;
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
            rest = after;
        }
    }
}

/// Reads a `{…}` import group: the first segment of each item at depth 1.
fn scan_group<'l>(text: &'l str, depth: &mut usize, out: &mut Vec<String>) -> &'l str {
    let mut item = String::new();
    for (i, c) in text.char_indices() {
        match c {
            '{' => *depth += 1,
            '}' => {
                *depth -= 1;
                if *depth == 0 {
                    push_item(&item, out);
                    return &text[i + 1..];
                }
            }
            ',' if *depth == 1 => {
                push_item(&item, out);
                item.clear();
                continue;
            }
            _ => {}
        }
        if *depth == 1 && c != '{' {
            item.push(c);
        }
    }
    push_item(&item, out);
    ""
}

fn push_item(item: &str, out: &mut Vec<String>) {
    let name: String = item
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if !name.is_empty() && name != "self" {
        out.push(name);
    }
}

/// Every reference between top-level modules, and every `std::fs` use, in the tree.
fn scan(src: &Path) -> (Vec<Use>, Vec<(String, PathBuf, usize)>) {
    let modules: BTreeSet<String> = rust_files(src)
        .iter()
        .filter_map(|f| module_of(src, f))
        .collect();
    let (mut uses, mut fs) = (Vec::new(), Vec::new());
    for file in rust_files(src) {
        let Some(from) = module_of(src, &file) else {
            continue;
        };
        if is_test_file(&file) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read a source file");
        let mut group = None;
        for (i, line) in text.lines().enumerate() {
            // Unit tests inline in a file are test code too.
            if line.trim_start().starts_with("mod tests {") {
                break;
            }
            let line_code = code(line);
            let mut names = Vec::new();
            crate_names(line_code, &mut group, &mut names);
            for to in names {
                if to != from && modules.contains(&to) {
                    uses.push(Use {
                        from: from.clone(),
                        to,
                        file: file.clone(),
                        line: i + 1,
                    });
                }
            }
            if line_code.contains("std::fs") {
                fs.push((from.clone(), file.clone(), i + 1));
            }
        }
    }
    (uses, fs)
}

/// The references between the files of `stats` (`super::NAME` from `src/stats/NAME.rs`),
/// whose sibling circles count too.
fn stats_uses(src: &Path) -> Vec<Use> {
    let dir = src.join("stats");
    let mut uses = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return uses;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let siblings: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    for file in &files {
        let from = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).expect("read a source file");
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("mod tests {") {
                break;
            }
            let mut rest = code(line);
            while let Some(at) = rest.find("super::") {
                let after = &rest[at + "super::".len()..];
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name != from && siblings.contains(&name) {
                    uses.push(Use {
                        from: format!("stats::{from}"),
                        to: format!("stats::{name}"),
                        file: file.clone(),
                        line: i + 1,
                    });
                }
                rest = after;
            }
        }
    }
    uses
}

/// The problems with a tree, one line each.
fn violations(src: &Path) -> Vec<String> {
    let (mut uses, fs) = scan(src);
    uses.extend(stats_uses(src));
    let mut problems = Vec::new();
    let shown = |u: &Use| {
        format!(
            "{}:{}",
            u.file
                .strip_prefix(src.parent().unwrap_or(src))
                .unwrap_or(&u.file)
                .display(),
            u.line
        )
    };
    // Circles: each strongly connected set of two or more modules, with one edge of each.
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for u in &uses {
        graph.entry(&u.from).or_default().insert(&u.to);
    }
    for circle in strongly_connected(&graph) {
        let edges: Vec<String> = uses
            .iter()
            .filter(|u| circle.contains(&u.from.as_str()) && circle.contains(&u.to.as_str()))
            .fold(BTreeMap::new(), |mut first, u| {
                first
                    .entry((u.from.clone(), u.to.clone()))
                    .or_insert_with(|| shown(u));
                first
            })
            .into_iter()
            .map(|((a, b), at)| format!("{a} -> {b} ({at})"))
            .collect();
        problems.push(format!(
            "import circle between {}: {}",
            circle.join(", "),
            edges.join("; ")
        ));
    }
    for u in uses.iter().filter(|u| !u.from.starts_with("stats::")) {
        if u.from == "stats" {
            problems.push(format!("{}: stats imports crate::{}", shown(u), u.to));
        }
        if (u.from == "render" || u.from == "report") && PIPELINE.contains(&u.to.as_str()) {
            problems.push(format!(
                "{}: {} imports the pipeline stage {}",
                shown(u),
                u.from,
                u.to
            ));
        }
    }
    for (module, file, line) in fs {
        if !EDGES.contains(&module.as_str()) {
            problems.push(format!(
                "{}:{line}: std::fs in {module}, which is not an edge module ({})",
                file.strip_prefix(src.parent().unwrap_or(src))
                    .unwrap_or(&file)
                    .display(),
                EDGES.join(", ")
            ));
        }
    }
    problems
}

/// Tarjan's strongly connected components of two or more nodes, each sorted.
fn strongly_connected<'g>(graph: &BTreeMap<&'g str, BTreeSet<&'g str>>) -> Vec<Vec<&'g str>> {
    struct State<'g> {
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<&'g str>>,
    }
    fn visit<'g>(v: &'g str, graph: &BTreeMap<&'g str, BTreeSet<&'g str>>, s: &mut State<'g>) {
        let next = s.index.len();
        s.index.insert(v, next);
        s.low.insert(v, next);
        s.stack.push(v);
        s.on_stack.insert(v);
        for &w in graph.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(w, graph, s);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort_unstable();
                s.out.push(component);
            }
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for &v in graph.keys() {
        if !state.index.contains_key(v) {
            visit(v, graph, &mut state);
        }
    }
    state.out.sort();
    state.out
}

/// The project's own tree keeps the house rules.
#[test]
fn the_source_tree_keeps_the_house_rules() {
    let problems = violations(&root().join("src"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each rule fails, naming file and line, on a tree with a planted violation.
#[test]
fn house_rules_fail_on_planted_violations() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    let write = |name: &str, text: &str| {
        let path = src.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "lib.rs",
        "pub mod a;\npub mod b;\npub mod stats;\npub mod render;\npub mod ingest;\n",
    );
    write("a.rs", "use crate::{\n    b::Thing,\n    stats,\n};\n");
    write(
        "b.rs",
        "// crate::ingest in a comment is not a use\nfn f() { crate::a::g(); }\n",
    );
    write("stats/mod.rs", "pub mod funnel;\n");
    write(
        "stats/funnel.rs",
        "use crate::render;\nuse super::overdispersion::Scale;\n",
    );
    write(
        "stats/overdispersion.rs",
        "use super::funnel::check_units;\n",
    );
    write(
        "render/mod.rs",
        "use crate::ingest::Table;\nfn f() { let _ = std::fs::read(\"x\"); }\n",
    );
    write(
        "ingest/mod.rs",
        "fn f() { let _ = std::fs::read(\"x\"); }\n",
    );
    let problems = violations(&src);
    let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
    assert!(
        has("import circle between a, b: a -> b (src/a.rs:2); b -> a (src/b.rs:2)"),
        "{problems:#?}"
    );
    assert!(
        has("src/stats/funnel.rs:1: stats imports crate::render"),
        "{problems:#?}"
    );
    assert!(
        has("src/render/mod.rs:1: render imports the pipeline stage ingest"),
        "{problems:#?}"
    );
    assert!(
        has("src/render/mod.rs:2: std::fs in render, which is not an edge module"),
        "{problems:#?}"
    );
    assert!(
        !has("src/ingest/mod.rs"),
        "ingest is an edge: {problems:#?}"
    );
    assert!(!has("src/b.rs:1"), "a comment is not a use: {problems:#?}");
    assert!(
        has("import circle between stats::funnel, stats::overdispersion: stats::funnel -> stats::overdispersion (src/stats/funnel.rs:2); stats::overdispersion -> stats::funnel (src/stats/overdispersion.rs:1)"),
        "{problems:#?}"
    );
    assert_eq!(problems.len(), 5, "{problems:#?}");
}
