//! Hostile and unusual input, each case stating what must happen: processed
//! correctly, or refused with a located error, a non-zero exit and nothing
//! on stdout. Post-renderer cases first, then the linter's.

mod common;

use std::process::{Command, Stdio};

use common::*;
use polyaxon_helm::stream;

/// What a case must produce.
enum Expect {
    /// Exit 0; `check` sees stdout and stderr.
    Ok(fn(&str, &str)),
    /// Exit non-zero, empty stdout, stderr containing this.
    Refused(&'static str),
}

struct Case {
    name: &'static str,
    /// A values file's text (passed with -f), if any.
    values: Option<&'static str>,
    args: &'static [&'static str],
    input: &'static str,
    expect: Expect,
}

const SECURITY: Option<&str> = Some("securityContext:\n  enabled: true\n");

/// Asserts the output parses and keeps as many documents as came in.
fn parses(out: &str, _: &str) {
    for doc in stream::split(out).iter().filter(|d| !d.is_blank()) {
        polyaxon_helm::yaml::parse_one(doc.body).unwrap_or_else(|e| panic!("output does not parse: {e:?}\n{out}"));
    }
}

const CASES: &[Case] = &[
    Case {
        name: "duplicate env names are all rewritten, never a panic",
        values: Some("externalServices:\n  redis:\n    host: r.example\n    password: dup-r3dis-pass\n    usePassword: true\n"),
        args: &[],
        input: r#"kind: ConfigMap
metadata:
  name: pax-polyaxon-config
data:
  POLYAXON_K8S_NAMESPACE: polyaxon
  POLYAXON_REDIS_HOST: pax-redis
---
kind: Deployment
metadata:
  name: pax-polyaxon-api
  labels:
    chart: polyaxon-2.15.1
spec:
  template:
    spec:
      containers:
      - name: api
        env:
        - name: POLYAXON_REDIS_SESSIONS_URL
          value: redis://pax-redis:6379/1
        - name: POLYAXON_REDIS_SESSIONS_URL
          value: redis://pax-redis:6379/2
        - name: POLYAXON_DB_PASSWORD
          value: x
---
kind: Service
metadata:
  name: pax-postgresql
  labels:
    chart: postgresql-8.2.1
"#,
        expect: Expect::Ok(|out, err| {
            assert_eq!(out.matches("redis://r.example:6379/").count(), 2, "{out}");
            assert!(!out.contains("pax-redis:6379") && !out.contains("dup-r3dis-pass") && !err.contains("dup-r3dis-pass"), "{out}");
            parses(out, err);
        }),
    },
    Case {
        name: "a duplicated password key in a ConfigMap is refused, the password never shown",
        values: Some("externalServices:\n  postgresql:\n    host: db.example\n    password: new-pass\n"),
        args: &[],
        input: r#"kind: ConfigMap
metadata:
  name: pax-polyaxon-platform-config
  labels:
    chart: polyaxon-0.5.6
data:
  POLYAXON_DB_HOST: pax-postgresql
  POLYAXON_DB_PASSWORD: s3cret-one
  POLYAXON_DB_PASSWORD: s3cret-two
"#,
        expect: Expect::Refused("appears more than once"),
    },
    Case {
        name: "a data value holding Helm 4's annotation text does not make a document a subchart's",
        values: Some("externalServices:\n  redis:\n    host: r.example\n"),
        args: &["--drop-builtin", "redis"],
        input: r#"kind: ConfigMap
metadata:
  name: pax-polyaxon-config
  annotations:
    postrenderer.helm.sh/postrender-filename: 'polyaxon/templates/config-cm.yaml'
data:
  POLYAXON_K8S_NAMESPACE: polyaxon
  NOTE: "postrenderer.helm.sh/postrender-filename: polyaxon/charts/redis/templates/x.yaml"
---
kind: Service
metadata:
  name: pax-redis-master
  annotations:
    postrenderer.helm.sh/postrender-filename: 'polyaxon/charts/redis/templates/svc.yaml'
"#,
        expect: Expect::Ok(|out, _| {
            assert!(out.contains("name: pax-polyaxon-config") && !out.contains("name: pax-redis-master"), "{out}");
        }),
    },
    Case {
        name: "an anchor on a pod spec is refused at its place",
        values: SECURITY,
        args: &[],
        input: "kind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec: &s\n      containers:\n      - name: c\n",
        expect: Expect::Refused("<stdin>:6:7: document 1: security-context: spec.template.spec is anchored"),
    },
    Case {
        name: "a custom tag on a block mapping is refused",
        values: SECURITY,
        args: &[],
        input: "kind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec: !custom\n      containers:\n      - name: c\n",
        expect: Expect::Refused("custom-tagged"),
    },
    Case {
        name: "a pod template behind an alias is refused, not skipped",
        values: SECURITY,
        args: &[],
        input: "kind: Deployment\nmetadata: {name: a}\nx: &tpl {spec: {containers: [{name: c}]}}\nspec:\n  template: *tpl\n",
        expect: Expect::Refused("<stdin>:5:13"),
    },
    Case {
        name: "a merge key in a container is refused: its fields cannot be told",
        values: SECURITY,
        args: &[],
        input: "kind: Pod\nmetadata: {name: a}\nbase: &b {runAsNonRoot: false}\nspec:\n  containers:\n  - name: c\n    securityContext:\n      <<: *b\n",
        expect: Expect::Refused("merge key"),
    },
    Case {
        name: "lone CR line breaks are refused",
        values: SECURITY,
        args: &[],
        input: "kind: Pod\rmetadata:\r  name: a\rspec:\r  containers:\r  - name: c\rstatus: {}\r",
        expect: Expect::Refused("lone CR"),
    },
    Case {
        name: "CRLF documents stay CRLF",
        values: SECURITY,
        args: &[],
        input: "kind: Pod\r\nmetadata:\r\n  name: a\r\nspec:\r\n  containers:\r\n  - name: c\r\n    image: x\r\n",
        expect: Expect::Ok(|out, err| {
            assert!(!out.replace("\r\n", "").contains('\n'), "a bare LF crept in: {out:?}");
            assert!(out.contains("runAsNonRoot: true\r\n"), "{out:?}");
            parses(out, err);
        }),
    },
    Case {
        name: "a flow env entry with a trailing comma is rewritten whole",
        values: Some("externalServices:\n  postgresql:\n    host: db.example\n    password: p4ss\n"),
        args: &["--release", "pax"],
        input: "kind: Deployment\nmetadata:\n  name: pax-polyaxon-api\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        env:\n        - {name: POLYAXON_DB_PASSWORD, valueFrom: {secretKeyRef: {name: pax-postgresql, key: postgres-password}},}\n---\nkind: Secret\nmetadata:\n  name: pax-postgresql\n  labels:\n    chart: postgresql-8.2.1\n",
        expect: Expect::Ok(|out, err| {
            assert!(out.contains("- {name: POLYAXON_DB_PASSWORD, valueFrom: {secretKeyRef: {name: pax-polyaxon-postgresql-secret, key: postgres-password}}}\n"), "{out}");
            parses(out, err);
        }),
    },
    Case {
        name: "a --set password is never echoed",
        values: None,
        args: &["--set", "externalServices.postgresql.password=p@ss,word"],
        input: "kind: Pod\n",
        expect: Expect::Refused("--set (argument 1)"),
    },
    Case {
        name: "--diff masks a password under any key",
        values: Some("externalServices:\n  postgresql:\n    host: db.example\n    password: very-s3cret-pw\n"),
        args: &["--diff", "--release", "pax"],
        input: "kind: ConfigMap\nmetadata: {name: pax-polyaxon-platform-config}\ndata:\n  POLYAXON_DB_HOST: pax-postgresql\n  POLYAXON_DB_OPTIONS: '{\"url\": \"postgres://u:very-s3cret-pw@x\"}'\n",
        expect: Expect::Ok(|out, err| {
            assert!(err.contains("+++ ConfigMap/pax-polyaxon-platform-config") && !err.contains("very-s3cret-pw"), "{err}");
            assert!(out.contains("very-s3cret-pw"), "the manifest itself is left as the chart made it");
        }),
    },
    Case { name: "--gpu-target */* is a usage error", values: None, args: &["--gpu-target", "*/*"], input: "", expect: Expect::Refused("is not a workload kind") },
    Case {
        name: "--gpu-target with a misspelt kind is a usage error",
        values: None,
        args: &["--gpu-target", "Deploymnt/x"],
        input: "",
        expect: Expect::Refused("`Deploymnt` is not a workload kind"),
    },
    Case {
        name: "a --gpu-target that matches nothing is reported",
        values: Some("dirs:\n  nvidia: {lib: /a, bin: /b, libcuda: /c/libcuda.so.1}\n"),
        args: &["--gpu-target", "Deployment/nothing-*"],
        input: "kind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n",
        expect: Expect::Ok(|_, err| assert!(err.contains("--gpu-target Deployment/nothing-* matched no workload"), "{err}")),
    },
    Case {
        name: "escape sequences in names are escaped on the terminal",
        values: SECURITY,
        args: &[],
        input: "kind: Pod\nmetadata:\n  name: \"evil\\e[31m\"\nspec:\n  securityContext: {fsGroup: 7}\n  containers: [{name: c}]\n",
        expect: Expect::Ok(|_, err| assert!(!err.contains('\u{1b}') && err.contains("evil\\u{1b}[31m"), "{err:?}")),
    },
    Case {
        name: "invalid YAML in a workload is located",
        values: SECURITY,
        args: &[],
        input: "kind: Pod\nspec:\n  containers: [{name: a}\n",
        expect: Expect::Refused("<stdin>:3:25: document 1: invalid YAML"),
    },
    Case { name: "empty input stays empty", values: SECURITY, args: &[], input: "", expect: Expect::Ok(|out, _| assert_eq!(out, "")) },
    Case {
        name: "comment-only documents pass through",
        values: SECURITY,
        args: &[],
        input: "---\n# Source: a.yaml\n---\n# Source: b.yaml\n",
        expect: Expect::Ok(|out, _| assert_eq!(out, "---\n# Source: a.yaml\n---\n# Source: b.yaml\n")),
    },
    Case {
        name: "content on the marker line is a document",
        values: SECURITY,
        args: &[],
        input: "--- {kind: Pod, metadata: {name: p}, spec: {containers: [{name: c}]}}\n",
        expect: Expect::Ok(|out, err| {
            assert!(out.contains("runAsNonRoot: true"), "{out}");
            parses(out, err);
        }),
    },
    Case {
        name: "nesting deeper than the limit is refused",
        values: SECURITY,
        args: &[],
        input: concat!("kind: Pod\nspec: ", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "\n"),
        expect: Expect::Refused("document 1"),
    },
    Case {
        name: "an alias bomb in a values file is refused",
        values: Some("a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"),
        args: &[],
        input: "kind: Pod\n",
        expect: Expect::Refused("aliases expand to more than"),
    },
    Case { name: "a values file that is a list is refused", values: Some("- a\n- b\n"), args: &[], input: "", expect: Expect::Refused(":1:1: a values file must be a mapping") },
    Case { name: "invalid YAML in a values file is located", values: Some("a: [1\nb: 2\n"), args: &[], input: "", expect: Expect::Refused("invalid YAML") },
    Case { name: "infinite numbers in values are refused, as Helm does", values: Some("a: .inf\n"), args: &[], input: "", expect: Expect::Refused(":1:4: Helm cannot read infinite") },
    Case {
        name: "a string user id is a located error",
        values: Some("securityContext:\n  enabled: true\n  runAsUser: root\n"),
        args: &[],
        input: "kind: Pod\n",
        expect: Expect::Refused(":3:14: `securityContext.runAsUser` must be an integer"),
    },
    Case {
        name: "root with runAsNonRoot in the values is refused",
        values: Some("securityContext:\n  enabled: true\n  runAsUser: 0\n"),
        args: &[],
        input: "kind: Pod\n",
        expect: Expect::Refused("the kubelet refuses to start such pods"),
    },
    Case {
        name: "a root container never gets runAsNonRoot",
        values: SECURITY,
        args: &[],
        input: "kind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - name: chmod\n    securityContext: {runAsUser: 0}\n  containers: [{name: c}]\n",
        expect: Expect::Ok(|out, err| {
            assert!(out.contains("securityContext: {runAsUser: 0, allowPrivilegeEscalation: false}"), "{out}");
            assert!(err.contains("runs as root (runAsUser: 0)"), "{err}");
        }),
    },
    Case {
        name: "a privileged container never gets allowPrivilegeEscalation: false",
        values: SECURITY,
        args: &[],
        input: "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: dind\n    securityContext:\n      capabilities: {add: [SYS_ADMIN]}\n",
        expect: Expect::Ok(|out, _| assert!(!out.contains("allowPrivilegeEscalation"), "{out}")),
    },
    Case {
        name: "a securityContext that is a list is a located error",
        values: SECURITY,
        args: &[],
        input: "kind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: [1]\n  containers: [{name: c}]\n",
        expect: Expect::Refused("<stdin>:4:20: document 1: security-context: spec.securityContext must be a mapping, found a list"),
    },
    Case {
        name: "env that is a mapping is a located error",
        values: Some("dns:\n  backend: coredns\n"),
        args: &[],
        input: "kind: Deployment\nmetadata:\n  name: pax-polyaxon-api\n  labels: {chart: polyaxon-0.5.6}\nspec:\n  template:\n    spec:\n      containers:\n      - name: polyaxon-api\n        env: {a: b}\n",
        expect: Expect::Refused("env must be a list"),
    },
    Case {
        name: "a pod without a spec is left alone",
        values: SECURITY,
        args: &[],
        input: "kind: Pod\nmetadata: {name: p}\nspec: ~\n",
        expect: Expect::Ok(|out, _| assert_eq!(out, "kind: Pod\nmetadata: {name: p}\nspec: ~\n")),
    },
    Case {
        name: "an odd kind passes through",
        values: SECURITY,
        args: &[],
        input: "kind: 5\nmetadata: {name: p}\n",
        expect: Expect::Ok(|out, _| assert_eq!(out, "kind: 5\nmetadata: {name: p}\n")),
    },
    Case {
        name: "tabs in indentation are located YAML errors",
        values: SECURITY,
        args: &[],
        input: "kind: Pod\nspec:\n\tcontainers: []\n",
        expect: Expect::Refused("<stdin>:3:"),
    },
    Case {
        name: "a long scalar passes",
        values: SECURITY,
        args: &[],
        input: "kind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
        expect: Expect::Ok(|out, _| assert!(out.contains("blob: aaaa"))),
    },
    Case {
        name: "unrendered template text in a value passes untouched",
        values: SECURITY,
        args: &[],
        input: "kind: ConfigMap\nmetadata: {name: t}\ndata:\n  x: \"{{ .Values.x }}\"\n",
        expect: Expect::Ok(|out, _| assert!(out.contains("{{ .Values.x }}"))),
    },
    Case {
        name: "a values file ending in a key without a colon is located inside the file",
        values: Some("a: 1\nb"),
        args: &[],
        input: "",
        expect: Expect::Refused("values.yaml:2:"),
    },
    Case {
        name: "a dropped built-in's Secret is never left referenced",
        values: Some("postgresql:\n  enabled: false\nexternalServices:\n  postgresql:\n    host: db.example\n    password: pw-1234\n"),
        args: &["--drop-builtin", "postgresql", "--helm-version", "4"],
        input: "kind: Secret\nmetadata:\n  name: pax-postgresql\n  labels: {chart: postgresql-8.2.1, release: pax}\n---\nkind: ConfigMap\nmetadata:\n  name: pax-polyaxon-config\n  labels: {chart: polyaxon-1.10.1, release: pax}\ndata:\n  POLYAXON_K8S_NAMESPACE: polyaxon\n  POLYAXON_DB_HOST: pax-postgresql\n---\nkind: Job\nmetadata:\n  name: pax-sync-db\n  annotations: {helm.sh/hook: post-install}\nspec:\n  template:\n    spec:\n      containers:\n      - name: sync\n        env:\n        - name: POLYAXON_DB_PASSWORD\n          valueFrom: {secretKeyRef: {name: pax-postgresql, key: postgresql-password}}\n",
        expect: Expect::Ok(|out, _| {
            assert!(!out.contains("name: pax-postgresql,") && !out.contains("name: pax-postgresql\n"), "{out}");
            assert!(out.contains("name: pax-polyaxon-postgresql-secret") && out.contains("postgresql-password: \"cHctMTIzNA==\""), "{out}");
        }),
    },
    Case {
        name: "fuzz: a % directive with multi-byte characters and lone CRs (was a panic in closing_quote)",
        values: SECURITY,
        args: &[],
        input: "%日本\r---\r''",
        expect: Expect::Ok(|_, _| {}),
    },
    Case {
        name: "fuzz: a nameless volume on the driver's host path is not reused, so a second run adds nothing",
        values: Some("dirs:\n  nvidia: {lib: /a, bin: /b, libcuda: /c.so.1}\nmountPaths:\n  nvidia: {lib: /a, bin: /b, libcuda: /c.so.1}\n"),
        args: &["--gpu-target", "DaemonSet/*"],
        input: "kind: DaemonSet\nmetadata: {name: d, labels: {chart: polyaxon-2.15.1}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n      volumes:\n      - hostPath:\n          path: /a\n",
        expect: Expect::Ok(|out, _| {
            assert_eq!(out.matches("name: nvidia-lib\n").count(), 2, "one volume, one mount:\n{out}");
            let again = polyaxon_twice(out, &["--gpu-target", "DaemonSet/*", "-f"], "dirs:\n  nvidia: {lib: /a, bin: /b, libcuda: /c.so.1}\nmountPaths:\n  nvidia: {lib: /a, bin: /b, libcuda: /c.so.1}\n");
            assert_eq!(again, out, "twice is once");
        }),
    },
    Case {
        name: "fuzz: --drop-builtin judges the same whether the built-in's Secret is still in the stream or not",
        values: Some("postgresql:\n  enabled: false\nexternalServices:\n  postgresql:\n    host: db.example\n    password: pw-4321\n"),
        args: &["--drop-builtin", "postgresql"],
        // Helm 4 framing: Helm 3 would refuse the rewrite, its hooks being hidden.
        input: "---\n# Source: polyaxon/charts/postgresql/templates/secrets.yaml\nkind: Secret\nmetadata:\n  name: pax-postgresql\n---\n# Source: polyaxon/templates/api.yaml\nkind: Deployment\nmetadata:\n  name: pax-polyaxon-api\n  labels: {chart: polyaxon-2.15.1, release: pax}\n  annotations: {postrenderer.helm.sh/postrender-filename: polyaxon/templates/api.yaml}\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        env:\n        - name: POLYAXON_DB_PASSWORD\n          value: pw\n",
        expect: Expect::Ok(|out, _| {
            // The dropped built-in counts as off: the password comes from the external one's Secret.
            assert!(out.contains("secretKeyRef:\n              name: pax-polyaxon-postgresql-secret\n") && !out.contains("name: pax-postgresql\n"), "{out}");
            let again = polyaxon_twice(
                out,
                &["--drop-builtin", "postgresql", "-f"],
                "postgresql:\n  enabled: false\nexternalServices:\n  postgresql:\n    host: db.example\n    password: pw-4321\n",
            );
            assert_eq!(again, out, "twice is once");
        }),
    },
    Case {
        name: "Helm 3 without hooks: a rewrite the hooks would miss is refused",
        values: Some("externalServices:\n  postgresql:\n    host: db.example\n    password: pw\n"),
        args: &[],
        input: "---\n# Source: polyaxon/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: pax-polyaxon-config\n  labels: {chart: polyaxon-2.15.1}\ndata:\n  POLYAXON_K8S_NAMESPACE: polyaxon\n  POLYAXON_DB_HOST: pax-postgresql\n",
        expect: Expect::Refused("this is Helm 3"),
    },
];

/// Runs polyaxon-pr again over `stream` with `args` and a values file of
/// `values` (after the last arg, which is `-f`); returns stdout (exit 0 asserted).
fn polyaxon_twice(stream: &str, args: &[&str], values: &str) -> String {
    let path = std::env::temp_dir().join(format!("polyaxon-hostile-twice-{}-{}.yaml", std::process::id(), values.len()));
    std::fs::write(&path, values).unwrap();
    let out = run(Command::new(polyaxon_pr()).args(args).arg(&path).env("POLYAXON_PR_LOG", "/dev/null"), stream);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs one case; returns (exit code, stdout, stderr).
fn run_case(case: &Case) -> (Option<i32>, String, String) {
    let dir = std::env::temp_dir().join(format!("polyaxon-hostile-{}-{}", std::process::id(), case.name.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(polyaxon_pr());
    if let Some(values) = case.values {
        let path = dir.join("values.yaml");
        std::fs::write(&path, values).unwrap();
        cmd.arg("-f").arg(path);
    }
    cmd.args(case.args).env("POLYAXON_PR_LOG", "/dev/null");
    let out = run(&mut cmd, case.input);
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn hostile_post_render_inputs() {
    assert!(CASES.len() >= 35, "{}", CASES.len());
    for case in CASES {
        let (code, out, err) = run_case(case);
        assert!(!err.contains("internal error"), "{}: panicked: {err}", case.name);
        match &case.expect {
            Expect::Ok(check) => {
                assert_eq!(code, Some(0), "{}: {err}", case.name);
                check(&out, &err);
            }
            Expect::Refused(message) => {
                assert_ne!(code, Some(0), "{}: accepted:\n{out}", case.name);
                assert!(out.is_empty(), "{}: printed on error:\n{out}", case.name);
                assert!(err.contains(message), "{}: expected `{message}` in: {err}", case.name);
                for secret in ["s3cret-one", "s3cret-two", "p@ss"] {
                    assert!(!err.contains(secret), "{}: leaked {secret}: {err}", case.name);
                }
            }
        }
    }
}

#[test]
fn too_many_documents_are_refused() {
    let input = "---\na: 1\n".repeat(polyaxon_helm::postrender::MAX_DOCUMENTS + 1);
    let out = run(Command::new(polyaxon_pr()).args(["--set", "securityContext.enabled=true"]).env("POLYAXON_PR_LOG", "/dev/null"), &input);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("polyaxon-pr reads at most"));
}

#[test]
fn a_closed_stdout_is_not_a_silent_success() {
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!("exec {} --set securityContext.enabled=true >&-", polyaxon_pr().display()))
        .env("POLYAXON_PR_LOG", "/dev/null")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.as_ref().unwrap().write_all(b"kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n").unwrap();
    let out = child.wait_with_output().unwrap();
    // Rust reopens a closed stdout on /dev/null before main; polyaxon-pr says so.
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("stdout is /dev/null (or was closed)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_empty_xdg_cache_home_never_writes_the_log_into_the_working_directory() {
    let dir = std::env::temp_dir().join(format!("polyaxon-hostile-xdg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let home = dir.join("home");
    let out = run(
        Command::new(polyaxon_pr())
            .args(["--set", "securityContext.enabled=true"])
            .current_dir(&dir)
            .env("XDG_CACHE_HOME", "")
            .env("HOME", &home)
            .env_remove("POLYAXON_PR_LOG"),
        "kind: Pod\n",
    );
    assert!(out.status.success());
    let here: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).filter(|n| n != "home").collect();
    assert!(here.is_empty(), "{here:?}");
    let logs = home.join(".cache/polyaxon-pr/logs");
    let log = std::fs::read_dir(&logs).unwrap().next().unwrap().unwrap().path();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&logs).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(std::fs::metadata(&log).unwrap().permissions().mode() & 0o777, 0o600);
}

/// A linter case: file name, text, extra arguments, and a check of what it printed.
type LintCase = (&'static str, &'static str, &'static [&'static str], fn(&str, &str));

/// The linter on hostile files: located diagnostics inside the file, no panic, no secret.
#[test]
fn hostile_lint_inputs() {
    let dir = std::env::temp_dir().join(format!("polyaxon-hostile-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: &[LintCase] = &[
        ("colonless.yaml", "a: 1\nb", &[], |out, _| assert!(out.contains("colonless.yaml:2:"), "{out}")),
        ("bomb.yaml", "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n", &[], |out, _| assert!(out.contains("expand to more than"), "{out}")),
        ("lone-cr.yaml", "email:\r  hots: x\r", &["--format", "json"], |out, _| {
            let report: serde_json::Value = serde_json::from_str(out).unwrap();
            for d in report["diagnostics"].as_array().unwrap() {
                assert!(d["end_line"].as_u64() >= d["line"].as_u64(), "{d}");
            }
        }),
        ("escape.yaml", "email:\n  \"ho\\e[31mst\": x\n", &["--format", "github"], |out, _| assert!(!out.contains('\u{1b}'), "{out:?}")),
        ("apikey.yaml", "adminApiKey: 1234-my-api-key-5678\n", &["--chart-version", "0.0.1", "--format", "json"], |out, _| assert!(!out.contains("my-api-key"), "{out}")),
        // fuzz: a byte order mark takes no column, at either end of a span.
        ("bom.yaml", "\u{feff}emial: x\n", &["--format", "json"], |out, _| {
            let report: serde_json::Value = serde_json::from_str(out).unwrap();
            let d = &report["diagnostics"][0];
            assert_eq!((d["column"].as_u64(), d["end_column"].as_u64()), (Some(1), Some(6)), "{d}");
        }),
        // fuzz: an empty key at the very end: the span ends where it starts, not a line before.
        ("question.yaml", "? ", &["--format", "json"], |out, _| {
            let report: serde_json::Value = serde_json::from_str(out).unwrap();
            for d in report["diagnostics"].as_array().unwrap() {
                assert!((d["end_line"].as_u64(), d["end_column"].as_u64()) >= (d["line"].as_u64(), d["column"].as_u64()), "{d}");
            }
        }),
        ("directive.yaml", "%日本\n---\n''\n", &[], |out, _| assert!(!out.contains("internal error"), "{out}")),
        ("apikey-human.yaml", "adminApiKey: 1234\nadminApiKey: 1234-my-api-key-5678\n", &["--chart-version", "0.0.1"], |out, _| {
            assert!(out.contains("K006") && !out.contains("my-api-key"), "{out}")
        }),
    ];
    for (name, text, args, check) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = Command::new(polyaxon_pr()).arg("lint").arg("--no-config").args(*args).arg(&path).output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
        assert!(!stderr.contains("internal error"), "{name}: {stderr}");
        check(&format!("{stdout}{stderr}"), &stderr);
    }
}

/// `--set` errors never show text that follows a credential's `=`: Helm
/// splits values at commas, so it may be the rest of the password.
#[test]
fn set_errors_never_show_what_follows_a_password() {
    for (flag, arg) in [
        ("--set", "x.password=hunter2,s3cr3t=x,tail"),
        ("--set", "x.password=hunter2,s3cr..et=1"),
        ("--set", "x.password=hunter2,s3cr[et]=1"),
        ("--set", "x.password=hunter2,s3cr[0]et=1"),
        ("--set", "x.password=hunter2,s3[0]=1,s3[0][0]=2"),
        ("--set-json", "x.password=\"hunter2\",s3cr3t=nope"),
    ] {
        let out = Command::new(polyaxon_pr()).args(["values", flag, arg]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{arg}: {err}");
        assert!(!err.contains("hunter2") && !err.contains("s3") && !err.contains("et`"), "{arg}: {err}");
    }
    // Nor do the post-renderer's warnings on keys it reads: one set after a
    // credential is reported by argument number only.
    let mut run = Command::new(polyaxon_pr())
        .args(["--set", "x.password=hunter2,dns.s3cr3t=1"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(run.stdin.take());
    let out = run.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("--set (argument 1)`: a key set after a credential") && !err.contains("s3cr3t"), "{err}");
    // Numeric credentials are masked by `values` too.
    let out = Command::new(polyaxon_pr()).args(["values", "--set", "externalServices.rabbitmq.password=987654"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{\"externalServices\":{\"rabbitmq\":{\"password\":\"*****\"}}}\n");
}
