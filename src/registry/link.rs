//! `Link: <url>; rel="next"` pagination headers (RFC 8288), resolved against the request URL.

use reqwest::Url;

/// The `rel="next"` target of one `Link` header value, resolved against `base`.
///
/// Accepts several comma-separated links, quoted or bare `rel`, several relation types in
/// one `rel`, and relative or absolute targets. Returns `None` for anything unparseable.
pub fn next_link(header: &str, base: &Url) -> Option<Url> {
    let mut rest = header;
    loop {
        let open = rest.find('<')?;
        let close = open + rest[open..].find('>')?;
        let target = rest[open + 1..close].trim();
        let after = &rest[close + 1..];
        // Parameters run until the next link, which starts with `,` outside quotes.
        let (params, next) = split_params(after);
        if params_have_next_rel(params) {
            return base.join(target).ok();
        }
        rest = next?;
    }
}

/// Splits `; rel="next", <…>` into this link's parameters and the text after the comma.
fn split_params(text: &str) -> (&str, Option<&str>) {
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => return (&text[..i], Some(&text[i + 1..])),
            _ => {}
        }
    }
    (text, None)
}

fn params_have_next_rel(params: &str) -> bool {
    params.split(';').any(|param| {
        let Some((name, value)) = param.split_once('=') else {
            return false;
        };
        name.trim().eq_ignore_ascii_case("rel")
            && value
                .trim()
                .trim_matches('"')
                .split_ascii_whitespace()
                .any(|rel| rel.eq_ignore_ascii_case("next"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://127.0.0.1:5000/v2/_catalog?n=2").unwrap()
    }

    #[test]
    fn relative_link_from_distribution() {
        let next = next_link(r#"</v2/_catalog?last=b&n=2>; rel="next""#, &base()).unwrap();
        assert_eq!(
            next.as_str(),
            "http://127.0.0.1:5000/v2/_catalog?last=b&n=2"
        );
    }

    #[test]
    fn path_relative_and_absolute_links() {
        let next = next_link(r#"<tags/list?last=x>; rel="next""#, &base()).unwrap();
        assert_eq!(next.as_str(), "http://127.0.0.1:5000/v2/tags/list?last=x");
        let next = next_link(
            r#"<https://registry.example.com/v2/app/tags/list?n=100&last=9>; rel=next"#,
            &base(),
        )
        .unwrap();
        assert_eq!(
            next.as_str(),
            "https://registry.example.com/v2/app/tags/list?n=100&last=9"
        );
    }

    #[test]
    fn picks_next_among_several_links() {
        let header = r#"</v2/a?p=1>; rel="prev"; title="a, b", </v2/a?p=3>; rel="last next""#;
        let next = next_link(header, &base()).unwrap();
        assert_eq!(next.as_str(), "http://127.0.0.1:5000/v2/a?p=3");
        let header = r#"</v2/a?p=1>; rel="prev", </v2/a?p=2>;REL="Next""#;
        assert_eq!(
            next_link(header, &base()).unwrap().as_str(),
            "http://127.0.0.1:5000/v2/a?p=2"
        );
    }

    #[test]
    fn no_next_or_garbage() {
        for header in [
            "",
            r#"</v2/a>; rel="prev""#,
            "garbage",
            "<unterminated; rel=next",
            r#"</v2/a>; rel="nextpage""#,
            r#"<http://[bad>; rel="next""#,
            "<>",
        ] {
            assert_eq!(next_link(header, &base()), None, "{header}");
        }
    }
}
