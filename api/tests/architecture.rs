//! The layers of `api/src`, checked. The test reads every file of `api/src` as Rust syntax and
//! builds the graph of which file imports which: every `use` of a path in this crate (groups,
//! renames and globs included, through `crate::`, `self::`, `super::` or a child module), and
//! every path written in code or inside a macro call (`crate::x::y(…)`, `super::Z`, or
//! `alias::item` where `alias` was imported as a module). A path names the file of the deepest
//! module it passes through, so `crate::db::Tx` is an import of `db.rs` even though `Tx` lives in
//! `audit/tx.rs`: `db.rs` re-exports it and imports `audit/tx.rs` itself.
//!
//! It fails on (a) any circle of imports between files and (b) any import from a file of a lower
//! layer into a file of a higher one. The layers are the table between the `layers` markers in
//! `ARCHITECTURE.md`, read here, so the document and the check cannot drift; the exceptions, if
//! any, are the table between the `layer-exceptions` markers there, each with its reason: an
//! import listed there is passed over by both checks, and one that no longer happens fails.
//!
//! `QUORUM_ARCHITECTURE_REPORT=1 cargo test -p api --test architecture -- --nocapture` prints
//! every circle and every upward import without failing, to measure a change.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// One file of `api/src`.
struct File {
    /// Its path under `api/src`, with `/` between folders.
    path: String,
    /// Its module path in the crate (`members/commands/mod.rs` is `members::commands`).
    module: Vec<String>,
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

fn module_of(path: &str) -> Vec<String> {
    let stem = path.strip_suffix(".rs").expect("a .rs file");
    let mut module: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if matches!(
        module.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        module.pop();
    }
    module
}

/// Every file's module path, and the file a module path lives in.
struct Crate {
    files: Vec<File>,
    modules: BTreeMap<Vec<String>, String>,
    /// `#[macro_export]` macros, which live at the crate root, and the file defining each.
    macros: BTreeMap<String, String>,
}

impl Crate {
    /// The file holding what `path` (a module path from the crate root) names: the file of its
    /// longest prefix that is a module with a file of its own.
    fn file_of(&self, path: &[String]) -> &str {
        (0..=path.len())
            .rev()
            .find_map(|len| self.modules.get(&path[..len]))
            .map(String::as_str)
            .unwrap_or("lib.rs")
    }

    fn is_module(&self, path: &[String]) -> bool {
        self.modules.contains_key(path)
    }
}

/// One import found in a file.
struct Import {
    /// The file imported.
    to: String,
    /// Where: the line in the importing file.
    line: usize,
}

/// Walks one file, collecting the files its paths name.
struct Imports<'a> {
    krate: &'a Crate,
    /// `main.rs` is the binary: `api::` is the library's root there, and it has no modules.
    is_binary: bool,
    /// The module being walked: the file's, then any inline `mod x { … }` inside it.
    scope: Vec<String>,
    /// Names brought in by `use` that stand for a module path of this crate.
    aliases: BTreeMap<String, Vec<String>>,
    found: Vec<Import>,
}

impl Imports<'_> {
    /// The module path from the crate root that `segments` names, if it is a path into this crate.
    /// `in_use` is true for a `use` tree, where a single name may be a child module; in code a
    /// single name is a local item or variable and only longer paths are followed.
    fn resolve(&self, segments: &[String], in_use: bool) -> Option<Vec<String>> {
        let (first, rest) = segments.split_first()?;
        match first.as_str() {
            "crate" if !self.is_binary => Some(rest.to_vec()),
            "api" if self.is_binary => Some(rest.to_vec()),
            "self" => Some([self.scope.as_slice(), rest].concat()),
            "super" => {
                let mut base = self.scope.clone();
                let mut rest = segments;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
                Some([base.as_slice(), rest].concat())
            }
            _ if !in_use && rest.is_empty() => None,
            _ => {
                if let Some(target) = self.aliases.get(first) {
                    return Some([target.as_slice(), rest].concat());
                }
                let child = [self.scope.as_slice(), std::slice::from_ref(first)].concat();
                (!self.is_binary && self.krate.is_module(&child))
                    .then(|| [self.scope.as_slice(), segments].concat())
            }
        }
    }

    /// The file defining the `#[macro_export]` macro that `segments` (`crate::field`) names.
    fn exported_macro(&self, segments: &[String]) -> Option<&str> {
        let root = if self.is_binary { "api" } else { "crate" };
        match segments {
            [first, name] if first == root => self.krate.macros.get(name).map(String::as_str),
            _ => None,
        }
    }

    fn record(&mut self, target: &[String], line: usize) {
        let to = self.krate.file_of(target).to_owned();
        self.found.push(Import { to, line });
    }

    fn use_tree(&mut self, tree: &syn::UseTree, prefix: &mut Vec<String>, line: usize) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(&path.tree, prefix, line);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let ident = name.ident.to_string();
                self.use_name(prefix, &ident, &ident, line);
            }
            syn::UseTree::Rename(rename) => {
                let ident = rename.ident.to_string();
                self.use_name(prefix, &ident, &rename.rename.to_string(), line);
            }
            syn::UseTree::Glob(_) => {
                if let Some(target) = self.resolve(prefix, true) {
                    self.record(&target, line);
                }
            }
            syn::UseTree::Group(group) => {
                for item in &group.items {
                    self.use_tree(item, prefix, line);
                }
            }
        }
    }

    fn use_name(&mut self, prefix: &[String], ident: &str, alias: &str, line: usize) {
        // `use crate::x::{self}` names `crate::x` itself.
        let full: Vec<String> = if ident == "self" {
            prefix.to_vec()
        } else {
            [prefix, &[ident.to_owned()]].concat()
        };
        let Some(target) = self.resolve(&full, true) else {
            return;
        };
        self.record(&target, line);
        if self.krate.is_module(&target) {
            let name = if ident == "self" {
                prefix.last().cloned().unwrap_or_default()
            } else {
                alias.to_owned()
            };
            self.aliases.insert(name, target);
        }
    }

    /// Paths inside a macro call's tokens: runs of `a :: b :: c`.
    fn tokens(&mut self, tokens: TokenStream) {
        let flat = flatten(tokens);
        let mut at = 0;
        while at < flat.len() {
            let Flat::Ident(first, line) = &flat[at] else {
                at += 1;
                continue;
            };
            let mut segments = vec![first.clone()];
            let mut next = at + 1;
            while let (Some(Flat::PathSep), Some(Flat::Ident(ident, _))) =
                (flat.get(next), flat.get(next + 1))
            {
                segments.push(ident.clone());
                next += 2;
            }
            let line = *line;
            let is_macro = matches!(flat.get(next), Some(Flat::Bang));
            if let Some(file) = self.exported_macro(&segments).filter(|_| is_macro) {
                let to = file.to_owned();
                self.found.push(Import { to, line });
            } else if let Some(target) = self.resolve(&segments, false) {
                self.record(&target, line);
            }
            at = next;
        }
    }
}

/// A macro's tokens, flattened: identifiers, `::`, `!`, and anything else.
enum Flat {
    Ident(String, usize),
    PathSep,
    Bang,
    Other,
}

fn flatten(tokens: TokenStream) -> Vec<Flat> {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(token) = iter.next() {
        match token {
            TokenTree::Group(group) => {
                out.push(Flat::Other);
                out.extend(flatten(group.stream()));
                out.push(Flat::Other);
            }
            TokenTree::Ident(ident) => {
                out.push(Flat::Ident(ident.to_string(), ident.span().start().line));
            }
            TokenTree::Punct(punct) => {
                let joint = punct.as_char() == ':'
                    && punct.spacing() == proc_macro2::Spacing::Joint
                    && matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if joint {
                    iter.next();
                    out.push(Flat::PathSep);
                } else if punct.as_char() == '!' {
                    out.push(Flat::Bang);
                } else {
                    out.push(Flat::Other);
                }
            }
            TokenTree::Literal(_) => out.push(Flat::Other),
        }
    }
    out
}

impl<'ast> Visit<'ast> for Imports<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let line = item.use_token.span.start().line;
        self.use_tree(&item.tree, &mut Vec::new(), line);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if let Some((_, items)) = &item.content {
            self.scope.push(item.ident.to_string());
            let saved = self.aliases.clone();
            for item in items {
                self.visit_item(item);
            }
            self.aliases = saved;
            self.scope.pop();
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_none()
            && let Some(target) = self.resolve(&segments, false)
        {
            let line = path
                .segments
                .first()
                .map_or(0, |s| s.ident.span().start().line);
            self.record(&target, line);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {
        // `pub(crate)` and `pub(super)` say who may see an item, not what it uses.
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let segments: Vec<String> = mac
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        match self.exported_macro(&segments).map(str::to_owned) {
            Some(file) => {
                let line = mac.bang_token.span.start().line;
                self.found.push(Import { to: file, line });
            }
            None => self.visit_path(&mac.path),
        }
        self.tokens(mac.tokens.clone());
    }
}

/// The import graph: for each file, the files it imports and the first line that does.
type Graph = BTreeMap<String, BTreeMap<String, usize>>;

fn read_crate() -> (Crate, Graph) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&root, &mut paths);
    let mut files: Vec<File> = paths
        .iter()
        .map(|path| {
            let relative = path
                .strip_prefix(&root)
                .expect("under api/src")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            File {
                module: module_of(&relative),
                path: relative,
            }
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let modules = files
        .iter()
        .filter(|f| f.path != "main.rs")
        .map(|f| (f.module.clone(), f.path.clone()))
        .collect();
    let syntaxes: Vec<syn::File> = files
        .iter()
        .map(|file| {
            let source = std::fs::read_to_string(root.join(&file.path))
                .unwrap_or_else(|e| panic!("read {}: {e}", file.path));
            syn::parse_file(&source).unwrap_or_else(|e| panic!("parse {}: {e}", file.path))
        })
        .collect();
    let mut macros = BTreeMap::new();
    for (file, syntax) in files.iter().zip(&syntaxes) {
        for item in &syntax.items {
            if let syn::Item::Macro(item) = item
                && let Some(name) = &item.ident
                && item.attrs.iter().any(|a| a.path().is_ident("macro_export"))
            {
                macros.insert(name.to_string(), file.path.clone());
            }
        }
    }
    let krate = Crate {
        files,
        modules,
        macros,
    };

    let mut graph = Graph::new();
    for (file, syntax) in krate.files.iter().zip(&syntaxes) {
        let mut imports = Imports {
            krate: &krate,
            is_binary: file.path == "main.rs",
            scope: if file.path == "main.rs" {
                Vec::new()
            } else {
                file.module.clone()
            },
            aliases: BTreeMap::new(),
            found: Vec::new(),
        };
        // `use` declarations first, so that aliases are known wherever they are used.
        for item in &syntax.items {
            if let syn::Item::Use(item) = item {
                imports.visit_item_use(item);
            }
        }
        imports.visit_file(syntax);
        let edges = graph.entry(file.path.clone()).or_default();
        for import in imports.found {
            if import.to != file.path {
                let line = edges.entry(import.to).or_insert(import.line);
                *line = (*line).min(import.line);
            }
        }
    }
    (krate, graph)
}

/// The strongly connected components of more than one file (Tarjan's algorithm).
fn circles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn connect<'g>(state: &mut State<'g>, node: &'g str) {
        state.index.insert(node, state.next);
        state.low.insert(node, state.next);
        state.next += 1;
        state.stack.push(node);
        state.on_stack.insert(node);
        let graph = state.graph;
        for next in graph.get(node).into_iter().flat_map(|edges| edges.keys()) {
            let next = next.as_str();
            if !state.index.contains_key(next) {
                connect(state, next);
                let low = state.low[node].min(state.low[next]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(next) {
                let low = state.low[node].min(state.index[next]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = Vec::new();
            while let Some(top) = state.stack.pop() {
                state.on_stack.remove(top);
                component.push(top.to_owned());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            connect(&mut state, node);
        }
    }
    state.found.sort();
    state.found
}

/// The rows of the table between `<!-- {marker}:begin -->` and `<!-- {marker}:end -->` in
/// ARCHITECTURE.md, as cells, the header and its rule left out.
fn table(document: &str, marker: &str) -> Vec<Vec<String>> {
    let begin = format!("<!-- {marker}:begin -->");
    let end = format!("<!-- {marker}:end -->");
    let start = document
        .find(&begin)
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has no {begin}"));
    let stop = document[start..]
        .find(&end)
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has no {end}"));
    document[start + begin.len()..start + stop]
        .lines()
        .filter(|line| line.trim_start().starts_with('|'))
        .skip(2)
        .map(|line| {
            line.trim()
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_owned())
                .collect()
        })
        .collect()
}

/// The paths written in backticks in a cell.
fn code_spans(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Whether `path` matches `pattern`: `*` stands for any part of one folder or file name, `**`
/// for any number of folders.
fn matches(pattern: &str, path: &str) -> bool {
    fn parts(pattern: &[&str], path: &[&str]) -> bool {
        match (pattern.split_first(), path.split_first()) {
            (None, None) => true,
            (Some((&"**", rest)), _) => {
                parts(rest, path) || path.split_first().is_some_and(|(_, p)| parts(pattern, p))
            }
            (Some((first, rest)), Some((name, path))) => {
                name_matches(first, name) && parts(rest, path)
            }
            _ => false,
        }
    }
    fn name_matches(pattern: &str, name: &str) -> bool {
        match pattern.split_once('*') {
            None => pattern == name,
            Some((head, tail)) => {
                name.len() >= head.len() + tail.len()
                    && name.starts_with(head)
                    && name_matches_rest(tail, &name[head.len()..])
            }
        }
    }
    fn name_matches_rest(pattern: &str, name: &str) -> bool {
        match pattern.split_once('*') {
            None => name.ends_with(pattern),
            Some((head, tail)) => name
                .match_indices(head)
                .any(|(at, _)| name_matches_rest(tail, &name[at + head.len()..])),
        }
    }
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    parts(&pattern, &path)
}

/// How specific a pattern is: one that ends in a file name beats one that ends in `**`, then
/// the one with more characters other than `*` wins. So `**/types.rs` places
/// `members/types.rs` over `members/**`, and `elections/types/**` places
/// `elections/types/mod.rs` over `elections/**`.
fn specificity(pattern: &str) -> (bool, usize) {
    (
        !pattern.ends_with("**"),
        pattern.chars().filter(|&c| c != '*').count(),
    )
}

/// The layers: each file's layer number (1 is the lowest) and the name of that layer.
struct Layers {
    names: Vec<String>,
    patterns: Vec<(String, usize)>,
}

impl Layers {
    fn read(document: &str) -> Self {
        let mut names = Vec::new();
        let mut patterns = Vec::new();
        for (at, row) in table(document, "layers").iter().enumerate() {
            let [number, name, files, ..] = row.as_slice() else {
                panic!("a layers row has a number, a name and files: {row:?}");
            };
            assert_eq!(
                number.parse::<usize>().ok(),
                Some(at + 1),
                "the layers are numbered 1, 2, 3… from the lowest: {row:?}"
            );
            names.push(name.clone());
            for pattern in code_spans(files) {
                patterns.push((pattern, at + 1));
            }
        }
        assert!(!names.is_empty(), "ARCHITECTURE.md lists no layers");
        Layers { names, patterns }
    }

    /// The layer of `path`, or why it has none.
    fn of(&self, path: &str) -> Result<usize, String> {
        let mut best: Vec<(&str, usize)> = Vec::new();
        for (pattern, layer) in &self.patterns {
            if matches(pattern, path) {
                match best.first() {
                    Some((b, _)) if specificity(b) > specificity(pattern) => {}
                    Some((b, _)) if specificity(b) == specificity(pattern) => {
                        best.push((pattern, *layer));
                    }
                    _ => best = vec![(pattern, *layer)],
                }
            }
        }
        let layers: BTreeSet<usize> = best.iter().map(|(_, layer)| *layer).collect();
        match layers.len() {
            1 => Ok(best[0].1),
            0 => Err(format!("{path}: no row of the layers table names it")),
            _ => Err(format!(
                "{path}: equally specific patterns of different layers match it: {best:?}"
            )),
        }
    }

    fn name(&self, layer: usize) -> &str {
        &self.names[layer - 1]
    }
}

/// The imports allowed upward, `(from, to)`, read from the exceptions table.
fn exceptions(document: &str) -> BTreeSet<(String, String)> {
    table(document, "layer-exceptions")
        .iter()
        .filter(|row| row.iter().any(|cell| !cell.is_empty()))
        .map(|row| {
            let [from, to, reason, ..] = row.as_slice() else {
                panic!(
                    "an exception row has the importing file, the imported file and why: {row:?}"
                );
            };
            assert!(!reason.is_empty(), "an exception needs its reason: {row:?}");
            let file = |cell: &str| {
                code_spans(cell)
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| panic!("a file in backticks: {row:?}"))
            };
            (file(from), file(to))
        })
        .collect()
}

fn architecture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ARCHITECTURE.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn reporting() -> bool {
    std::env::var_os("QUORUM_ARCHITECTURE_REPORT").is_some()
}

#[test]
fn no_import_circle_between_files() {
    let (_, mut graph) = read_crate();
    for (from, to) in exceptions(&architecture()) {
        if let Some(edges) = graph.get_mut(&from) {
            edges.remove(&to);
        }
    }
    let found = circles(&graph);
    let described: Vec<String> = found
        .iter()
        .map(|component| {
            let members: BTreeSet<&String> = component.iter().collect();
            let edges: Vec<String> = component
                .iter()
                .flat_map(|from| {
                    graph[from]
                        .iter()
                        .filter(|(to, _)| members.contains(to))
                        .map(move |(to, line)| format!("    {from}:{line} → {to}"))
                })
                .collect();
            format!("  {}\n{}", component.join(", "), edges.join("\n"))
        })
        .collect();
    if reporting() {
        println!("{} import circles\n{}", found.len(), described.join("\n"));
        return;
    }
    assert!(
        found.is_empty(),
        "{} import circles between files of api/src (each: the files, then the imports inside it):\n{}",
        found.len(),
        described.join("\n")
    );
}

#[test]
fn every_file_has_one_layer() {
    let (krate, _) = read_crate();
    let layers = Layers::read(&architecture());
    let problems: Vec<String> = krate
        .files
        .iter()
        .filter_map(|file| layers.of(&file.path).err())
        .collect();
    assert!(
        problems.is_empty(),
        "the layers table in ARCHITECTURE.md must place every file of api/src:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_import_from_a_lower_layer_into_a_higher_one() {
    let (_, graph) = read_crate();
    let document = architecture();
    let layers = Layers::read(&document);
    let allowed = exceptions(&document);
    let mut upward = Vec::new();
    for (from, edges) in &graph {
        let Ok(from_layer) = layers.of(from) else {
            continue;
        };
        for (to, line) in edges {
            let Ok(to_layer) = layers.of(to) else {
                continue;
            };
            if to_layer <= from_layer {
                continue;
            }
            if allowed.contains(&(from.clone(), to.clone())) {
                continue;
            }
            upward.push(format!(
                "  {from}:{line} ({}) imports {to} ({})",
                layers.name(from_layer),
                layers.name(to_layer)
            ));
        }
    }
    // An exception may also stand for an import inside a layer that closes a circle.
    let stale: Vec<String> = allowed
        .iter()
        .filter(|(from, to)| !graph.get(from).is_some_and(|edges| edges.contains_key(to)))
        .map(|(from, to)| format!("  {from} → {to}"))
        .collect();
    if reporting() {
        println!("{} upward imports\n{}", upward.len(), upward.join("\n"));
        return;
    }
    assert!(
        upward.is_empty(),
        "{} imports from a lower layer into a higher one (layers in ARCHITECTURE.md):\n{}",
        upward.len(),
        upward.join("\n")
    );
    assert!(
        stale.is_empty(),
        "exceptions in ARCHITECTURE.md that no longer happen; remove them:\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_reader_sees_every_kind_of_import() {
    let krate = Crate {
        macros: BTreeMap::new(),
        files: Vec::new(),
        modules: [
            (vec![], "lib.rs"),
            (vec!["a"], "a/mod.rs"),
            (vec!["a", "b"], "a/b.rs"),
            (vec!["c"], "c.rs"),
            (vec!["d"], "d.rs"),
            (vec!["e"], "e.rs"),
            (vec!["f"], "f.rs"),
            (vec!["g"], "g.rs"),
        ]
        .into_iter()
        .map(|(module, file)| {
            (
                module.into_iter().map(str::to_owned).collect(),
                file.to_owned(),
            )
        })
        .collect(),
    };
    let source = r#"
        use crate::{c::{self, C}, d::D as Renamed};
        use super::super::e::*;
        use self::b::B;
        fn f() -> crate::f::F { tracing::info!("{}", crate::g::G); }
        mod inner { use super::super::b::X; }
    "#;
    let mut imports = Imports {
        krate: &krate,
        is_binary: false,
        scope: vec!["a".to_owned(), "b".to_owned()],
        aliases: BTreeMap::new(),
        found: Vec::new(),
    };
    imports.visit_file(&syn::parse_file(source).expect("parses"));
    let files: BTreeSet<String> = imports.found.into_iter().map(|i| i.to).collect();
    let expected: BTreeSet<String> = ["c.rs", "d.rs", "e.rs", "f.rs", "g.rs", "a/b.rs"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(files, expected);
    assert!(matches("elections/types/**", "elections/types/mod.rs"));
    assert!(matches("*/types.rs", "members/types.rs"));
    assert!(!matches("*/types.rs", "members/commands/types.rs"));
    assert!(matches("**/query.rs", "elections/board/query.rs"));
    assert!(matches("notifications/*.rs", "notifications/queue.rs"));
}
