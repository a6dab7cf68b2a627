//! `migrate` case by case: what it writes for each construct that once went
//! wrong or needs care (sections left with comments only, duplicate keys,
//! aliases and anchors, block scalars, files without a final newline, and
//! 0.x storage of every kind), what it reports, that a second run changes
//! nothing, and that its dry-run diff shows exactly the lines it writes.

use polyaxon_helm::knowledge::catalog::Catalog;
use polyaxon_helm::lint::rules::Applicability;
use polyaxon_helm::migrate::{migrate, FileMigration, Migration};

struct Case {
    name: &'static str,
    target: &'static str,
    unsafe_fixes: bool,
    input: &'static str,
    output: &'static str,
    /// Each reported line: (code, applied, applicability).
    report: &'static [(&'static str, bool, Applicability)],
}

use Applicability::{DisplayOnly, Safe, Unsafe};

const CASES: &[Case] = &[
    Case {
        name: "a section left with comments only keeps an explicit {}",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "email:\n  password: x\n",
        output: "email: {}\n  # polyaxon-helm migrate: `email.password` was removed in chart 0.1.7 (last read by 0.1.6)\n  # password: x\n",
        report: &[("K001", true, Safe)],
    },
    Case {
        name: "so does a nested one, and a comment on its line stays",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "rbac:\n  enabled: true\nintervals:   # tuned\n  experimentsScheduler: 10\n",
        output: "rbac:\n  enabled: true\nintervals: {}   # tuned\n  # polyaxon-helm migrate: `intervals.experimentsScheduler` was removed in chart 1.0.5 (last read by 0.6.1)\n  # experimentsScheduler: 10\n",
        report: &[("K001", true, Safe)],
    },
    Case {
        name: "a duplicate key: the copy Helm drops is commented out, the one it reads renamed",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "securityContext:\n  enabled: true\n  user: 1000\n  user: 2000\n",
        output: "securityContext:\n  enabled: true\n  # polyaxon-helm migrate: duplicate `user`: Helm reads only the one below\n  # user: 1000\n  runAsUser: 2000\n",
        report: &[("K006", true, Safe), ("K004", true, Safe)],
    },
    Case {
        name: "a duplicated section: its dropped copy first, then the carry",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "api:\n  replicas: 1\napi:\n  replicas: 3\n",
        output: "# polyaxon-helm migrate: duplicate `api`: Helm reads only the one below\n# api:\n#   replicas: 1\n# polyaxon-helm migrate: `api` moved to gateway in chart 2.0.0\n# api: {}\ngateway:\n  replicas: 3\n",
        report: &[("K006", true, Safe), ("K003", true, Safe), ("K003", true, Safe)],
    },
    Case {
        name: "hosts through an alias: the TLS rewrite is left for a person",
        target: "2.15.1",
        unsafe_fixes: true,
        input: "hosts: &hosts\n- a.example.com\ningress:\n  enabled: true\n  tls:\n    enabled: true\n    secretName: s\n    hosts: *hosts\n",
        output: "hosts: &hosts\n- a.example.com\ningress:\n  enabled: true\n  tls:\n    enabled: true\n    secretName: s\n    hosts: *hosts\n",
        report: &[("T001", false, DisplayOnly)],
    },
    Case {
        name: "an aliased api: commenting it out loses settings Helm read, so it is unsafe",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "x-legacy: &legacy\n  replicas: 3\napi: *legacy\n",
        output: "x-legacy: &legacy\n  replicas: 3\napi: *legacy\n",
        report: &[("K003", false, Unsafe)],
    },
    Case {
        name: "a section holding an anchor other keys use is never commented out",
        target: "2.15.1",
        unsafe_fixes: true,
        input: "integrations: &i\n  slack: []\nother: *i\n",
        output: "integrations: &i\n  slack: []\nother: *i\n",
        report: &[("K003", false, DisplayOnly)],
    },
    Case {
        name: "a block scalar in a section commented out keeps every line",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "privateRegistries:\n- host: r.example.com\n  password: |\n    line-one\n    line-two\n- host: s.example.com\n",
        output: "# polyaxon-helm migrate: `privateRegistries` moved to the web UI settings page (registries as connections from v1) in chart 0.5.0\n# privateRegistries:\n# - host: r.example.com\n#   password: |\n#     line-one\n#     line-two\n# - host: s.example.com\n",
        report: &[("K003", true, Safe)],
    },
    Case {
        name: "no final newline: a rename keeps it missing",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "securityContext:\n  enabled: true\n  user: 1000",
        output: "securityContext:\n  enabled: true\n  runAsUser: 1000",
        report: &[("K004", true, Safe)],
    },
    Case {
        name: "no final newline: so does a comment-out",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "rbac:\n  enabled: true\nintegrations:\n  slack: []",
        output: "rbac:\n  enabled: true\n# polyaxon-helm migrate: `integrations` moved to the web UI settings page in chart 0.5.0\n# integrations:\n#   slack: []",
        report: &[("K003", true, Safe)],
    },
    Case {
        name: "no final newline: and a move, without a blank line",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "postgresql:\n  enabled: true\n  postgresqlUsername: px",
        output: "postgresql:\n  enabled: true\n  auth:\n    username: px",
        report: &[("K002", true, Safe)],
    },
    Case {
        name: "0.x claims and host paths: outputs become the artifacts store, data connections",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "persistence:\n  outputs:\n    out:\n      existingClaim: out-pvc\n      mountPath: /outputs\n  data:\n    d1:\n      existingClaim: d1-pvc\n      mountPath: /data/1\n      readOnly: true\n    d2:\n      hostPath: /mnt/d2\n      mountPath: /data/2\n",
        output: "# polyaxon-helm migrate: `persistence` moved to artifactsStore and connections in chart 1.0.5\n# persistence:\n#   outputs:\n#     out:\n#       existingClaim: out-pvc\n#       mountPath: /outputs\n#   data:\n#     d1:\n#       existingClaim: d1-pvc\n#       mountPath: /data/1\n#       readOnly: true\n#     d2:\n#       hostPath: /mnt/d2\n#       mountPath: /data/2\nartifactsStore:\n  name: out\n  kind: volume_claim\n  schema:\n    volumeClaim: out-pvc\n    mountPath: /outputs\nconnections:\n- name: d1\n  kind: volume_claim\n  schema:\n    volumeClaim: d1-pvc\n    mountPath: /data/1\n    readOnly: true\n- name: d2\n  kind: host_path\n  schema:\n    hostPath: /mnt/d2\n    mountPath: /data/2\n",
        report: &[("K003", true, Safe), ("K003", true, Safe)],
    },
    Case {
        name: "the same to a 1.x chart",
        target: "1.10.1",
        unsafe_fixes: false,
        input: "persistence:\n  outputs:\n    out:\n      existingClaim: out-pvc\n      mountPath: /outputs\n",
        output: "# polyaxon-helm migrate: `persistence` moved to artifactsStore and connections in chart 1.0.5\n# persistence:\n#   outputs:\n#     out:\n#       existingClaim: out-pvc\n#       mountPath: /outputs\nartifactsStore:\n  name: out\n  kind: volume_claim\n  schema:\n    volumeClaim: out-pvc\n    mountPath: /outputs\n",
        report: &[("K003", true, Safe)],
    },
    Case {
        name: "chart 0.1 volumes (one per section) take the chart's default mount path; logs go into the store",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "persistence:\n  data:\n    existingClaim: polyaxon-pvc-data\n  outputs:\n    existingClaim: polyaxon-pvc-outputs\n  logs:\n    existingClaim: polyaxon-pvc-logs\n",
        output: "# polyaxon-helm migrate: `persistence` moved to artifactsStore and connections in chart 1.0.5; logs go into the artifacts store now (persistence.logs is not carried)\n# persistence:\n#   data:\n#     existingClaim: polyaxon-pvc-data\n#   outputs:\n#     existingClaim: polyaxon-pvc-outputs\n#   logs:\n#     existingClaim: polyaxon-pvc-logs\nartifactsStore:\n  name: outputs\n  kind: volume_claim\n  schema:\n    volumeClaim: polyaxon-pvc-outputs\n    mountPath: /outputs\nconnections:\n- name: data\n  kind: volume_claim\n  schema:\n    volumeClaim: polyaxon-pvc-data\n    mountPath: /data\n",
        report: &[("K003", true, Safe), ("K003", true, Safe)],
    },
    Case {
        name: "buckets: a Secret read one key at a time is a choice (unsafe)",
        target: "2.15.1",
        unsafe_fixes: true,
        input: "persistence:\n  outputs:\n    s3out:\n      store: s3\n      bucket: s3://outputs\n  data:\n    gcsdata:\n      store: gcs\n      bucket: gs://data\n      secret: gcs-creds\n      secretKey: key.json\n",
        output: "# polyaxon-helm migrate: `persistence` moved to artifactsStore and connections in chart 1.0.5; `persistence.data.gcsdata.secret` is mounted whole in 1.x (not one key of it): check the Secret holds what the gcs connection reads\n# persistence:\n#   outputs:\n#     s3out:\n#       store: s3\n#       bucket: s3://outputs\n#   data:\n#     gcsdata:\n#       store: gcs\n#       bucket: gs://data\n#       secret: gcs-creds\n#       secretKey: key.json\nartifactsStore:\n  name: s3out\n  kind: s3\n  schema:\n    bucket: \"s3://outputs\"\nconnections:\n- name: gcsdata\n  kind: gcs\n  schema:\n    bucket: \"gs://data\"\n  secret:\n    name: gcs-creds\n",
        report: &[("K003", true, Unsafe), ("K003", true, Unsafe)],
    },
    Case {
        name: "an azure bucket without a Secret carries as wasb",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "persistence:\n  data:\n    az:\n      store: azure\n      bucket: wasbs://c@a.blob.core.windows.net/\n",
        output: "# polyaxon-helm migrate: `persistence` moved to artifactsStore and connections in chart 1.0.5\n# persistence:\n#   data:\n#     az:\n#       store: azure\n#       bucket: wasbs://c@a.blob.core.windows.net/\nconnections:\n- name: az\n  kind: wasb\n  schema:\n    bucket: \"wasbs://c@a.blob.core.windows.net/\"\n",
        report: &[("K003", true, Safe)],
    },
    Case {
        name: "several outputs volumes: which is the store is a choice",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "persistence:\n  outputs:\n    a:\n      hostPath: /a\n      mountPath: /a\n    b:\n      existingClaim: b\n      mountPath: /b\n",
        output: "persistence:\n  outputs:\n    a:\n      hostPath: /a\n      mountPath: /a\n    b:\n      existingClaim: b\n      mountPath: /b\n",
        report: &[("K003", false, Unsafe), ("K003", false, Unsafe)],
    },
    Case {
        name: "an artifacts store already set: outputs would become a connection (a choice)",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "artifactsStore:\n  name: s\n  kind: host_path\n  schema: {hostPath: /s, mountPath: /s}\npersistence:\n  outputs:\n    o:\n      existingClaim: o\n      mountPath: /o\n",
        output: "artifactsStore:\n  name: s\n  kind: host_path\n  schema: {hostPath: /s, mountPath: /s}\npersistence:\n  outputs:\n    o:\n      existingClaim: o\n      mountPath: /o\n",
        report: &[("K003", false, Unsafe)],
    },
    Case {
        name: "logs alone as the store, a subPath, a readOnly store: choices",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "persistence:\n  logs:\n    existingClaim: logs\n    mountPath: /logs\n    subPath: polyaxon\n",
        output: "persistence:\n  logs:\n    existingClaim: logs\n    mountPath: /logs\n    subPath: polyaxon\n",
        report: &[("K003", false, Unsafe)],
    },
    Case {
        name: "repos and upload have new homes (said), data carries",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "persistence:\n  repos:\n    existingClaim: repos\n  upload:\n    hostPath: /up\n    mountPath: /up\n  data:\n    d:\n      existingClaim: d\n      mountPath: /d\n",
        output: "# polyaxon-helm migrate: `persistence` moved to artifactsStore and connections in chart 1.0.5; `persistence.repos` is not carried: git repositories are git connections in 1.x; `persistence.upload` is not carried: uploads go to the artifacts store in 1.x\n# persistence:\n#   repos:\n#     existingClaim: repos\n#   upload:\n#     hostPath: /up\n#     mountPath: /up\n#   data:\n#     d:\n#       existingClaim: d\n#       mountPath: /d\nconnections:\n- name: d\n  kind: volume_claim\n  schema:\n    volumeClaim: d\n    mountPath: /d\n",
        report: &[("K003", true, Safe)],
    },
    Case {
        name: "a volume set two ways is not guessed at",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "persistence:\n  data:\n    d:\n      existingClaim: d\n      hostPath: /d\n      mountPath: /d\n",
        output: "persistence:\n  data:\n    d:\n      existingClaim: d\n      hostPath: /d\n      mountPath: /d\n",
        report: &[("K003", false, Unsafe)],
    },
    Case {
        name: "new data connections join the user's list",
        target: "2.15.1",
        unsafe_fixes: false,
        input: "connections:\n- name: git\n  kind: git\n  schema:\n    url: https://github.com/org/repo\npersistence:\n  data:\n    d:\n      hostPath: /d\n      mountPath: /d\n",
        output: "connections:\n- name: git\n  kind: git\n  schema:\n    url: https://github.com/org/repo\n- name: d\n  kind: host_path\n  schema:\n    hostPath: /d\n    mountPath: /d\n# polyaxon-helm migrate: `persistence` moved to artifactsStore and connections in chart 1.0.5\n# persistence:\n#   data:\n#     d:\n#       hostPath: /d\n#       mountPath: /d\n",
        report: &[("K003", true, Safe)],
    },
];

fn run(case: &Case, text: &str) -> Migration {
    let target = Catalog::get().resolve(case.target).unwrap();
    migrate("values.yaml", text, target, case.unsafe_fixes, &|_| false).unwrap_or_else(|e| panic!("{}: {e}", case.name))
}

#[test]
fn every_case_writes_and_reports_what_it_states() {
    let mut failures = Vec::new();
    for case in CASES {
        let m = run(case, case.input);
        let report: Vec<(String, bool, Applicability)> = m.fixes.iter().map(|f| (f.code.to_string(), f.applied, f.applicability)).collect();
        let expected: Vec<(String, bool, Applicability)> = case.report.iter().map(|(c, a, s)| (c.to_string(), *a, *s)).collect();
        if m.text != case.output {
            failures.push(format!("{}: wrote\n{}\n---- expected\n{}", case.name, m.text, case.output));
        } else if report != expected {
            failures.push(format!("{}: reported {report:?}, expected {expected:?}", case.name));
        }
        if run(case, &m.text).text != m.text {
            failures.push(format!("{}: a second run changes it", case.name));
        }
        // The dry run shows exactly the lines --write writes.
        let file = FileMigration { path: "values.yaml".into(), shown: "values.yaml".into(), before: case.input.into(), migration: m };
        let added = file.diff().lines().filter(|l| l.starts_with('+') && !l.starts_with("+++")).count();
        let removed = file.diff().lines().filter(|l| l.starts_with('-') && !l.starts_with("---")).count();
        let (before, after) = (case.input.lines().count(), file.migration.text.lines().count());
        if file.changed() && added as isize - removed as isize != after as isize - before as isize {
            failures.push(format!("{}: the diff adds {added} and removes {removed} lines, the file goes {before} -> {after}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
