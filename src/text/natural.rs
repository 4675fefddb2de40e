//! Natural ordering for names with numbers in them: `1.9` before `1.10`, `img-2` before
//! `img-10`.

use std::cmp::Ordering;

/// Compares runs of digits by value and everything else by character.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    // Equal numbers written with different leading zeros decide only when all else is equal.
    let mut zeros = Ordering::Equal;
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return zeros,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (da, ra) = split_digits(a);
                let (db, rb) = split_digits(b);
                let (ta, tb) = (da.trim_start_matches('0'), db.trim_start_matches('0'));
                match ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb)) {
                    Ordering::Equal => {
                        zeros = zeros.then(da.len().cmp(&db.len()));
                        (a, b) = (ra, rb);
                    }
                    other => return other,
                }
            }
            (Some(x), Some(y)) => match x.cmp(&y) {
                Ordering::Equal => (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]),
                other => return other,
            },
        }
    }
}

fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value() {
        let mut tags = vec![
            "1.10",
            "1.9",
            "latest",
            "1.9.1",
            "2",
            "10",
            "1.9-alpine",
            "01",
        ];
        tags.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            tags,
            [
                "01",
                "1.9",
                "1.9-alpine",
                "1.9.1",
                "1.10",
                "2",
                "10",
                "latest"
            ]
        );
    }

    #[test]
    fn leading_zeros_huge_numbers_and_other_text() {
        assert_eq!(natural_cmp("v2", "v10"), Ordering::Less);
        assert_eq!(natural_cmp("008", "7"), Ordering::Greater);
        assert_eq!(
            natural_cmp("7", "007"),
            Ordering::Less,
            "fewer zeros first on a tie"
        );
        let big = "99999999999999999999999999999";
        assert_eq!(natural_cmp(big, &format!("1{big}")), Ordering::Less);
        assert_eq!(natural_cmp("", "a"), Ordering::Less);
        assert_eq!(natural_cmp("a", "A"), "a".cmp("A"));
    }

    #[test]
    fn is_a_total_order_on_odd_input() {
        assert_eq!(natural_cmp("a01", "a1"), Ordering::Greater);
        assert_eq!(natural_cmp("", ""), Ordering::Equal);
        assert_eq!(
            natural_cmp("99999999999999999999999", "1"),
            Ordering::Greater
        );
        assert_eq!(natural_cmp("é2", "é10"), Ordering::Less);
    }
}
