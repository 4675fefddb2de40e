//! distribution/reference v0.6's own test table (`reference_test.go`, `normalize_test.go`),
//! run against wharf's grammar.
//!
//! Each Go test becomes a list of cases with what that test checks. wharf only has the
//! *normalised* parse (docker's `ParseNormalizedNamed`, with `latest` as the default tag), so
//! the raw `Parse` cases compare what survives normalisation: valid or not, the familiar name,
//! the tag and the digest. Where wharf knowingly differs, the case is listed in
//! [`KNOWN_DIFFERENCES`] with the reason; any other disagreement fails the test.

use super::*;

/// What the Go error was, where the Go test names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GoError {
    NameEmpty,
    InvalidFormat,
    ContainsUppercase,
    NameTooLong,
    DigestInvalidLength,
    DigestUnsupported,
    /// The test only requires some error.
    Any,
}

/// What one case expects.
#[derive(Debug, Clone)]
enum Want {
    /// `Parse(input)` succeeds: the familiar name, the tag and the digest it found.
    Parsed {
        name: String,
        tag: Option<&'static str>,
        digest: Option<String>,
    },
    /// Parsing fails (as a reference, or as a repository for `WithName`).
    Refused(GoError),
    /// `WithName(input)` succeeds with this domain ("" for Docker Hub) and path.
    Named {
        domain: &'static str,
        path: &'static str,
    },
    /// `WithName(input)` fails.
    NameRefused,
    /// `ParseNormalizedNamed(input)` succeeds.
    Valid,
    /// `ParseNormalizedNamed(input)` succeeds with these parts.
    Normalized {
        familiar: Option<&'static str>,
        full: Option<String>,
        domain: &'static str,
        path: &'static str,
    },
    /// `ParseNamed(input)`: the input is (or is not) the canonical form of a valid name.
    Canonical(bool),
    /// `ParseNormalizedNamed(input)`: its `String()` and `FamiliarString()`.
    Written {
        full: String,
        familiar: &'static str,
    },
    /// `ParseDockerRef(input).String()`: the reference that is pulled.
    Pinned(String),
    /// `WithTag(name, tag)` fails.
    TagRefused(&'static str),
    /// `WithDigest(name, digest)` fails.
    DigestRefused(&'static str),
}

struct Case {
    /// `file:TestName`, to find the case upstream.
    test: &'static str,
    input: String,
    want: Want,
}

const SHA_F: &str = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const SHA_REDIS: &str = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
const SHA_BUSYBOX: &str = "sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582";
/// The short digest the Go `WithTag`/`WithDigest` tests use (37 hex digits).
const SHORT_DIGEST: &str = "sha256:1234567890098765432112345667890098765";
const HEX64: &str = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

/// Inputs on which wharf knowingly disagrees with the table, and why.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    // WithTag/WithDigest only match the digest *pattern* (32+ hex digits); Go's own `Parse`
    // refuses these strings (ErrDigestInvalidLength), and so does wharf: a sha256 digest of 37
    // digits names no content, and wharf verifies manifests against their digests.
    (
        "test.com:8000/foo:TAG5@sha256:1234567890098765432112345667890098765",
        "digest of the wrong length",
    ),
    (
        "test.com/foo@sha256:1234567890098765432112345667890098765",
        "digest of the wrong length",
    ),
    (
        "foo@sha256:1234567890098765432112345667890098765",
        "digest of the wrong length",
    ),
    (
        "test.com:8000/foo@sha256:1234567890098765432112345667890098765",
        "digest of the wrong length",
    ),
    (
        "test.com:8000/foo:latest@sha256:1234567890098765432112345667890098765",
        "digest of the wrong length",
    ),
    // ParseAnyReference reads an image ID or a bare digest as a digest-only reference. wharf's
    // references always name a repository (they are pulled, pushed, browsed); image IDs are
    // the engine's business. `sha256:<hex>` parses as docker's ParseNormalizedNamed reads it.
    (
        "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
        "no digest-only references",
    ),
    (
        "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
        "no digest-only references",
    ),
];

fn parsed(name: impl Into<String>, tag: Option<&'static str>, digest: Option<&str>) -> Want {
    Want::Parsed {
        name: name.into(),
        tag,
        digest: digest.map(str::to_owned),
    }
}

fn case(test: &'static str, input: impl Into<String>, want: Want) -> Case {
    Case {
        test,
        input: input.into(),
        want,
    }
}

/// `reference_test.go`.
fn reference_test_cases() -> Vec<Case> {
    const PARSE: &str = "reference_test.go:TestReferenceParse";
    let mut cases = vec![
        case(PARSE, "test_com", parsed("test_com", None, None)),
        case(PARSE, "test.com:tag", parsed("test.com", Some("tag"), None)),
        case(
            PARSE,
            "test.com:5000",
            parsed("test.com", Some("5000"), None),
        ),
        case(
            PARSE,
            "test.com/repo:tag",
            parsed("test.com/repo", Some("tag"), None),
        ),
        case(
            PARSE,
            "test:5000/repo",
            parsed("test:5000/repo", None, None),
        ),
        case(
            PARSE,
            "test:5000/repo:tag",
            parsed("test:5000/repo", Some("tag"), None),
        ),
        case(
            PARSE,
            format!("test:5000/repo@{SHA_F}"),
            parsed("test:5000/repo", None, Some(SHA_F)),
        ),
        case(
            PARSE,
            format!("test:5000/repo:tag@{SHA_F}"),
            parsed("test:5000/repo", Some("tag"), Some(SHA_F)),
        ),
        case(
            PARSE,
            "test:5000/repo",
            parsed("test:5000/repo", None, None),
        ),
        case(PARSE, "", Want::Refused(GoError::NameEmpty)),
        case(PARSE, ":justtag", Want::Refused(GoError::InvalidFormat)),
        case(
            PARSE,
            format!("@{SHA_F}"),
            Want::Refused(GoError::InvalidFormat),
        ),
        case(
            PARSE,
            "repo@sha256:ffffffffffffffffffffffffffffffffff",
            Want::Refused(GoError::DigestInvalidLength),
        ),
        case(
            PARSE,
            "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            Want::Refused(GoError::DigestUnsupported),
        ),
        case(
            PARSE,
            "Uppercase:tag",
            Want::Refused(GoError::ContainsUppercase),
        ),
        case(
            PARSE,
            "test:5000/Uppercase/lowercase:tag",
            Want::Refused(GoError::ContainsUppercase),
        ),
        case(
            PARSE,
            "lowercase:Uppercase",
            parsed("lowercase", Some("Uppercase"), None),
        ),
        case(
            PARSE,
            format!("{}a:tag", "a/".repeat(128)),
            Want::Refused(GoError::NameTooLong),
        ),
        case(
            PARSE,
            format!("{}a:tag-puts-this-over-max", "a/".repeat(127)),
            parsed(
                format!("{}a", "a/".repeat(127)),
                Some("tag-puts-this-over-max"),
                None,
            ),
        ),
        case(
            PARSE,
            "aa/asdf$$^/aa",
            Want::Refused(GoError::InvalidFormat),
        ),
        case(
            PARSE,
            "sub-dom1.foo.com/bar/baz/quux",
            parsed("sub-dom1.foo.com/bar/baz/quux", None, None),
        ),
        case(
            PARSE,
            "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
            parsed("sub-dom1.foo.com/bar/baz/quux", Some("some-long-tag"), None),
        ),
        case(
            PARSE,
            "b.gcr.io/test.example.com/my-app:test.example.com",
            parsed(
                "b.gcr.io/test.example.com/my-app",
                Some("test.example.com"),
                None,
            ),
        ),
        case(
            PARSE,
            "xn--n3h.com/myimage:xn--n3h.com",
            parsed("xn--n3h.com/myimage", Some("xn--n3h.com"), None),
        ),
    ];
    let sha512 = format!("sha512:{}", "f".repeat(128));
    cases.push(case(
        PARSE,
        format!("xn--7o8h.com/myimage:xn--7o8h.com@{sha512}"),
        parsed("xn--7o8h.com/myimage", Some("xn--7o8h.com"), Some(&sha512)),
    ));
    cases.extend([
        case(
            PARSE,
            "foo_bar.com:8080",
            parsed("foo_bar.com", Some("8080"), None),
        ),
        case(
            PARSE,
            "foo/foo_bar.com:8080",
            parsed("foo/foo_bar.com", Some("8080"), None),
        ),
        case(PARSE, "192.168.1.1", parsed("192.168.1.1", None, None)),
        case(
            PARSE,
            "192.168.1.1:tag",
            parsed("192.168.1.1", Some("tag"), None),
        ),
        case(
            PARSE,
            "192.168.1.1:5000",
            parsed("192.168.1.1", Some("5000"), None),
        ),
        case(
            PARSE,
            "192.168.1.1/repo",
            parsed("192.168.1.1/repo", None, None),
        ),
        case(
            PARSE,
            "192.168.1.1:5000/repo",
            parsed("192.168.1.1:5000/repo", None, None),
        ),
        case(
            PARSE,
            "192.168.1.1:5000/repo:5050",
            parsed("192.168.1.1:5000/repo", Some("5050"), None),
        ),
        case(
            PARSE,
            "[2001:db8::1]",
            Want::Refused(GoError::InvalidFormat),
        ),
        case(
            PARSE,
            "[2001:db8::1]:5000",
            Want::Refused(GoError::InvalidFormat),
        ),
        case(
            PARSE,
            "[2001:db8::1]:tag",
            Want::Refused(GoError::InvalidFormat),
        ),
        case(
            PARSE,
            "[2001:db8::1]/repo",
            parsed("[2001:db8::1]/repo", None, None),
        ),
        case(
            PARSE,
            "[2001:db8:1:2:3:4:5:6]/repo:tag",
            parsed("[2001:db8:1:2:3:4:5:6]/repo", Some("tag"), None),
        ),
        case(
            PARSE,
            "[2001:db8::1]:5000/repo",
            parsed("[2001:db8::1]:5000/repo", None, None),
        ),
        case(
            PARSE,
            "[2001:db8::1]:5000/repo:tag",
            parsed("[2001:db8::1]:5000/repo", Some("tag"), None),
        ),
        case(
            PARSE,
            format!("[2001:db8::1]:5000/repo@{SHA_F}"),
            parsed("[2001:db8::1]:5000/repo", None, Some(SHA_F)),
        ),
        case(
            PARSE,
            format!("[2001:db8::1]:5000/repo:tag@{SHA_F}"),
            parsed("[2001:db8::1]:5000/repo", Some("tag"), Some(SHA_F)),
        ),
        case(
            PARSE,
            "[2001:db8::]:5000/repo",
            parsed("[2001:db8::]:5000/repo", None, None),
        ),
        case(
            PARSE,
            "[::1]:5000/repo",
            parsed("[::1]:5000/repo", None, None),
        ),
        case(
            PARSE,
            "[fe80::1%eth0]:5000/repo",
            Want::Refused(GoError::InvalidFormat),
        ),
        case(
            PARSE,
            "[fe80::1%@invalidzone]:5000/repo",
            Want::Refused(GoError::InvalidFormat),
        ),
    ]);

    const WITH_NAME: &str = "reference_test.go:TestWithNameFailure";
    for input in [
        String::new(),
        ":justtag".into(),
        format!("@{SHA_F}"),
        "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
            .into(),
        format!("{}a:tag", "a/".repeat(128)),
        "aa/asdf$$^/aa".into(),
    ] {
        cases.push(case(WITH_NAME, input, Want::NameRefused));
    }

    const DOMAIN_PATH: &str = "reference_test.go:TestDomainAndPath";
    for (input, domain, path) in [
        ("test.com/foo", "test.com", "foo"),
        ("test_com/foo", "", "test_com/foo"),
        ("test:8080/foo", "test:8080", "foo"),
        ("test.com:8080/foo", "test.com:8080", "foo"),
        ("test-com:8080/foo", "test-com:8080", "foo"),
        ("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
    ] {
        cases.push(case(DOMAIN_PATH, input, Want::Named { domain, path }));
    }

    const SERIALIZATION: &str = "reference_test.go:TestSerialization";
    let named_digest = "sha256:1234567890098765432112345667890098765432112345667890098765432112";
    cases.extend([
        case(SERIALIZATION, "", Want::Refused(GoError::NameEmpty)),
        case(
            SERIALIZATION,
            "example.com:8000/named",
            parsed("example.com:8000/named", None, None),
        ),
        case(
            SERIALIZATION,
            "example.com:8000/named:tagged",
            parsed("example.com:8000/named", Some("tagged"), None),
        ),
        case(
            SERIALIZATION,
            format!("other.com/named@{named_digest}"),
            parsed("other.com/named", None, Some(named_digest)),
        ),
    ]);

    // WithTag/WithDigest build a reference from parts; wharf's equivalent is parsing the
    // combined string, which must give back the same parts.
    const WITH_TAG: &str = "reference_test.go:TestWithTag";
    for (name, tag) in [
        ("test.com/foo", "tag"),
        ("foo", "tag2"),
        ("test.com:8000/foo", "tag4"),
        ("test.com:8000/foo", "TAG5"),
    ] {
        cases.push(case(
            WITH_TAG,
            format!("{name}:{tag}"),
            parsed(name, Some(tag), None),
        ));
    }
    cases.push(case(
        WITH_TAG,
        format!("test.com:8000/foo:TAG5@{SHORT_DIGEST}"),
        parsed("test.com:8000/foo", Some("TAG5"), Some(SHORT_DIGEST)),
    ));
    const WITH_DIGEST: &str = "reference_test.go:TestWithDigest";
    for (name, tag) in [
        ("test.com/foo", None),
        ("foo", None),
        ("test.com:8000/foo", None),
        ("test.com:8000/foo", Some("latest")),
    ] {
        let input = match tag {
            Some(tag) => format!("{name}:{tag}@{SHORT_DIGEST}"),
            None => format!("{name}@{SHORT_DIGEST}"),
        };
        cases.push(case(
            WITH_DIGEST,
            input,
            parsed(name, tag, Some(SHORT_DIGEST)),
        ));
    }

    const PARSE_NAMED: &str = "reference_test.go:TestParseNamed";
    for (input, canonical) in [
        ("test.com/foo", true),
        ("test:8080/foo", true),
        ("test_com/foo", false),
        ("test.com", false),
        ("foo", false),
        ("library/foo", false),
        ("docker.io/library/foo", true),
        ("docker.io/foo", false),
    ] {
        cases.push(case(PARSE_NAMED, input, Want::Canonical(canonical)));
    }
    cases
}

/// `normalize_test.go`.
fn normalize_test_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    const REFERENCE_NAME: &str = "normalize_test.go:TestValidateReferenceName";
    for input in [
        "docker/docker",
        "library/debian",
        "debian",
        "docker.io/docker/docker",
        "docker.io/library/debian",
        "docker.io/debian",
        "index.docker.io/docker/docker",
        "index.docker.io/library/debian",
        "index.docker.io/debian",
        "127.0.0.1:5000/docker/docker",
        "127.0.0.1:5000/library/debian",
        "127.0.0.1:5000/debian",
        "192.168.0.1",
        "192.168.0.1:80",
        "192.168.0.1:8/debian",
        "192.168.0.2:25000/debian",
        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        "[fc00::1]:5000/docker",
        "[fc00::1]:5000/docker/docker",
        "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
        "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "Docker/docker",
        "DOCKER/docker",
    ] {
        cases.push(case(REFERENCE_NAME, input, Want::Valid));
    }
    for input in [
        "https://github.com/docker/docker",
        "docker/Docker",
        "-docker",
        "-docker/docker",
        "-docker.io/docker/docker",
        "docker///docker",
        "docker.io/docker/Docker",
        "docker.io/docker///docker",
        "[fc00::1]",
        "[fc00::1]:5000",
        "fc00::1:5000/debian",
        "[fe80::1%eth0]:5000/debian",
        "[2001:db8:3:4::192.0.2.33]:5000/debian",
        HEX64,
    ] {
        cases.push(case(REFERENCE_NAME, input, Want::Refused(GoError::Any)));
    }

    const REMOTE_NAME: &str = "normalize_test.go:TestValidateRemoteName";
    for input in [
        "docker/docker",
        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        "docker-rules/docker",
        "docker---rules/docker",
        "doc/docker",
        "d/docker",
        "jess/t",
        "dock__er/docker",
    ] {
        cases.push(case(REMOTE_NAME, input, Want::Valid));
    }
    let long_namespace = "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_\
        this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_\
        this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_\
        this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker";
    for input in [
        "docker/Docker",
        "docker///docker",
        HEX64,
        "-docker/docker",
        "docker-/docker",
        "-docker-/docker",
        "____/____",
        "_docker/_docker",
        "dock..er/docker",
        "dock_.er/docker",
        "dock-.er/docker",
        "docker/",
        long_namespace,
    ] {
        cases.push(case(REMOTE_NAME, input, Want::Refused(GoError::Any)));
    }

    const REPOSITORY_INFO: &str = "normalize_test.go:TestParseRepositoryInfo";
    // (RemoteName, FamiliarName, FullName, AmbiguousName, Domain)
    for (path, familiar, full, ambiguous, domain) in [
        (
            "fooo/bar",
            "fooo/bar",
            "docker.io/fooo/bar",
            "index.docker.io/fooo/bar",
            "docker.io",
        ),
        (
            "library/ubuntu",
            "ubuntu",
            "docker.io/library/ubuntu",
            "library/ubuntu",
            "docker.io",
        ),
        (
            "nonlibrary/ubuntu",
            "nonlibrary/ubuntu",
            "docker.io/nonlibrary/ubuntu",
            "",
            "docker.io",
        ),
        (
            "other/library",
            "other/library",
            "docker.io/other/library",
            "",
            "docker.io",
        ),
        (
            "private/moonbase",
            "127.0.0.1:8000/private/moonbase",
            "127.0.0.1:8000/private/moonbase",
            "",
            "127.0.0.1:8000",
        ),
        (
            "privatebase",
            "127.0.0.1:8000/privatebase",
            "127.0.0.1:8000/privatebase",
            "",
            "127.0.0.1:8000",
        ),
        (
            "private/moonbase",
            "example.com/private/moonbase",
            "example.com/private/moonbase",
            "",
            "example.com",
        ),
        (
            "privatebase",
            "example.com/privatebase",
            "example.com/privatebase",
            "",
            "example.com",
        ),
        (
            "private/moonbase",
            "example.com:8000/private/moonbase",
            "example.com:8000/private/moonbase",
            "",
            "example.com:8000",
        ),
        (
            "privatebasee",
            "example.com:8000/privatebasee",
            "example.com:8000/privatebasee",
            "",
            "example.com:8000",
        ),
        (
            "library/ubuntu-12.04-base",
            "ubuntu-12.04-base",
            "docker.io/library/ubuntu-12.04-base",
            "index.docker.io/library/ubuntu-12.04-base",
            "docker.io",
        ),
        (
            "library/foo",
            "foo",
            "docker.io/library/foo",
            "docker.io/foo",
            "docker.io",
        ),
        (
            "library/foo/bar",
            "library/foo/bar",
            "docker.io/library/foo/bar",
            "",
            "docker.io",
        ),
        (
            "store/foo/bar",
            "store/foo/bar",
            "docker.io/store/foo/bar",
            "",
            "docker.io",
        ),
        ("bar", "Foo/bar", "Foo/bar", "", "Foo"),
        ("bar", "FOO/bar", "FOO/bar", "", "FOO"),
    ] {
        let spellings = [familiar, full, ambiguous];
        for input in spellings.into_iter().filter(|s| !s.is_empty()) {
            cases.push(case(
                REPOSITORY_INFO,
                input,
                Want::Normalized {
                    familiar: Some(familiar),
                    full: Some(full.to_owned()),
                    domain,
                    path,
                },
            ));
        }
    }

    let short =
        "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    cases.push(case(
        "normalize_test.go:TestParseReferenceWithTagAndDigest",
        short,
        Want::Written {
            full: format!("docker.io/library/{short}"),
            familiar: short,
        },
    ));

    const COMPONENTS: &str = "normalize_test.go:TestInvalidReferenceComponents";
    cases.extend([
        case(COMPONENTS, "-foo", Want::Refused(GoError::Any)),
        case(COMPONENTS, "busybox", Want::TagRefused("-foo")),
        case(COMPONENTS, "busybox", Want::DigestRefused("foo")),
    ]);

    const ANY: &str = "normalize_test.go:TestParseAnyReference";
    for (input, name, tag, digest) in [
        ("redis", "redis", None, None),
        ("redis:latest", "redis", Some("latest"), None),
        (
            "docker.io/library/redis:latest",
            "redis",
            Some("latest"),
            None,
        ),
        ("dmcgowan/myapp", "dmcgowan/myapp", None, None),
        (
            "dmcgowan/myapp:latest",
            "dmcgowan/myapp",
            Some("latest"),
            None,
        ),
        (
            "docker.io/mcgowan/myapp:latest",
            "mcgowan/myapp",
            Some("latest"),
            None,
        ),
        (
            "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
            "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
            None,
            None,
        ),
        ("dbcc1", "dbcc1", None, None),
    ] {
        cases.push(case(ANY, input, parsed(name, tag, digest)));
    }
    for (input, name) in [
        (format!("redis@{SHA_REDIS}"), "redis"),
        (format!("docker.io/library/redis@{SHA_REDIS}"), "redis"),
        (format!("dmcgowan/myapp@{SHA_REDIS}"), "dmcgowan/myapp"),
        (
            format!("docker.io/dmcgowan/myapp@{SHA_REDIS}"),
            "dmcgowan/myapp",
        ),
    ] {
        cases.push(case(ANY, input, parsed(name, None, Some(SHA_REDIS))));
    }
    // An image ID and a bare digest are digest references in ParseAnyReference.
    for input in [
        SHA_REDIS.trim_start_matches("sha256:").to_owned(),
        SHA_REDIS.to_owned(),
    ] {
        cases.push(case(ANY, input, parsed("", None, Some(SHA_REDIS))));
    }

    const SPLIT: &str = "normalize_test.go:TestNormalizedSplitHostname";
    for (input, domain, path) in [
        ("test.com/foo", "test.com", "foo"),
        ("test_com/foo", "docker.io", "test_com/foo"),
        ("docker/migrator", "docker.io", "docker/migrator"),
        ("test.com:8080/foo", "test.com:8080", "foo"),
        ("test-com:8080/foo", "test-com:8080", "foo"),
        ("foo", "docker.io", "library/foo"),
        ("xn--n3h.com/foo", "xn--n3h.com", "foo"),
        ("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
        ("docker.io/foo", "docker.io", "library/foo"),
        ("docker.io/library/foo", "docker.io", "library/foo"),
        ("docker.io/library/foo/bar", "docker.io", "library/foo/bar"),
    ] {
        cases.push(case(
            SPLIT,
            input,
            Want::Normalized {
                familiar: None,
                full: None,
                domain,
                path,
            },
        ));
    }

    const DOCKER_REF: &str = "normalize_test.go:TestParseDockerRef";
    let busybox_latest = "docker.io/library/busybox:latest".to_owned();
    for (input, pinned) in [
        ("busybox".to_owned(), busybox_latest.clone()),
        ("busybox:latest".to_owned(), busybox_latest.clone()),
        (
            format!("busybox@{SHA_BUSYBOX}"),
            format!("docker.io/library/busybox@{SHA_BUSYBOX}"),
        ),
        ("library/busybox".to_owned(), busybox_latest.clone()),
        ("docker.io/busybox".to_owned(), busybox_latest.clone()),
        (
            "docker.io/library/busybox".to_owned(),
            busybox_latest.clone(),
        ),
        (
            "docker.io/busybox:latest".to_owned(),
            busybox_latest.clone(),
        ),
        ("library/busybox:latest".to_owned(), busybox_latest.clone()),
        (
            "docker.io/library/busybox:latest".to_owned(),
            busybox_latest,
        ),
        (
            "gcr.io/library/busybox".to_owned(),
            "gcr.io/library/busybox:latest".to_owned(),
        ),
        (
            format!("gcr.io/library/busybox:latest@{SHA_BUSYBOX}"),
            format!("gcr.io/library/busybox@{SHA_BUSYBOX}"),
        ),
    ] {
        cases.push(case(DOCKER_REF, input, Want::Pinned(pinned)));
    }
    cases
}

/// The category of a wharf error, in the Go test's terms.
fn go_error_of(error: &ReferenceError) -> GoError {
    match error {
        ReferenceError::Empty => GoError::NameEmpty,
        ReferenceError::Uppercase { .. } => GoError::ContainsUppercase,
        ReferenceError::NameTooLong { .. } => GoError::NameTooLong,
        ReferenceError::DigestLength { .. } => GoError::DigestInvalidLength,
        ReferenceError::UnsupportedDigestAlgorithm { .. } => GoError::DigestUnsupported,
        _ => GoError::InvalidFormat,
    }
}

/// `None` if wharf agrees with the case, else what it did instead.
fn disagreement(case: &Case) -> Option<String> {
    let input = case.input.as_str();
    let parsed = Reference::parse(input);
    match &case.want {
        Want::Parsed { name, tag, digest } => {
            let r = match parsed {
                Ok(r) => r,
                Err(e) => return Some(format!("refused: {e}")),
            };
            // wharf gives a reference without tag or digest the default tag, as docker does.
            let want_tag = match (tag, digest) {
                (None, None) => Some(DEFAULT_TAG),
                (tag, _) => *tag,
            };
            let got = (r.repository_ref().familiar(), r.tag(), r.digest());
            let want = (name.clone(), want_tag, digest.as_deref());
            (got != want).then(|| format!("parsed as {got:?}, want {want:?}"))
        }
        Want::Refused(want) => match parsed {
            Ok(r) => Some(format!("accepted as {r}")),
            Err(e) => {
                let got = go_error_of(&e);
                (*want != GoError::Any && got != *want)
                    .then(|| format!("refused as {got:?} ({e}), want {want:?}"))
            }
        },
        Want::Named { domain, path } => match RepositoryRef::parse(input) {
            Err(e) => Some(format!("refused: {e}")),
            Ok(repo) => {
                let want_domain = if domain.is_empty() {
                    DOCKER_HUB
                } else {
                    domain
                };
                let got = (repo.registry(), repo.repository());
                (got != (want_domain, *path)).then(|| format!("split as {got:?}"))
            }
        },
        Want::NameRefused => RepositoryRef::parse(input)
            .ok()
            .map(|repo| format!("accepted as {repo}")),
        Want::Valid => parsed.err().map(|e| format!("refused: {e}")),
        Want::Normalized {
            familiar,
            full,
            domain,
            path,
        } => match parsed {
            Err(e) => Some(format!("refused: {e}")),
            Ok(r) => {
                let repo = r.repository_ref();
                let mut wrong = Vec::new();
                if familiar.is_some_and(|f| repo.familiar() != f) {
                    wrong.push(format!("familiar {}", repo.familiar()));
                }
                if full.as_ref().is_some_and(|f| repo.to_string() != *f) {
                    wrong.push(format!("full {repo}"));
                }
                if repo.registry() != *domain || repo.repository() != *path {
                    wrong.push(format!("split {} + {}", repo.registry(), repo.repository()));
                }
                (!wrong.is_empty()).then(|| wrong.join(", "))
            }
        },
        Want::Canonical(want) => {
            let got = parsed.is_ok_and(|r| r.repository_ref().to_string() == input);
            (got != *want).then(|| format!("canonical: {got}, want {want}"))
        }
        Want::Written { full, familiar } => match parsed {
            Err(e) => Some(format!("refused: {e}")),
            Ok(r) => (r.to_string() != *full || r.familiar() != *familiar)
                .then(|| format!("written {r} and {}", r.familiar())),
        },
        Want::Pinned(want) => match parsed {
            Err(e) => Some(format!("refused: {e}")),
            Ok(r) => {
                let pinned = match r.digest() {
                    Some(digest) => format!("{}@{digest}", r.repository_ref()),
                    None => format!("{}:{}", r.repository_ref(), r.manifest_reference()),
                };
                (pinned != *want).then(|| format!("pins {pinned}"))
            }
        },
        Want::TagRefused(tag) => validate_tag(tag)
            .is_ok()
            .then(|| format!("tag {tag:?} accepted")),
        Want::DigestRefused(digest) => validate_digest(digest)
            .is_ok()
            .then(|| format!("digest {digest:?} accepted")),
    }
}

#[test]
fn distribution_reference_table_agrees_except_known_differences() {
    let cases: Vec<Case> = reference_test_cases()
        .into_iter()
        .chain(normalize_test_cases())
        .collect();
    let mut unexpected = Vec::new();
    let mut agreeing = 0;
    for case in &cases {
        let known = KNOWN_DIFFERENCES
            .iter()
            .any(|(input, _)| *input == case.input);
        match (disagreement(case), known) {
            (Some(why), false) => unexpected.push(format!("{} {:?}: {why}", case.test, case.input)),
            (Some(_), true) => {}
            (None, true) => unexpected.push(format!(
                "{} {:?}: listed as a known difference but agrees now",
                case.test, case.input
            )),
            (None, false) => agreeing += 1,
        }
    }
    eprintln!(
        "distribution/reference v0.6 table: wharf agrees on {agreeing} of {} cases",
        cases.len()
    );
    assert_eq!(cases.len(), 213, "the upstream table has 213 cases");
    assert!(
        unexpected.is_empty(),
        "{} unexpected disagreements:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}
