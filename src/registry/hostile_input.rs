//! No panic on any input: the parsers of registry answers and of typed references run over
//! thousands of mutated answers (bytes flipped, cut, brackets and quotes thrown in, deep
//! nesting) and random strings. They may refuse; they must return.

use serde_json::Value;

use super::harbor::{artifact_from, is_harbor_systeminfo, is_pong, project_from, repository_from};
use super::hub::{parse_page, repository_from as hub_repository, search_result_from, tag_from};
use super::link::next_link;
use super::rate_limit::RateLimit;
use super::reference::{Reference, RepositoryInput};

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const HUB_PAGE: &str = r#"{"count":2,"next":"https://hub.docker.com/v2/x?page=2","previous":null,
  "results":[{"name":"1.0","full_size":10,"tag_last_pushed":"2024-01-01T00:00:00Z",
  "images":[{"architecture":"arm64","variant":"v8","os":"linux","size":5,
  "digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111"}]},
  {"repo_name":"nginx","short_description":"x","star_count":1,"is_official":true,
   "name":"app","namespace":"team","is_private":false}]}"#;

const HARBOR_LIST: &str = r#"[{"name":"library","metadata":{"public":"true"},"repo_count":2},
  {"digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222",
   "manifest_media_type":"application/vnd.oci.image.index.v1+json","size":7,
   "tags":[{"name":"1","push_time":"2024-01-01T00:00:00Z"}],
   "references":[{"child_digest":"sha256:3333333333333333333333333333333333333333333333333333333333333333",
     "platform":{"architecture":"amd64","os":"linux"}}],
   "scan_overview":{"m":{"scan_status":"Success","severity":"High",
     "summary":{"total":3,"fixable":1,"summary":{"High":3}}}}}]"#;

const NOISE: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"null",
    b"-1",
    b"1e999",
    b"\\u0000",
    b"\xff",
    b"\xe2\x80",
    b"\"sha256:",
    b"%",
    b"\n",
    b"true",
    b"18446744073709551616",
];

fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(4) {
            0 => bytes.truncate(at),
            1 if at < bytes.len() => bytes[at] = (rng.next() & 0xff) as u8,
            2 => {
                let noise = NOISE[rng.below(NOISE.len())];
                bytes.splice(at..at, noise.iter().copied());
            }
            _ => {
                let end = (at + rng.below(16)).min(bytes.len());
                bytes.drain(at..end);
            }
        }
    }
    bytes
}

fn read_everything(body: &[u8]) {
    if let Ok(page) = parse_page(body) {
        for entry in &page.results {
            let _ = tag_from(entry);
            let _ = hub_repository(entry, "team");
            let _ = search_result_from(entry);
        }
    }
    if let Ok(Value::Array(entries)) = serde_json::from_slice::<Value>(body) {
        for entry in &entries {
            let _ = project_from(entry);
            let _ = repository_from(entry, "harbor.example.com");
            let _ = artifact_from(entry);
        }
    }
    let _ = is_pong(body);
    let _ = is_harbor_systeminfo(body);
}

#[test]
fn mutated_api_answers_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for _ in 0..3000 {
        read_everything(&mutate(&mut rng, HUB_PAGE.as_bytes()));
        read_everything(&mutate(&mut rng, HARBOR_LIST.as_bytes()));
    }
    // Deep nesting is refused by the JSON reader, not by the stack.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    read_everything(deep.as_bytes());
    let deep_object = format!(r#"{{"results":[{}]}}"#, "{\"a\":".repeat(50_000));
    read_everything(deep_object.as_bytes());
}

#[test]
fn random_text_never_panics_the_small_parsers() {
    let mut rng = Rng(0x5eed_1234_abcd_0002);
    let alphabet: Vec<char> = "aZ09:/@.-_[]%;=,<>\" \t\u{e9}\u{1b}\u{0}#?+$wW"
        .chars()
        .collect();
    let base = reqwest::Url::parse("http://127.0.0.1:5000/v2/_catalog").ok();
    for _ in 0..20_000 {
        let len = rng.below(40);
        let text: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let _ = Reference::parse(&text);
        let _ = RepositoryInput::parse(&text);
        let _ = RateLimit::from_headers(Some(&text), Some(&text), Some(&text), chrono::Utc::now());
        if let Some(base) = &base {
            let _ = next_link(&text, base);
        }
    }
}
