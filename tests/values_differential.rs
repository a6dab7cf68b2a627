//! `polyaxon-pr values` against Helm itself: a chart whose only template is
//! `{{ toJson .Values }}` (testdata/values-probe/chart), rendered by the real
//! Helm 3 and Helm 4 with the same flags, must print the same text, and
//! where Helm refuses the flags polyaxon-pr must refuse them too. Where
//! polyaxon-pr cannot read what Helm reads, it refuses with the documented
//! error of [`DOCUMENTED_REFUSALS`] (README, "Where polyaxon-pr refuses what Helm reads").

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

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
    // YAML 1.1 as go-yaml v2 and sigs.k8s.io/yaml read it.
    &["-f", "numbers.yaml"],
    &["-f", "keys-numeric.yaml"],
    &["-f", "tags.yaml"],
    &["-f", "merges.yaml"],
    &["-f", "structure.yaml"],
    &["-f", "quoted-continuation.yaml"],
    &["-f", "escapes.yaml"],
    &["-f", "gen-tabs-accepted.yaml"],
    &["-f", "gen-crlf.yaml"],
    &["-f", "gen-bom.yaml"],
    &["-f", "gen-quoted-tab.yaml"],
    // Helm refuses these files.
    &["-f", "gen-complex-key.yaml"],
    &["-f", "gen-map-key.yaml"],
    &["-f", "gen-key-uint64.yaml"],
    &["-f", "gen-tag-int.yaml"],
    &["-f", "gen-tag-int-empty.yaml"],
    &["-f", "gen-tag-int-huge.yaml"],
    &["-f", "gen-tag-float.yaml"],
    &["-f", "gen-tag-bool.yaml"],
    &["-f", "gen-tag-null.yaml"],
    &["-f", "gen-tag-timestamp.yaml"],
    &["-f", "gen-tag-timestamp-day.yaml"],
    &["-f", "gen-tag-timestamp-zone.yaml"],
    &["-f", "gen-binary-unpadded.yaml"],
    &["-f", "gen-binary-space.yaml"],
    &["-f", "gen-tab-after-dash.yaml"],
    &["-f", "gen-tab-item.yaml"],
    &["-f", "gen-tab-line.yaml"],
    &["-f", "gen-tab-comment-line.yaml"],
    &["-f", "gen-tab-block-scalar.yaml"],
    &["-f", "gen-tab-complex-value.yaml"],
    &["-f", "gen-line-break-in-block.yaml"],
    &["-f", "gen-null-key.yaml"],
    // Helm 3 refuses, Helm 4 reads (and the other way round).
    &["-f", "gen-yaml-1.2.yaml"],
    &["-f", "gen-separator-content.yaml"],
    &["-f", "gen-second-document-invalid.yaml"],
    &["-f", "gen-utf16-one-line.yaml"],
    &["-f", "gen-utf16.yaml"],
    // Flags.
    &["--set", "a=1e400,b=<>&\u{2028}"],
    &["--set-file", "a=gen-not-utf8.bin"],
    &["--set-json", r#"a="\ud800\udc00",b="\udc00",c="\ud800x",d="\\ud800",e="\u003c""#],
    &["--set-json", r#"{"a":"\ud800"}"#],
    &["--set", "b=2,a[1=1"],
    &["--set", "a[0][0]=1", "--set", "a[0][0][1"],
    &["--set", "a[0]=x", "--set", "a[0].b[1"],
    &["--set", "a.b[1"],
    &["--set", "a[0][1"],
    // Files and flags merged.
    &["-f", "gen-merge-a.yaml", "-f", "gen-merge-b.yaml"],
    &["-f", "gen-merge-a.yaml", "-f", "gen-merge-null.yaml", "--set", "a.y=2"],
    &["-f", "gen-merge-a.yaml", "--set", "l[5]=x"],
    &["-f", "gen-merge-a.yaml", "--set-json", r#"l[1]={"a":1}"#],
    &["--set", "a=99999999999999999999,b=-9223372036854775809,c=1e5,d=0.5,e=été"],
    &["--set-string", "a=<>&"],
    &["--set-json", r#"a=-0.0,b=0.1e1,c=100000000000000000000000,d=1e-7,e={"<":"&"}"#],
    &["--set", "a={a,{b,c}}"],
    &["--set-json", r#"a=[1,"x",null,true]"#, "--set", "a[1]=y"],
];

/// Files written for the cases, byte for byte (tabs, line breaks and
/// encodings that an editor would not keep).
const GENERATED: &[(&str, &[u8])] = &[
    ("gen-tabs-accepted.yaml", b"a:\t1\nb:\t\t2\nflow: {c:\t3}\nd: 4\t# tab before a comment\ne:\t\n  f: 5\ng: [1,\n\t2]\n"),
    ("gen-crlf.yaml", b"a: 1\r\nb: \"x\r\n  y\"\r\n---\r\nc: 2\r\n"),
    ("gen-bom.yaml", b"\xef\xbb\xbfa: 1\n"),
    ("gen-quoted-tab.yaml", b"x:\n  a: \"one\n\ttwo\"\n  b: 'three\n\t\tfour'\n"),
    ("gen-complex-key.yaml", b"? [a, b]\n: x\n"),
    ("gen-map-key.yaml", b"{x: 1}: v\n"),
    ("gen-key-uint64.yaml", b"9223372036854775808: x\n"),
    ("gen-tag-int.yaml", b"a: !!int abc\n"),
    ("gen-tag-int-empty.yaml", b"a: !!int\n"),
    ("gen-tag-int-huge.yaml", b"a: !!int 99999999999999999999\n"),
    ("gen-tag-float.yaml", b"a: !!float 1e400\n"),
    ("gen-tag-bool.yaml", b"a: !!bool 1\n"),
    ("gen-tag-null.yaml", b"a: !!null x\n"),
    ("gen-tag-timestamp.yaml", b"a: !!timestamp abc\n"),
    ("gen-tag-timestamp-day.yaml", b"a: !!timestamp 2001-02-29\n"),
    ("gen-tag-timestamp-zone.yaml", b"a: !!timestamp 2001-12-14 21:59:43Z\n"),
    ("gen-binary-unpadded.yaml", b"a: !!binary aGVsbG8\n"),
    ("gen-binary-space.yaml", b"a: !!binary aGVs bG8=\n"),
    ("gen-tab-after-dash.yaml", b"a:\n  -\tx\n"),
    ("gen-tab-item.yaml", b"a:\n  - - \tx\n"),
    ("gen-tab-line.yaml", b"a: 1\n\t\nb: 2\n"),
    ("gen-tab-comment-line.yaml", b"a:  # c\n\t# d\n  b: 1\n"),
    ("gen-tab-block-scalar.yaml", b"a: |\n  \tx\n"),
    ("gen-tab-complex-value.yaml", b"? a\n:\t1\n"),
    ("gen-line-break-in-block.yaml", b"a: |\n  x\xe2\x80\xa8y\n"),
    ("gen-yaml-1.2.yaml", b"%YAML 1.2\n---\na: 1\n"),
    ("gen-separator-content.yaml", b"a: 1\n--- b: 2\n"),
    ("gen-second-document-invalid.yaml", b"a: 1\n---\n[unclosed\n"),
    ("gen-utf16-one-line.yaml", b"\xff\xfea\x00:\x00 \x001\x00"),
    ("gen-not-utf8.bin", b"ab\xffcd\xe2\x80!"),
    ("gen-key-collision.yaml", b"1: an integer key\n\"1\": the same key as a string\n"),
    ("gen-key-collision-float.yaml", b"1e3: a float key\n1_000: an integer key\n"),
    ("gen-key-collision-float32.yaml", b".inf: infinite\n1e39: past the largest float32\n"),
    ("gen-next-line.yaml", b"a: x\xc2\x85b: y\n"),
    ("gen-line-separator.yaml", b"a: x # c\xe2\x80\xa8b: y\n"),
    ("gen-utf16.yaml", b"\xff\xfea\x00:\x00 \x001\x00\n\x00"),
    ("gen-null-key.yaml", b"~: v\n"),
    ("gen-merge-a.yaml", b"a: {x: 1}\nl: [1, 2]\n"),
    ("gen-merge-b.yaml", b"a: null\nl: {x: 1}\n"),
    ("gen-merge-null.yaml", b"a: ~\n"),
];

/// What Helm reads and polyaxon-pr refuses, with a part of its error. Helm
/// must read each (on both versions), polyaxon-pr must refuse it so.
const DOCUMENTED_REFUSALS: &[(&[&str], &str)] = &[
    // Helm keeps one of the two at random (Go map order).
    (&["-f", "gen-key-collision.yaml"], "both become the key `1`, and Helm keeps one of them at random"),
    (&["-f", "gen-key-collision-float.yaml"], "both become the key `1000`, and Helm keeps one of them at random"),
    (&["-f", "gen-key-collision-float32.yaml"], "both become the key `.inf`, and Helm keeps one of them at random"),
    // YAML 1.1 line breaks (NEL, LS, PS), which polyaxon-pr's YAML 1.2 reader does not break at.
    (&["-f", "gen-next-line.yaml"], "U+0085 is a line break to Helm's YAML reader"),
    (&["-f", "gen-line-separator.yaml"], "U+2028 is a line break to Helm's YAML reader"),
];

fn chart() -> std::path::PathBuf {
    repo().join("testdata/values-probe/chart")
}

/// testdata/values-probe/files and the generated files, in a scratch directory of this name.
fn files(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    for entry in std::fs::read_dir(repo().join("testdata/values-probe/files")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    for (name, bytes) in GENERATED {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    dir
}

/// The text `toJson .Values` printed, or `None` when Helm refuses the flags.
fn helm_values(major: u32, args: &[&str], files: &Path, home: &Path) -> Option<String> {
    let out = Command::new(helm(major))
        .args(["template", "probe"])
        .arg(chart())
        .args(args)
        .current_dir(files)
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
    // Go writes the U+FFFD it puts for bytes that are not UTF-8 as an escape; the same character.
    Some(json.replace("\\ufffd", "\u{fffd}"))
}

/// What `polyaxon-pr values` prints for the same flags, or `None` when it
/// refuses them; and its stderr.
fn our_values(major: u32, args: &[&str], files: &Path) -> (Option<String>, String) {
    let out = Command::new(polyaxon_pr())
        .args(["values", "--show-secrets", "--helm-version", &major.to_string()])
        .args(args)
        .current_dir(files)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        assert!(out.stdout.is_empty(), "{args:?}: a refusal printed values");
        return (None, stderr);
    }
    let text = String::from_utf8(out.stdout).unwrap();
    (Some(text.strip_suffix('\n').unwrap_or(&text).to_string()), stderr)
}

#[test]
fn values_are_read_exactly_as_helm_3_and_helm_4_read_them() {
    assert!(CASES.len() >= 90);
    let files = files("values-differential");
    let home = files.join(".helm-home");
    let mut mismatches = Vec::new();
    let mut counts = Vec::new();
    for major in [3, 4] {
        let (mut refused, mut compared) = (0, 0);
        for args in CASES {
            let helm = helm_values(major, args, &files, &home);
            let (ours, stderr) = our_values(major, args, &files);
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
        counts.push(format!("Helm {major}: {compared} agree, {refused} refused by both"));
    }
    assert!(mismatches.is_empty(), "{} of {} differ:\n{}", mismatches.len(), CASES.len() * 2, mismatches.join("\n"));
    eprintln!("{} flag combinations; {}", CASES.len(), counts.join("; "));
}

#[test]
fn what_polyaxon_pr_cannot_read_as_helm_does_is_refused_as_documented() {
    let files = files("values-refusals");
    let home = files.join(".helm-home");
    for (args, message) in DOCUMENTED_REFUSALS {
        for major in [3, 4] {
            assert!(
                helm_values(major, args, &files, &home).is_some(),
                "helm {major} {args:?}: Helm refuses it too, so it belongs in CASES"
            );
            let (ours, stderr) = our_values(major, args, &files);
            assert!(ours.is_none() && stderr.contains(message), "helm {major} {args:?}: {stderr}");
        }
    }
}

fn show(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "(refused)".to_string())
}
