//! `postrender::run` on an arbitrary manifest stream, with values that turn
//! the transforms on.
//!
//! Input layout (text, so reproducers read as text):
//!
//! ```text
//! <config letters>\n          which fixed values and options (see CONFIG below)
//! [<values YAML>\n%%%%\n]     only when the letters include `V`: one more values file, merged last
//! <manifest stream>           the rest
//! ```
//!
//! Properties:
//! - never panics;
//! - on Ok, the output is the input with only the documents listed in
//!   `outcome.changes` replaced (`before` is the input document, `after` what
//!   was written), `outcome.removed` documents dropped (only with
//!   --drop-builtin), and the added documents appended; every other document
//!   is byte-identical;
//! - every changed or added document parses with `yaml::parse_one`, and the
//!   output splits into as many documents as it should;
//! - running again on the output gives the same output (idempotent);
//! - no password from the values appears in the output, the notes, the
//!   `--diff` text or an error message (checked when the input does not
//!   already hold it).
#![no_main]

use libfuzzer_sys::fuzz_target;
use polyaxon_helm::knowledge::Service;
use polyaxon_helm::postrender::{self, Outcome};
use polyaxon_helm::stream;
use polyaxon_helm::transform::{GpuTarget, Options, SecurityScope};
use polyaxon_helm::values::{HelmMajor, Values};
use polyaxon_helm::yaml;

/// Passwords of the external services: unique, so any occurrence is a leak.
const PG_PASSWORD: &str = "Qz7pGw4Tq2LwXe9";
const REDIS_PASSWORD: &str = "Rk4mXs8Dh1YbVu3";
const RABBIT_PASSWORD: &str = "Mn2wCj5Ke7FaPz6";
const PASSWORDS: [&str; 3] = [PG_PASSWORD, REDIS_PASSWORD, RABBIT_PASSWORD];

/// The values each config letter adds (merged in this order).
const CONFIG: &[(char, &str)] = &[
    ('S', "securityContext:\n  enabled: true\n"),
    ('G', "dirs:\n  nvidia:\n    lib: /a\n    bin: /b\n    libcuda: /c/libcuda.so.1\nmountPaths:\n  nvidia:\n    lib: /usr/local/nvidia/lib64\n    bin: /usr/local/nvidia/bin\n"),
    ('D', "dns:\n  backend: coredns\n  customCluster: corp.internal\n  prefix: p\n"),
    ('K', "dns:\n  backend: kube-dns\n"),
    ('P', "externalServices:\n  postgresql:\n    host: pg.example.internal\n    port: 5433\n    user: polyaxon\n    database: pxdb\n    password: Qz7pGw4Tq2LwXe9\n"),
    ('B', "externalServices:\n  postgresql:\n    pgbouncer: true\n"),
    ('O', "externalServices:\n  postgresql:\n    options:\n      sslmode: require\n"),
    ('R', "externalServices:\n  redis:\n    host: redis.example.internal\n    port: 6380\n    usePassword: true\n    password: Rk4mXs8Dh1YbVu3\n"),
    ('M', "broker: rabbitmq\nscheduler:\n  enabled: true\nexternalServices:\n  rabbitmq:\n    host: mq.example.internal\n    port: 5673\n    user: polyaxon\n    password: Mn2wCj5Ke7FaPz6\n"),
    ('0', "postgresql:\n  enabled: false\nredis:\n  enabled: false\nrabbitmq:\n  enabled: false\nrabbitmq-ha:\n  enabled: false\n"),
];

const EXTRA_VALUES_END: &str = "\n%%%%\n";

struct Case<'a> {
    values: Values,
    options: Options,
    /// The extra values text, if any (for the "input holds the password" test).
    extra: &'a str,
    stream: &'a str,
}

fn case(text: &str) -> Option<Case<'_>> {
    let (letters, rest) = text.split_once('\n').unwrap_or((text, ""));
    let has = |c: char| letters.contains(c);
    let mut values = Values::default();
    for (letter, yaml) in CONFIG {
        if has(*letter) {
            values.add_text(&format!("config-{letter}.yaml"), yaml, HelmMajor::V4).expect("fixed values parse");
        }
    }
    let (extra, stream) = if has('V') { rest.split_once(EXTRA_VALUES_END).unwrap_or((rest, "")) } else { ("", rest) };
    if has('V') {
        let helm = if has('3') { HelmMajor::V3 } else { HelmMajor::V4 };
        // Values files that do not load are the values target's business.
        values.add_text("extra.yaml", extra, helm).ok()?;
    }
    let mut options = Options::default();
    if has('A') {
        options.security_scope = SecurityScope::All;
    }
    if has('T') {
        options.gpu_targets = ["DaemonSet/*", "Deployment/*-api"].iter().map(|t| GpuTarget::parse(t).expect("valid target")).collect();
    }
    for (letter, service) in [('p', Service::Postgresql), ('r', Service::Redis), ('m', Service::Rabbitmq)] {
        if has(letter) {
            options.drop_builtin.push(service);
        }
    }
    if has('X') {
        options.external_secret = Some("ext-secret".into());
    }
    if has('N') {
        options.release = Some("pax".into());
    }
    Some(Case { values, options, extra, stream })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(case) = case(text) else {
        return;
    };
    check(&case);
});

fn check(case: &Case<'_>) {
    let Case { values, options, extra, stream: input } = case;
    // Passwords that must not show anywhere (unless the input already has them).
    let watched: Vec<&str> = PASSWORDS.iter().copied().filter(|p| !input.contains(p) && !extra.contains(p)).collect();
    let leak = |what: &str, text: &str| {
        if let Some(p) = watched.iter().find(|p| text.contains(**p)) {
            panic!("password {p} leaks into {what}:\n{text}");
        }
    };

    let outcome = match postrender::run(input, values, options) {
        Ok(outcome) => outcome,
        Err(e) => {
            leak("the error message", &e.to_string());
            return;
        }
    };
    leak("the output", &outcome.output);
    for note in &outcome.notes {
        leak("a note", note);
    }
    leak("the --diff text", &outcome.diff(&values.secrets()));

    check_structure(input, options, &outcome);

    // Twice equals once.
    match postrender::run(&outcome.output, values, options) {
        Ok(again) => assert!(
            again.output == outcome.output,
            "not idempotent: a second run changes the output\n--- first run:\n{}\n--- second run:\n{}",
            outcome.output,
            again.output
        ),
        Err(e) => panic!("a second run over the output fails: {e}\n--- output of the first run:\n{}", outcome.output),
    }
}

/// The output is the input, document for document, but for what `outcome` says changed.
fn check_structure(input: &str, options: &Options, outcome: &Outcome) {
    let docs = stream::split(input);
    assert_eq!(outcome.documents, docs.len(), "documents counted");
    if options.drop_builtin.is_empty() {
        assert_eq!(outcome.removed, 0, "a document was dropped without --drop-builtin");
    }
    let (changed, added): (Vec<_>, Vec<_>) = outcome.changes.iter().partition(|c| c.index <= docs.len());
    for w in changed.windows(2) {
        assert!(w[0].index < w[1].index, "changes out of order or repeated: {} then {}", w[0].index, w[1].index);
    }
    for c in &outcome.changes {
        assert!(c.index >= 1, "change index 0");
        match yaml::parse_one(&c.after) {
            Ok(Some(_)) => {}
            other => panic!("changed document {} ({}/{}) does not parse: {other:?}\n{}", c.index, c.kind, c.name, c.after),
        }
    }

    // Walk the output along the input.
    let out = outcome.output.as_str();
    let mut pos = 0;
    let mut dropped = 0;
    let mut changes = changed.iter().peekable();
    for (i, doc) in docs.iter().enumerate() {
        let index = i + 1;
        let expected = match changes.next_if(|c| c.index == index) {
            Some(c) => {
                assert_eq!(c.before, doc.body, "`before` of change {index} is not the input document");
                assert_ne!(c.before, c.after, "change {index} changes nothing");
                format!("{}{}", doc.separator, c.after)
            }
            None => format!("{}{}", doc.separator, doc.body),
        };
        if out[pos..].starts_with(&expected) {
            pos += expected.len();
        } else {
            dropped += 1;
            assert!(
                dropped <= outcome.removed,
                "document {index} is neither kept byte for byte nor listed as changed (removed: {})\n--- expected:\n{expected}\n--- output from here:\n{}",
                outcome.removed,
                &out[pos..]
            );
        }
    }
    assert_eq!(dropped, outcome.removed, "dropped documents do not match `removed`");
    // Then the added documents, each after a `---` line (none before the
    // first in a Helm 4 stream that is otherwise empty), after a line break
    // if the output so far does not end with one.
    for (n, c) in added.iter().enumerate() {
        assert_eq!(c.before, "", "added document {} has a `before`", c.index);
        assert_eq!(c.index, docs.len() + n + 1, "added documents are numbered after the input's");
        if pos > 0 && !out[..pos].ends_with('\n') {
            assert!(out[pos..].starts_with('\n'), "no line break before added document {}:\n{out}", c.index);
            pos += 1;
        }
        let separator = if outcome.facts.helm4 && pos == 0 { "" } else { "---\n" };
        let expected = format!("{separator}{}", c.after);
        assert!(out[pos..].starts_with(&expected), "added document {} is not where it should be:\n{}", c.index, &out[pos..]);
        pos += expected.len();
    }
    assert_eq!(&out[pos..], "", "the output has more than the documents accounted for");

    let expected_docs = docs.len() - outcome.removed + added.len();
    let out_docs = stream::split(out).len();
    assert_eq!(out_docs, expected_docs, "the output splits into {out_docs} documents, not {expected_docs}:\n{out}");
}
