//! Natural ordering for tags and names: digit runs compare as numbers, so `1.9` < `1.10`.

use std::cmp::Ordering;

/// Compares two strings naturally: runs of ASCII digits by value, everything else by character.
///
/// A total order: strings equal by value but spelled differently (`01` and `1`) fall back to
/// plain string order, so sorting is deterministic.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(cx), Some(cy)) if cx.is_ascii_digit() && cy.is_ascii_digit() => {
                let (nx, rest_x) = split_digits(x);
                let (ny, rest_y) = split_digits(y);
                let order = compare_numbers(nx, ny);
                if order != Ordering::Equal {
                    return order;
                }
                (x, y) = (rest_x, rest_y);
            }
            (Some(cx), Some(cy)) => {
                if cx != cy {
                    return cx.cmp(cy);
                }
                (x, y) = (&x[1..], &y[1..]);
            }
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    s.split_at(end)
}

/// Compares digit runs of any length by value, without overflowing.
fn compare_numbers(x: &[u8], y: &[u8]) -> Ordering {
    let strip = |s: &[u8]| -> usize { s.iter().position(|b| *b != b'0').unwrap_or(s.len()) };
    let (x, y) = (&x[strip(x)..], &y[strip(y)..]);
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(items: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| natural_cmp(a, b));
        v
    }

    #[test]
    fn versions_sort_by_value() {
        assert_eq!(natural_cmp("1.9", "1.10"), Ordering::Less);
        assert_eq!(natural_cmp("v2", "v10"), Ordering::Less);
        assert_eq!(natural_cmp("1.10", "1.10"), Ordering::Equal);
        assert_eq!(
            sorted(&[
                "1.10",
                "1.9",
                "1.10.1",
                "latest",
                "1.2-alpine",
                "1.2",
                "10",
                "2"
            ]),
            vec![
                "1.2",
                "1.2-alpine",
                "1.9",
                "1.10",
                "1.10.1",
                "2",
                "10",
                "latest"
            ]
        );
    }

    #[test]
    fn leading_zeros_and_huge_numbers() {
        assert_eq!(
            natural_cmp("007", "7"),
            Ordering::Less,
            "tie broken by spelling"
        );
        assert_eq!(natural_cmp("7", "007"), Ordering::Greater);
        assert_eq!(natural_cmp("008", "7"), Ordering::Greater);
        let big = "99999999999999999999999999999";
        assert_eq!(natural_cmp(big, &format!("1{big}")), Ordering::Less);
    }

    #[test]
    fn non_ascii_and_empty() {
        assert_eq!(natural_cmp("", "a"), Ordering::Less);
        assert_eq!(natural_cmp("é1", "é2"), Ordering::Less);
        assert_eq!(natural_cmp("a", "A").reverse(), "A".cmp("a"));
    }
}
