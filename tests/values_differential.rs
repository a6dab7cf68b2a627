//! `polyaxon-pr values` against Helm itself: a chart whose only template is
//! `{{ toJson .Values }}` (testdata/values-probe/chart), rendered by the real
//! Helm 3 and Helm 4 with the same flags, must give the same values, and
//! where Helm refuses the flags polyaxon-pr must refuse them too.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::Value;

/// Flag combinations, run from testdata/values-probe/files.
const CASES: &[&[&str]] = &[
    // Values files, as go-yaml v2 and sigs.k8s.io/yaml read them.
    &["-f", "base.yaml"],
    &["-f", "base.yaml", "-f", "override.yaml"],
    &["-f", "base.yaml,override.yaml"],
    &["-f", "anchors.yaml"],
    &["-f", "multidoc.yaml"],
    &["-f", "keys.yaml"],
    &["-f", "strings.yaml"],
    &["-f", "empty.yaml"],
    &["-f", "toplist.yaml"],
    // --set typing.
    &["--set", "a=0777"],
    &["--set", "a=~,b=on,c=yes"],
    &["--set", "a=1_000"],
    &["--set", "a=TRUE,b=False,c=NULL"],
    &["--set", "a=0,b=00,c=-0"],
    &["--set", "a=-5,b=+5"],
    &["--set", "a=9223372036854775808"],
    &["--set", "a=1.5,b=1e3"],
    &["--set", "a="],
    // --set structure and escapes.
    &["--set", "a.b.c=x"],
    &["--set", r"a\.b=1"],
    &["--set", r"v=x\,y"],
    &["--set", "l={a,b,c}"],
    &["--set", "l={}"],
    &["--set", "l[0]=a,l[2]=c"],
    &["--set", "l[1].name=x,l[1].value=y"],
    &["--set", "l[0][1]=x"],
    &["--set", "a.b=1,a.c=2", "--set", "a.b=null"],
    &["--set", r"externalServices.postgresql.password=p@ss\,word"],
    // --set into what the files set.
    &["-f", "base.yaml", "--set", "list[1]=q"],
    &["-f", "base.yaml", "--set", "nested.a.b.c=9"],
    &["-f", "base.yaml", "--set", "securityContext=null"],
    &["-f", "base.yaml", "--set", "tilde.x=1"],
    &["-f", "base.yaml", "--set", "mode.x=1"],
    &["--set", "a=1", "--set", "a.b=2"],
    // The other flags, and Helm's order: files, --set-json, --set, --set-string, --set-file, --set-literal.
    &["--set-string", "a=true,b=5"],
    &["--set-json", r#"a={"b":[1,2,{"c":null}]}"#],
    &["--set-json", r#"a=1.50,b="s",c="#],
    &["--set-json", r#"{"top":{"x":1}}"#],
    &["--set-file", "cert=cert.pem"],
    &["--set-literal", r"lit=a,b=c\d"],
    &["-f", "base.yaml", "--set-string", "dns.backend=x", "--set", "dns.backend=kube-dns"],
    &["--set", "a=1", "--set-string", "a=s"],
    &["--set", "a=2", "--set-json", "a=1"],
    &["--set-file", "a=note.txt", "--set-literal", "a=lit"],
    // Malformed lines.
    &["--set", "key"],
    &["--set", "a=1,"],
    &["--set", "a[-1]=x"],
    &["--set", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.aa.bb.cc.dd.ee=1"],
];

fn chart() -> std::path::PathBuf {
    repo().join("testdata/values-probe/chart")
}

fn files() -> std::path::PathBuf {
    repo().join("testdata/values-probe/files")
}

/// What the chart's templates see, or `None` when Helm refuses the flags.
fn helm_values(major: u32, args: &[&str], home: &Path) -> Option<Value> {
    let out = Command::new(helm(major))
        .args(["template", "probe"])
        .arg(chart())
        .args(args)
        .current_dir(files())
        .env("HELM_DATA_HOME", home.join("data"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .output()
        .unwrap();
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = polyaxon_helm::yaml::parse_one(text.split("---\n").find(|d| d.contains("values.json")).unwrap()).unwrap().unwrap();
    let json = doc.path(&["data", "values.json"]).and_then(|n| n.text()).unwrap();
    Some(serde_json::from_str(json).unwrap())
}

/// What `polyaxon-pr values` makes of the same flags, or `None` when it refuses them.
fn our_values(major: u32, args: &[&str]) -> (Option<Value>, String) {
    let out = Command::new(polyaxon_pr())
        .args(["values", "--show-secrets", "--helm-version", &major.to_string()])
        .args(args)
        .current_dir(files())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        assert!(out.stdout.is_empty(), "{args:?}: a refusal printed values");
        return (None, stderr);
    }
    (Some(serde_json::from_slice(&out.stdout).unwrap()), stderr)
}

/// Numbers compared as Go's float64s (Helm's toJson and ours print them alike, but 1 and 1.0 parse apart).
fn normalise(v: Value) -> Value {
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.into_iter().map(normalise).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, normalise(v))).collect()),
        other => other,
    }
}

#[test]
fn values_are_read_exactly_as_helm_3_and_helm_4_read_them() {
    assert!(CASES.len() >= 40);
    let home = std::env::temp_dir().join(format!("polyaxon-values-diff-{}", std::process::id()));
    let mut mismatches = Vec::new();
    let (mut refused, mut compared) = (0, 0);
    for major in [3, 4] {
        for args in CASES {
            let helm = helm_values(major, args, &home).map(normalise);
            let (ours, stderr) = our_values(major, args);
            let ours = ours.map(normalise);
            match (&helm, &ours) {
                (None, None) => refused += 1,
                (Some(h), Some(o)) if h == o => compared += 1,
                _ => mismatches.push(format!(
                    "helm {major} {args:?}:\n  helm:        {}\n  polyaxon-pr: {} {}",
                    show(&helm),
                    show(&ours),
                    stderr.trim()
                )),
            }
        }
    }
    assert!(mismatches.is_empty(), "{} of {} differ:\n{}", mismatches.len(), CASES.len() * 2, mismatches.join("\n"));
    eprintln!("{compared} flag combinations agree with Helm, {refused} refused by both");
}

fn show(v: &Option<Value>) -> String {
    v.as_ref().map_or("(refused)".to_string(), Value::to_string)
}
