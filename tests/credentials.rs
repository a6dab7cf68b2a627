//! Secrets stay secret in every channel: credentials planted in every form
//! the one rule covers (a credential key, values anywhere below one, a
//! list under one, a number, a block scalar, a URL's password, `--set`
//! flags, a manifest stream's Secret, env and ConfigMap) go through every
//! command and output format, and no planted value appears in anything
//! shown to a person: `values`, lint in all four formats, `lint --fix`,
//! migrate's report and diff, the post-renderer's warnings, `--diff` and log.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

/// Every planted value: none may be shown.
const PLANTED: &[&str] = &[
    "plant-top-pw",
    "plant-email-pw",
    "plant-nested-x",
    "plant-deep-b",
    "plant-list-value",
    "plant-api-secret-key",
    "plant-registry-url-pw",
    "plant-list-under-pw",
    "987654321",
    "plant-block-line-1",
    "plant-block-line-2",
    "plant-set-pg",
    "plant-set-json",
    "plant-stream-secret",
    "plant-stream-env",
    "plant-stream-cm",
    "plant-redis-ext",
];

/// A values file with every form, and mistakes next to each so lint shows their lines.
const VALUES: &str = r#"password: plant-top-pw
email:
  hostPassword: plant-email-pw
  hots: smtp.example.com
token:
  a:
    b: plant-deep-b
  unknwn: 1
secrets:
- value: plant-list-value
api:
  replicas: 2
  secret:
    key: plant-api-secret-key
privateRegistries:
- "https://user:plant-registry-url-pw@registry.example.com"
auth:
  password:
  - plant-list-under-pw
  other:
    password:
      x: plant-nested-x
externalServices:
  rabbitmq:
    password: 987654321
    host: q.example.com
  redis:
    host: redis.example.com
    usePassword: true
    password: plant-redis-ext
ldap:
  bindPassword: |
    plant-block-line-1
    plant-block-line-2
  unknown: 1
broker: kafka
"#;

const STREAM: &str = r#"---
# Source: polyaxon/templates/secrets.yaml
apiVersion: v1
kind: Secret
metadata:
  name: pax-polyaxon-secret
  labels:
    chart: polyaxon-2.15.1
stringData:
  POLYAXON_SECRET_KEY: plant-stream-secret
---
# Source: polyaxon/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: pax-polyaxon-config
  labels:
    chart: polyaxon-2.15.1
data:
  POLYAXON_K8S_NAMESPACE: "polyaxon"
  POLYAXON_REDIS_HOST: "pax-redis-master"
  POLYAXON_SECRET_INTERNAL_TOKEN: plant-stream-cm
---
# Source: polyaxon/templates/api.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pax-polyaxon-api
  labels:
    chart: polyaxon-2.15.1
spec:
  template:
    spec:
      containers:
      - name: polyaxon-api
        env:
        - name: POLYAXON_DB_PASSWORD
          value: plant-stream-env
        - name: POLYAXON_REDIS_PASSWORD
          valueFrom:
            secretKeyRef:
              name: pax-redis
              key: redis-password
---
# Source: polyaxon/templates/hooks/migrate.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: pax-polyaxon-migrate
  annotations:
    helm.sh/hook: post-install
  labels:
    chart: polyaxon-2.15.1
spec:
  template:
    spec:
      containers:
      - name: migrate
        env:
        - name: POLYAXON_REDIS_HOST
          value: pax-redis-master
"#;

fn shown(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn check(channel: &str, text: &str, failures: &mut Vec<String>) {
    for plant in PLANTED {
        if text.contains(plant) {
            failures.push(format!("{channel} shows `{plant}`:\n{text}"));
        }
    }
}

fn pr(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(polyaxon_pr());
    cmd.args(args).current_dir(dir).env("POLYAXON_PR_LOG", dir.join("run.log")).env("NO_COLOR", "1");
    cmd
}

#[test]
fn no_planted_credential_is_shown_in_any_channel() {
    let dir = scratch("credentials");
    std::fs::write(dir.join("values.yaml"), VALUES).unwrap();
    let mut failures = Vec::new();
    let sets = ["--set", "externalServices.postgresql.password=plant-set-pg", "--set-json", r#"password={"deep":"plant-set-json"}"#];
    // `values`, and the shown value of every form is masked, not dropped.
    let out = pr(&dir, &[&["values", "-f", "values.yaml"][..], &sets].concat()).output().unwrap();
    check("values", &shown(&out), &mut failures);
    if String::from_utf8_lossy(&out.stdout).matches("*****").count() < PLANTED.len() - 6 {
        failures.push(format!("values: credentials missing, not masked: {}", shown(&out)));
    }
    // Lint, every format (its findings sit next to every planted line).
    for format in ["human", "json", "sarif", "github"] {
        let out = pr(&dir, &["lint", "--no-config", "--chart-version", "0.4.4", "--format", format, "values.yaml"]).output().unwrap();
        check(&format!("lint --format {format}"), &shown(&out), &mut failures);
        let out = pr(&dir, &["lint", "--no-config", "--format", format, "values.yaml"]).output().unwrap();
        check(&format!("lint --format {format} (2.15.1)"), &shown(&out), &mut failures);
    }
    // migrate: the report and the diff (the written file is the user's own).
    for extra in [&[][..], &["--unsafe-fixes"][..]] {
        let out = pr(&dir, &[&["migrate", "--to", "2.15.1", "values.yaml"][..], extra].concat()).output().unwrap();
        check("migrate (diff and report)", &shown(&out), &mut failures);
    }
    std::fs::copy(dir.join("values.yaml"), dir.join("fix.yaml")).unwrap();
    let out = pr(&dir, &["lint", "--no-config", "--fix", "fix.yaml"]).output().unwrap();
    check("lint --fix", &shown(&out), &mut failures);
    // The post-renderer: warnings, --diff and the run's log; its stdout is
    // the manifests for the cluster, where the new Secret holds passwords base64-encoded.
    std::fs::write(dir.join("render.yaml"), VALUES.replace("broker: kafka\n", "")).unwrap();
    let out = run(&mut pr(&dir, &[&["-f", "render.yaml", "--diff", "--release", "pax"][..], &sets].concat()), STREAM);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.contains("+++ ConfigMap/pax-polyaxon-config"), "{said}");
    check("post-render stderr (--diff, warnings)", &said, &mut failures);
    check("post-render log", &std::fs::read_to_string(dir.join("run.log")).unwrap_or_default(), &mut failures);
    let manifests = String::from_utf8_lossy(&out.stdout);
    assert!(
        !manifests.contains("plant-redis-ext") && !manifests.contains("plant-set-pg"),
        "a password from the values in plain text:\n{manifests}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
