//! Tab completion for file paths: the pure part. The executor lists the directory.

/// One entry of the directory being completed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
}

/// What Tab does to a typed path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathCompletion {
    /// The text after completion (unchanged when nothing fits).
    pub text: String,
    /// Names that fit, when more than one does.
    pub candidates: Vec<String>,
}

/// Splits a typed path into the directory part (kept as typed) and the name being typed.
pub fn split_typed(typed: &str) -> (&str, &str) {
    match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    }
}

/// Completes `typed` against the entries of its directory. Hidden files only when the
/// name being typed starts with a dot; directories get a trailing `/`.
pub fn complete(typed: &str, entries: &[DirEntry]) -> PathCompletion {
    let (dir, partial) = split_typed(typed);
    let mut fits: Vec<&DirEntry> = entries
        .iter()
        .filter(|e| e.name.starts_with(partial))
        .filter(|e| partial.starts_with('.') || !e.name.starts_with('.'))
        .collect();
    fits.sort_by(|a, b| a.name.cmp(&b.name));
    match fits.as_slice() {
        [] => PathCompletion {
            text: typed.to_string(),
            candidates: Vec::new(),
        },
        [only] => PathCompletion {
            text: format!("{dir}{}{}", only.name, if only.is_dir { "/" } else { "" }),
            candidates: Vec::new(),
        },
        many => {
            let first = &many[0].name;
            let common = many.iter().fold(first.len(), |len, e| {
                first
                    .char_indices()
                    .zip(e.name.chars())
                    .take_while(|((i, a), b)| *i < len && a == b)
                    .last()
                    .map_or(0, |((i, a), _)| i + a.len_utf8())
            });
            PathCompletion {
                text: format!(
                    "{dir}{}",
                    &first[..common.max(partial.len()).min(first.len())]
                ),
                candidates: many
                    .iter()
                    .map(|e| format!("{}{}", e.name, if e.is_dir { "/" } else { "" }))
                    .collect(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<DirEntry> {
        [
            ("centos-7.tar.gz", false),
            ("centos-8.tar.xz", false),
            ("debian", true),
            (".hidden", false),
        ]
        .iter()
        .map(|(n, d)| DirEntry {
            name: n.to_string(),
            is_dir: *d,
        })
        .collect()
    }

    #[test]
    fn unique_and_common_prefixes() {
        assert_eq!(complete("/srv/deb", &entries()).text, "/srv/debian/");
        let c = complete("/srv/ce", &entries());
        assert_eq!(c.text, "/srv/centos-");
        assert_eq!(c.candidates, ["centos-7.tar.gz", "centos-8.tar.xz"]);
        assert_eq!(complete("/srv/zz", &entries()).text, "/srv/zz");
        assert_eq!(complete("/srv/.h", &entries()).text, "/srv/.hidden");
        assert!(
            !complete("/srv/", &entries())
                .candidates
                .iter()
                .any(|c| c.starts_with('.'))
        );
        assert_eq!(complete("ce", &entries()).text, "centos-");
    }
}
