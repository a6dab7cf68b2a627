//! Values files and `--set`-style arguments.
//!
//! Input layout: NUL-separated segments. The first is a values file; each
//! further one is an argument whose first character picks the flag
//! (`s` --set, `t` --set-string, `j` --set-json, `l` --set-literal; anything
//! else: the whole segment as a --set argument).
//!
//! Properties:
//! - never panics, read as Helm 3 and as Helm 4 would;
//! - `to_json` (masked and not) is valid JSON, and the masked one shows
//!   `*****` for every string under a credential-like key;
//! - errors never show the text after `=` of a password key: every argument
//!   is also given as `<password key>=<its text>`, with its letters turned
//!   into Greek ones (`α`…`ω`, never in a message otherwise), and no Greek
//!   letter may show in the error; the same for a values file holding the
//!   text under `password:`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polyaxon_helm::secrets::sensitive;
use polyaxon_helm::values::strvals::Flag;
use polyaxon_helm::values::{HelmMajor, Values};
use serde_json::Value as J;

/// Password keys the secret text is set under (by segment, in turn).
const PASSWORD_KEYS: &[&str] = &["x.password", "externalServices.postgresql.password", "a.l[1].password", "dbPassword", "p.q.r.s.token"];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut segments = text.split('\0');
    let file = segments.next().unwrap_or_default();
    // A few arguments are plenty (and keep the quadratic check below cheap).
    let args: Vec<(Flag, &str)> = segments.take(12).map(flag_and_arg).collect();

    for helm in [HelmMajor::V3, HelmMajor::V4] {
        let mut values = Values::default();
        let _ = values.add_text("values.yaml", file, helm);
        for (i, (flag, arg)) in args.iter().enumerate() {
            // Helm stops at the first error; going on explores more states.
            let _ = values.add_arg((*flag, i + 1), arg, helm);
        }
        check_json(&values);
        let _ = values.secrets();

        // The same file text as a password in a values file.
        let secret_file = format!("x:\n  password: {}\n", greek(file));
        if let Err(e) = Values::default().add_text("values.yaml", &secret_file, helm) {
            no_greek(&e.to_string(), &secret_file);
        }
    }

    for (i, (flag, arg)) in args.iter().enumerate() {
        let key = PASSWORD_KEYS[i % PASSWORD_KEYS.len()];
        let line = format!("{key}={}", greek(arg));
        // Into an empty tree, and into what the file and arguments built.
        let mut fresh = Values::default();
        if let Err(e) = fresh.add_arg((*flag, 1), &line, HelmMajor::V4) {
            no_greek(&e.to_string(), &line);
        }
        let mut built = Values::default();
        let _ = built.add_text("values.yaml", file, HelmMajor::V4);
        for (j, (f, a)) in args.iter().enumerate().take(i) {
            let _ = built.add_arg((*f, j + 1), a, HelmMajor::V4);
        }
        if let Err(e) = built.add_arg((*flag, i + 1), &line, HelmMajor::V4) {
            no_greek(&e.to_string(), &line);
        }
    }
});

fn flag_and_arg(segment: &str) -> (Flag, &str) {
    let mut chars = segment.chars();
    let flag = match chars.next() {
        Some('s') => Flag::Set,
        Some('t') => Flag::SetString,
        Some('j') => Flag::SetJson,
        Some('l') => Flag::SetLiteral,
        _ => return (Flag::Set, segment),
    };
    (flag, chars.as_str())
}

/// ASCII letters and every non-ASCII character become Greek letters; digits,
/// punctuation, blanks and control characters stay.
fn greek(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' => char::from_u32('α' as u32 + (c as u32 % 24)).expect("a Greek letter"),
            c if c.is_ascii() => c,
            c => char::from_u32('α' as u32 + (c as u32 % 24)).expect("a Greek letter"),
        })
        .collect()
}

fn is_greek(c: char) -> bool {
    ('α'..='ω').contains(&c)
}

fn no_greek(message: &str, input: &str) {
    assert!(!message.chars().any(is_greek), "the error shows text of a password value\ninput: {input:?}\nerror: {message}");
}

fn check_json(values: &Values) {
    let shown: J =
        serde_json::from_str(&values.to_json(true)).unwrap_or_else(|e| panic!("to_json(true) is not JSON: {e}\n{}", values.to_json(true)));
    let masked: J = serde_json::from_str(&values.to_json(false))
        .unwrap_or_else(|e| panic!("to_json(false) is not JSON: {e}\n{}", values.to_json(false)));
    assert!(shown.is_object() && masked.is_object(), "to_json is not an object");
    check_masked(&masked, false, "");
}

/// Strings and numbers under a credential-like key (in lists too) are masked.
fn check_masked(v: &J, secret: bool, path: &str) {
    match v {
        J::String(s) if secret => assert_eq!(s, "*****", "to_json(false) shows the credential at `{path}`"),
        J::Number(n) if secret => panic!("to_json(false) shows the numeric credential {n} at `{path}`"),
        J::Array(items) => items.iter().enumerate().for_each(|(i, item)| check_masked(item, secret, &format!("{path}[{i}]"))),
        J::Object(map) => map.iter().for_each(|(k, v)| check_masked(v, sensitive(k), &format!("{path}.{k}"))),
        _ => {}
    }
}
