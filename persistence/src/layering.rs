//! The modules of this crate form no circle: a module never depends, through others, on itself
//! (issue 8: "no module circles"). Read from the source: every `crate::…`, `super::…` and
//! `self::…` path outside comments and `#[cfg(test)]` items is an edge to the module it names.
//! A module's own submodules and ancestors are not edges (a `mod.rs` re-exports its children).
#![cfg(test)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The module path of a file under `src/` (`casework/plan.rs` → `["casework", "plan"]`).
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

fn sources(dir: &Path, root: &Path, out: &mut Vec<(Vec<String>, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((
                module_of(path.strip_prefix(root).unwrap()),
                production_code(&text),
            ));
        }
    }
}

/// The text without comments and without the items under `#[cfg(test)]` (a file that is all test,
/// `#![cfg(test)]`, has none).
fn production_code(text: &str) -> String {
    if text.lines().any(|l| l.trim() == "#![cfg(test)]") {
        return String::new();
    }
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed.starts_with("#[cfg(test)]") {
            // Skip the item: up to its balanced closing brace, or its `;`.
            let mut depth = 0i32;
            let mut opened = false;
            for item_line in lines.by_ref() {
                for c in item_line.chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                if (opened && depth <= 0) || (!opened && item_line.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every path that starts with `crate::`, `super::` or `self::`, groups (`{a, b::c}`) expanded,
/// as written (the first segment is the keyword).
fn paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        let mut j = i;
        let word = if starts_word {
            ident(&chars, &mut j)
        } else {
            String::new()
        };
        if matches!(word.as_str(), "crate" | "super" | "self")
            && chars[j..].starts_with(&[':', ':'])
        {
            parse_after(&chars, &mut j, vec![word], &mut out);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Continues a path standing just after its last segment: `::name`, `::{a, b::c}`, or its end.
fn parse_after(chars: &[char], i: &mut usize, mut path: Vec<String>, out: &mut Vec<Vec<String>>) {
    loop {
        skip_space(chars, i);
        if !chars[*i..].starts_with(&[':', ':']) {
            out.push(path);
            return;
        }
        *i += 2;
        skip_space(chars, i);
        if *i < chars.len() && chars[*i] == '{' {
            *i += 1;
            while *i < chars.len() {
                skip_space(chars, i);
                if *i >= chars.len() {
                    return;
                }
                if chars[*i] == '}' {
                    *i += 1;
                    return;
                }
                let word = ident(chars, i);
                if word.is_empty() {
                    // `,`, `*`, `as` targets and the like.
                    *i += 1;
                    continue;
                }
                if word == "as" {
                    // `a as b`: `b` is a local name, not a path.
                    skip_space(chars, i);
                    ident(chars, i);
                    continue;
                }
                let mut item = path.clone();
                item.push(word);
                parse_after(chars, i, item, out);
            }
            return;
        }
        let word = ident(chars, i);
        if word.is_empty() {
            out.push(path);
            return;
        }
        path.push(word);
    }
}

fn skip_space(chars: &[char], i: &mut usize) {
    while *i < chars.len() && chars[*i].is_whitespace() {
        *i += 1;
    }
}

fn ident(chars: &[char], i: &mut usize) -> String {
    let start = *i;
    while *i < chars.len() && (chars[*i].is_alphanumeric() || chars[*i] == '_') {
        *i += 1;
    }
    chars[start..*i].iter().collect()
}

/// The module a path names: the longest known module its segments begin with, relative to
/// `from` for `super`/`self`.
fn target(
    from: &[String],
    path: &[String],
    modules: &BTreeSet<Vec<String>>,
) -> Option<Vec<String>> {
    let mut base: Vec<String> = match path[0].as_str() {
        "crate" => Vec::new(),
        "self" => from.to_vec(),
        _ => from.to_vec(),
    };
    let mut rest = &path[1..];
    if path[0] == "super" {
        base.pop();
        while rest.first().is_some_and(|s| s == "super") {
            base.pop();
            rest = &rest[1..];
        }
    }
    let mut best = None;
    let mut candidate = base.clone();
    for segment in rest {
        candidate.push(segment.clone());
        if modules.contains(&candidate) {
            best = Some(candidate.clone());
        } else {
            break;
        }
    }
    best.or(if base.is_empty() { None } else { Some(base) })
}

/// The dependency graph: module → the modules it names (its own ancestors and descendants left
/// out, the crate root too).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &root, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &files {
        if module.is_empty() {
            continue;
        }
        let name = module.join("::");
        let entry = edges.entry(name.clone()).or_default();
        for path in paths(code) {
            let Some(to) = target(module, &path, &modules) else {
                continue;
            };
            let related = to.starts_with(module) || module.starts_with(&to);
            if !related {
                entry.insert(to.join("::"));
            }
        }
    }
    edges
}

/// A cycle of the graph, as the modules along it (the first repeated at the end), if any.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_owned(), Mark::Open);
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let from = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(cycle) = visit(next, edges, marks, stack) {
                        return Some(cycle);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in edges.keys() {
        if marks.get(node).copied().unwrap_or(Mark::New) == Mark::New {
            let mut stack = Vec::new();
            if let Some(cycle) = visit(node, edges, &mut marks, &mut stack) {
                return Some(cycle);
            }
        }
    }
    None
}

#[test]
fn no_persistence_module_depends_on_itself_through_others() {
    let edges = graph();
    // The reader sees the imports at all (a broken reader would pass vacuously).
    assert!(edges["cases"].contains("schema"), "{edges:#?}");
    if let Some(cycle) = find_cycle(&edges) {
        panic!(
            "persistence modules import each other in a circle: {}",
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_reader_expands_groups_and_skips_comments_and_tests() {
    let code = production_code(
        "use crate::{a, b::{c, d::E}};\n// crate::x\nfn f() { super::y::z(); }\n#[cfg(test)]\nmod tests {\n    use crate::t;\n}\n",
    );
    let found: BTreeSet<String> = paths(&code).into_iter().map(|p| p.join("::")).collect();
    let expected: BTreeSet<String> = ["crate::a", "crate::b::c", "crate::b::d::E", "super::y::z"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(found, expected);
    let found = find_cycle(&BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]));
    assert_eq!(found, Some(vec!["a".into(), "b".into(), "a".into()]));
}
