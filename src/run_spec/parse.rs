//! `[FLAGS] IMAGE [CMD…]` with the docker CLI's flag syntax (pflag): `--flag value`,
//! `--flag=value`, `-p 80`, `-p80`, `-p=80`, combined short switches (`-it`, `-itp 80`),
//! `--rm=false`, and `--` or the first word that is not a flag ending the flags.

use super::{HostContext, RestartPolicy, RunSpec, parse_env, parse_publish, parse_volume};

/// The usage line for `:run`.
pub const RUN_USAGE: &str = "[--name NAME] [-p [IP:][HOST:]PORT] [-v [SRC:]DST[:ro]] [-e NAME[=VALUE]] [--restart POLICY] [-w DIR] [-u USER] [--entrypoint CMD] [--rm] [-i] [-t] [-d] IMAGE [CMD…]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    Name,
    Publish,
    Volume,
    Env,
    Restart,
    Workdir,
    User,
    Entrypoint,
    Rm,
    Interactive,
    Tty,
    Detach,
}

struct FlagSpec {
    long: &'static str,
    short: Option<char>,
    flag: Flag,
}

const FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "name",
        short: None,
        flag: Flag::Name,
    },
    FlagSpec {
        long: "publish",
        short: Some('p'),
        flag: Flag::Publish,
    },
    FlagSpec {
        long: "volume",
        short: Some('v'),
        flag: Flag::Volume,
    },
    FlagSpec {
        long: "env",
        short: Some('e'),
        flag: Flag::Env,
    },
    FlagSpec {
        long: "restart",
        short: None,
        flag: Flag::Restart,
    },
    FlagSpec {
        long: "workdir",
        short: Some('w'),
        flag: Flag::Workdir,
    },
    FlagSpec {
        long: "user",
        short: Some('u'),
        flag: Flag::User,
    },
    FlagSpec {
        long: "entrypoint",
        short: None,
        flag: Flag::Entrypoint,
    },
    FlagSpec {
        long: "rm",
        short: None,
        flag: Flag::Rm,
    },
    FlagSpec {
        long: "interactive",
        short: Some('i'),
        flag: Flag::Interactive,
    },
    FlagSpec {
        long: "tty",
        short: Some('t'),
        flag: Flag::Tty,
    },
    FlagSpec {
        long: "detach",
        short: Some('d'),
        flag: Flag::Detach,
    },
];

impl Flag {
    fn takes_value(self) -> bool {
        !matches!(
            self,
            Flag::Rm | Flag::Interactive | Flag::Tty | Flag::Detach
        )
    }
}

/// Parses the words after `run` into a checked [`RunSpec`]. Errors name the word at fault.
pub fn parse_run_args<S: AsRef<str>>(
    words: &[S],
    host: &dyn HostContext,
) -> Result<RunSpec, String> {
    let mut spec = RunSpec::default();
    let mut index = 0;
    let mut image = None;
    while index < words.len() {
        let word = words[index].as_ref();
        index += 1;
        if word == "--" {
            image = words.get(index).map(|w| w.as_ref());
            index += 1;
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            let spec_entry = FLAGS.iter().find(|f| f.long == name).ok_or_else(|| {
                format!("unknown flag \"--{name}\"; :run knows {}", known_flags())
            })?;
            let value = if spec_entry.flag.takes_value() {
                match inline {
                    Some(value) => Value::Text(value.to_string()),
                    None => Value::Text(next_value(words, &mut index, word)?),
                }
            } else {
                Value::Switch(match inline {
                    Some(text) => parse_bool(text, word)?,
                    None => true,
                })
            };
            apply(&mut spec, spec_entry.flag, value, word, host)?;
        } else if word.len() > 1 && word.starts_with('-') {
            parse_short_group(word, words, &mut index, &mut spec, host)?;
        } else {
            image = Some(word);
            break;
        }
    }
    let Some(image) = image else {
        return Err(format!("no image given; usage: :run {RUN_USAGE}"));
    };
    spec.image = image.to_string();
    spec.command = words[index.min(words.len())..]
        .iter()
        .map(|w| w.as_ref().to_string())
        .collect();
    spec.validate()?;
    Ok(spec)
}

enum Value {
    Text(String),
    Switch(bool),
}

/// `-it`, `-p80`, `-p=80`, `-itp 80`: switches may be grouped; a flag that takes a value
/// takes the rest of the group, or the next word.
fn parse_short_group<S: AsRef<str>>(
    word: &str,
    words: &[S],
    index: &mut usize,
    spec: &mut RunSpec,
    host: &dyn HostContext,
) -> Result<(), String> {
    let group = &word[1..];
    for (at, c) in group.char_indices() {
        let entry = FLAGS.iter().find(|f| f.short == Some(c)).ok_or_else(|| {
            if at == 0 {
                format!("unknown flag \"-{c}\"; :run knows {}", known_flags())
            } else {
                format!(
                    "unknown flag \"-{c}\" in \"{word}\"; :run knows {}",
                    known_flags()
                )
            }
        })?;
        let rest = &group[at + c.len_utf8()..];
        if entry.flag.takes_value() {
            let value = match rest.strip_prefix('=').unwrap_or(rest) {
                "" => next_value(words, index, &format!("-{c}"))?,
                inline => inline.to_string(),
            };
            return apply(spec, entry.flag, Value::Text(value), word, host);
        }
        if let Some(text) = rest.strip_prefix('=') {
            let on = parse_bool(text, word)?;
            return apply(spec, entry.flag, Value::Switch(on), word, host);
        }
        apply(spec, entry.flag, Value::Switch(true), word, host)?;
    }
    Ok(())
}

fn next_value<S: AsRef<str>>(words: &[S], index: &mut usize, flag: &str) -> Result<String, String> {
    let value = words
        .get(*index)
        .ok_or_else(|| format!("\"{flag}\" needs a value"))?;
    *index += 1;
    Ok(value.as_ref().to_string())
}

/// pflag's booleans.
fn parse_bool(text: &str, word: &str) -> Result<bool, String> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("\"{word}\": \"{text}\" is not true or false")),
    }
}

fn apply(
    spec: &mut RunSpec,
    flag: Flag,
    value: Value,
    word: &str,
    host: &dyn HostContext,
) -> Result<(), String> {
    let text = match value {
        Value::Switch(on) => {
            match flag {
                Flag::Rm => spec.remove_on_exit = on,
                Flag::Interactive => spec.interactive = on,
                Flag::Tty => spec.tty = on,
                Flag::Detach => spec.detach = on,
                _ => return Err(format!("\"{word}\" needs a value")),
            }
            return Ok(());
        }
        Value::Text(text) => text,
    };
    match flag {
        Flag::Name => spec.name = Some(text),
        Flag::Publish => spec.publish.extend(parse_publish(&text)?),
        Flag::Volume => spec.volumes.push(parse_volume(&text, host)?),
        Flag::Env => spec.env.push(parse_env(&text, host)?),
        Flag::Restart => spec.restart = RestartPolicy::parse(&text)?,
        Flag::Workdir => spec.workdir = Some(text),
        Flag::User => spec.user = Some(text),
        Flag::Entrypoint => spec.entrypoint = Some(text),
        Flag::Rm | Flag::Interactive | Flag::Tty | Flag::Detach => {
            return Err(format!("\"{word}\" takes no value"));
        }
    }
    Ok(())
}

fn known_flags() -> String {
    FLAGS
        .iter()
        .map(|f| match f.short {
            Some(c) => format!("-{c}/--{}", f.long),
            None => format!("--{}", f.long),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::tests::FakeHost;
    use super::super::{HostPorts, MountSource, Protocol};
    use super::*;

    fn parse(line: &str) -> Result<RunSpec, String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        parse_run_args(&words, &FakeHost::default())
    }

    #[test]
    fn a_full_line() {
        let spec = parse(
            "--name web -p 127.0.0.1:8080:80/udp --publish=9000-9001:9000-9001 \
             -v /srv:/srv:ro --volume data:/data -v /tmp/x -e A=1 --env EDITOR \
             --restart on-failure:5 -w /app -u 1000:1000 --entrypoint /bin/sh --rm=false \
             -it nginx:1.15 -c 'echo hi'",
        )
        .unwrap();
        assert_eq!(spec.name.as_deref(), Some("web"));
        assert_eq!(spec.publish.len(), 3);
        assert_eq!(spec.publish[0].protocol, Protocol::Udp);
        assert_eq!(spec.publish[2].host, HostPorts::One(9001));
        assert_eq!(spec.volumes.len(), 3);
        assert_eq!(spec.volumes[1].source, MountSource::Named("data".into()));
        assert_eq!(spec.volumes[2].source, MountSource::Anonymous);
        assert_eq!(spec.env, ["A=1", "EDITOR=vi"]);
        assert_eq!(
            spec.restart,
            RestartPolicy::OnFailure {
                max_retries: Some(5)
            }
        );
        assert_eq!(spec.workdir.as_deref(), Some("/app"));
        assert_eq!(spec.user.as_deref(), Some("1000:1000"));
        assert_eq!(spec.entrypoint.as_deref(), Some("/bin/sh"));
        assert!(!spec.remove_on_exit && spec.interactive && spec.tty && !spec.detach);
        assert!(spec.attaches());
        assert_eq!(spec.image, "nginx:1.15");
        assert_eq!(spec.command, ["-c", "'echo", "hi'"]);
    }

    #[test]
    fn short_flags_group_and_take_values_inline() {
        let spec = parse("-itdp8080:80 -eA=1 -p=81 -v=/a:/b busybox").unwrap();
        assert!(spec.interactive && spec.tty && spec.detach);
        assert!(!spec.attaches(), "-d keeps wharf from attaching");
        assert_eq!(spec.publish[0].host, HostPorts::One(8080));
        assert_eq!(spec.publish[1].container_port, 81);
        assert_eq!(spec.env, ["A=1"]);
        assert_eq!(spec.volumes[0].target, "/b");
        let spec = parse("-tip 80 busybox").unwrap();
        assert!(spec.interactive && spec.tty);
        assert_eq!(spec.publish[0].container_port, 80);
        let spec = parse("-i=false -t busybox").unwrap();
        assert!(!spec.interactive && spec.tty);
    }

    #[test]
    fn flags_end_at_the_image_or_at_double_dash() {
        let spec = parse("busybox ls -la --name x").unwrap();
        assert_eq!(spec.command, ["ls", "-la", "--name", "x"]);
        assert_eq!(spec.name, None);
        let spec = parse("--rm -- busybox -- echo").unwrap();
        assert!(spec.remove_on_exit);
        assert_eq!(spec.image, "busybox");
        assert_eq!(spec.command, ["--", "echo"]);
    }

    #[test]
    fn an_empty_entrypoint_clears_the_images() {
        let words = ["--entrypoint", "", "busybox"];
        let spec = parse_run_args(&words, &FakeHost::default()).unwrap();
        assert_eq!(spec.entrypoint.as_deref(), Some(""));
        let words = vec!["--entrypoint=".to_string(), "busybox".to_string()];
        let spec = parse_run_args(&words, &FakeHost::default()).unwrap();
        assert_eq!(spec.entrypoint.as_deref(), Some(""));
    }

    #[test]
    fn mistakes_name_the_word() {
        for (line, expected) in [
            ("--netwrk host busybox", "unknown flag \"--netwrk\""),
            ("-x busybox", "unknown flag \"-x\""),
            ("-itx busybox", "unknown flag \"-x\" in \"-itx\""),
            ("-p", "\"-p\" needs a value"),
            ("busybox --name", ""),
            ("--name", "\"--name\" needs a value"),
            ("-p 80:abc busybox", "bad port \"80:abc\""),
            ("-v data busybox", "bad volume \"data\""),
            (
                "--restart=sometimes busybox",
                "bad restart policy \"sometimes\"",
            ),
            (
                "--rm=maybe busybox",
                "\"--rm=maybe\": \"maybe\" is not true or false",
            ),
            ("--rm", "no image given"),
            ("", "no image given"),
            ("--", "no image given"),
            ("--rm --restart always busybox", "--rm and --restart always"),
            ("--name a busybox", "bad container name \"a\""),
            ("-w relative busybox", "bad working directory \"relative\""),
            ("Busybox", "\"Busybox\" is not an image name"),
        ] {
            match parse(line) {
                Ok(spec) => assert!(expected.is_empty(), "{line}: parsed as {spec:?}"),
                Err(err) => assert!(err.contains(expected), "{line}: {err}"),
            }
        }
        assert!(
            parse("--netwrk x busybox")
                .unwrap_err()
                .contains("-p/--publish"),
            "the message lists the flags wharf knows"
        );
    }

    #[test]
    fn args_written_back_parse_to_the_same_spec() {
        for line in [
            "busybox",
            "--name web -p 127.0.0.1:8080:80/udp -p [::1]::53 -v /srv:/srv:ro,z -v data:/data -v /anon \
             -e A=1 -e UNSET_HERE --restart unless-stopped -w /app -u www --entrypoint /bin/sh \
             --rm=false -i -t -d busybox:1 -c x",
            "--rm -p 8000-8002:8000-8002 -p 9000-9010:80 busybox",
            "--restart on-failure sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ] {
            let spec = parse(line).unwrap();
            let again = parse_run_args(&spec.to_args(), &FakeHost::default()).unwrap();
            assert_eq!(again, spec, "{line}");
        }
        let spec = parse("-e A=1 --rm busybox").unwrap();
        let mut with_space = spec.clone();
        with_space.command = vec!["echo".into(), "a b".into()];
        assert_eq!(
            with_space.command_line(),
            "docker run -e A=1 --rm busybox echo 'a b'"
        );
    }
}
