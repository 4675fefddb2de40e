//! The layering of ARCHITECTURE.md, checked on the source: no module imports from a layer
//! above its own, the top-level modules import each other without a cycle, and inside
//! `docker/` and `registry/` no file imports, directly or through others, a file that
//! imports it back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules by layer, lowest first (ARCHITECTURE.md, "Layers").
const LAYERS: &[&[&str]] = &[
    &["text", "docker", "registry", "run_spec"],
    &[
        "job",
        "action",
        "config",
        "layerfs",
        "logs",
        "local_registry",
    ],
    &["model"],
    &["state", "flows", "msg", "effect"],
    &["executor", "ui"],
    &["app", "tui", "cli", "terminal_session"],
];

type ModulePath = Vec<String>;

/// Every `.rs` file under `src/` by its module path (`src/docker/raw.rs` → `docker::raw`).
fn modules() -> BTreeMap<ModulePath, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n != "main.rs" || f.parent() != Some(&root))
        })
        .map(|file| {
            let relative = file.strip_prefix(&root).unwrap().with_extension("");
            let mut path: ModulePath = relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if matches!(path.last().map(String::as_str), Some("mod" | "lib")) {
                path.pop();
            }
            (path, file)
        })
        .collect()
}

/// The code of a file without its unit tests (they may use anything) and without comments
/// (a doc link is not an import).
fn code_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(end) => &text[..end],
        None => &text,
    };
    code.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names: `crate::a::b`, `super::x`, `self::y`, `child::z`, and the
/// paths inside `use a::{b, c::d}` groups, as written.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    while i < bytes.len() {
        let starts_word =
            is_ident(bytes[i]) && (i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != ':');
        if !starts_word {
            i += 1;
            continue;
        }
        let mut segments = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            while j < bytes.len() && is_ident(bytes[j]) {
                j += 1;
            }
            segments.push(bytes[start..j].iter().collect::<String>());
            if j + 2 < bytes.len() && bytes[j] == ':' && bytes[j + 1] == ':' {
                if bytes[j + 2] == '{' {
                    // A use group: each item continues the path so far.
                    let close = (j + 3..bytes.len())
                        .find(|&k| bytes[k] == '}')
                        .unwrap_or(j + 3);
                    let inner: String = bytes[j + 3..close].iter().collect();
                    for item in named_paths(&inner) {
                        let mut path = segments.clone();
                        path.extend(item);
                        paths.push(path);
                    }
                    j = close;
                    break;
                }
                if is_ident(bytes[j + 2]) {
                    j += 2;
                    continue;
                }
            }
            break;
        }
        if segments.len() > 1 {
            paths.push(segments);
        }
        i = j.max(i + 1);
    }
    paths
}

/// The module file a path written in module `from` refers to (the longest prefix that is
/// a module), or `None` for paths outside the crate.
fn resolve(
    from: &ModulePath,
    path: &[String],
    modules: &BTreeMap<ModulePath, PathBuf>,
) -> Option<ModulePath> {
    let mut base: ModulePath;
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            base = Vec::new();
            rest = &path[1..];
        }
        Some("super") => {
            base = from.clone();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        Some("self") => {
            base = from.clone();
            rest = &path[1..];
        }
        Some(first) => {
            let mut child = from.clone();
            child.push(first.to_string());
            if !modules.contains_key(&child) {
                return None;
            }
            base = from.clone();
        }
        None => return None,
    }
    let mut found = None;
    for n in 0..=rest.len() {
        let mut candidate = base.clone();
        candidate.extend(rest[..n].iter().cloned());
        if modules.contains_key(&candidate) {
            found = Some(candidate);
        }
    }
    found.filter(|m| m != from)
}

fn dependencies() -> BTreeMap<ModulePath, BTreeSet<ModulePath>> {
    let modules = modules();
    modules
        .iter()
        .map(|(module, file)| {
            let deps = named_paths(&code_of(file))
                .iter()
                .filter_map(|path| resolve(module, path, &modules))
                .collect();
            (module.clone(), deps)
        })
        .collect()
}

fn layer_of(top: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&top))
}

/// Groups of modules that reach each other (Tarjan's strongly connected components).
fn cycles(graph: &BTreeMap<ModulePath, BTreeSet<ModulePath>>) -> Vec<Vec<ModulePath>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<ModulePath, BTreeSet<ModulePath>>,
        index: BTreeMap<&'a ModulePath, usize>,
        low: BTreeMap<&'a ModulePath, usize>,
        stack: Vec<&'a ModulePath>,
        found: Vec<Vec<ModulePath>>,
    }
    fn visit<'a>(walk: &mut Walk<'a>, node: &'a ModulePath) {
        let n = walk.index.len();
        walk.index.insert(node, n);
        walk.low.insert(node, n);
        walk.stack.push(node);
        for next in walk.graph.get(node).into_iter().flatten() {
            if !walk.index.contains_key(next) {
                visit(walk, next);
                let low = walk.low[node].min(walk.low[next]);
                walk.low.insert(node, low);
            } else if walk.stack.contains(&next) {
                let low = walk.low[node].min(walk.index[next]);
                walk.low.insert(node, low);
            }
        }
        if walk.low[node] == walk.index[node] {
            let mut group = Vec::new();
            while let Some(member) = walk.stack.pop() {
                group.push(member.clone());
                if member == node {
                    break;
                }
            }
            if group.len() > 1 {
                walk.found.push(group);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node) {
            visit(&mut walk, node);
        }
    }
    walk.found
}

#[test]
fn every_top_level_module_has_a_layer() {
    let tops: BTreeSet<String> = modules()
        .keys()
        .filter_map(|m| m.first().cloned())
        .collect();
    for top in tops {
        assert!(
            layer_of(&top).is_some(),
            "src/{top} is in no layer: add it to ARCHITECTURE.md and to LAYERS here"
        );
    }
}

#[test]
fn no_import_runs_upward() {
    let mut upward = Vec::new();
    for (module, deps) in dependencies() {
        let Some(from) = module.first().and_then(|top| layer_of(top)) else {
            continue;
        };
        for dep in deps {
            let Some(to) = dep.first().and_then(|top| layer_of(top)) else {
                continue;
            };
            if to > from {
                upward.push(format!("{} → {}", module.join("::"), dep.join("::")));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports from a higher layer: {upward:#?}"
    );
}

#[test]
fn top_level_modules_have_no_cycle_across_layers() {
    let mut graph: BTreeMap<ModulePath, BTreeSet<ModulePath>> = BTreeMap::new();
    for (module, deps) in dependencies() {
        let (Some(from), true) = (module.first(), !module.is_empty()) else {
            continue;
        };
        let entry = graph.entry(vec![from.clone()]).or_default();
        for dep in deps {
            if let Some(to) = dep.first().filter(|to| *to != from) {
                entry.insert(vec![to.clone()]);
            }
        }
    }
    // The core (state, flows, msg, effect) is one layer whose parts call each other.
    let core = LAYERS[3];
    let crossing: Vec<_> = cycles(&graph)
        .into_iter()
        .filter(|group| !group.iter().all(|m| core.contains(&m[0].as_str())))
        .collect();
    assert!(
        crossing.is_empty(),
        "top-level modules in a cycle: {crossing:?}"
    );
}

#[test]
fn docker_and_registry_have_no_cycle_inside() {
    let graph: BTreeMap<ModulePath, BTreeSet<ModulePath>> = dependencies()
        .into_iter()
        .filter(|(m, _)| matches!(m.first().map(String::as_str), Some("docker" | "registry")))
        .collect();
    let found = cycles(&graph);
    assert!(found.is_empty(), "import cycles: {found:?}");
}

#[test]
fn the_checker_sees_imports() {
    // A checker that finds nothing would pass everything: make sure it reads real imports.
    let deps = dependencies();
    let of = |m: &str| deps[&m.split("::").map(String::from).collect::<ModulePath>()].clone();
    assert!(of("docker::engine").contains(&vec!["docker".into(), "raw".into()]));
    assert!(of("executor").contains(&vec!["flows".into(), "tag".into()]));
    assert!(of("flows::login").contains(&vec!["model".into(), "form".into()]));
    let paths = named_paths("use crate::a::{b, c::d};\nlet x = super::e::f(1);");
    assert!(paths.contains(&vec!["crate".into(), "a".into(), "c".into(), "d".into()]));
    assert!(paths.contains(&vec!["super".into(), "e".into(), "f".into()]));
}
