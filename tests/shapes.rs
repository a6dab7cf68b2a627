//! Wrong shapes, table-driven: every field a transform reads (src/workload.rs
//! `check_object`, `check_pod`, `check_container`), given a list where a
//! mapping belongs, a mapping where a single value belongs and so on, is
//! refused at its node (line and column), naming the document, the field
//! path and what was found, with nothing on stdout. Each case runs under
//! every transform configuration that reads the field, including those
//! that read it only to decide whether to edit (`--gpu-target`, DNS and
//! external services looking for their settings).

mod common;

use std::process::Command;

use common::*;

/// Which transforms are on, as the values and flags turn them on.
struct Config {
    name: &'static str,
    values: &'static str,
    args: &'static [&'static str],
}

const SECURITY: Config = Config { name: "security-context", values: "securityContext:\n  enabled: true\n", args: &[] };
const GPU_TARGET: Config = Config {
    name: "gpu --gpu-target",
    values: "dirs:\n  nvidia: {lib: /usr/lib/nvidia, bin: /usr/bin/nvidia, libcuda: /usr/lib/libcuda.so.1}\n",
    args: &["--gpu-target", "Deployment/*"],
};
const DNS: Config = Config { name: "dns", values: "dns:\n  backend: coredns\n", args: &[] };
const EXTERNAL: Config =
    Config { name: "external-services", values: "externalServices:\n  postgresql:\n    host: db.example\n    password: pw\n", args: &[] };

/// Every transform reads the object fields and, through the container list, every container field.
const ALL: &[Config] = &[SECURITY, GPU_TARGET, DNS, EXTERNAL];
/// Every ConfigMap is read by these; security-context reads only one whose
/// text holds the main ConfigMap's marker key (`POLYAXON_K8S_NAMESPACE`).
const READING_CONFIG_MAPS: &[Config] = &[GPU_TARGET, DNS, EXTERNAL];
/// The pod's own fields are read by the transforms that edit the pod.
const EDITING_THE_POD: &[Config] = &[SECURITY, GPU_TARGET];

/// Where a case puts its text in the workload below.
enum Place {
    /// The whole document.
    Document,
    /// Lines of the pod spec, before `containers:` (indented 6).
    Pod,
    /// In place of the `containers:` list (indented 6).
    Containers,
    /// Lines of the container `polyaxon-api` (indented 8).
    Container,
}

struct Case {
    place: Place,
    text: &'static str,
    /// The message's field path and what was found.
    message: &'static str,
    /// The text at the reported line and column.
    at: &'static str,
    configs: &'static [Config],
}

const fn case(place: Place, text: &'static str, message: &'static str, at: &'static str, configs: &'static [Config]) -> Case {
    Case { place, text, message, at, configs }
}

fn workload(pod: &str, containers: Option<&str>, container: &str) -> String {
    let containers = containers
        .map_or_else(|| format!("      containers:\n      - name: polyaxon-api\n        image: polyaxon/api\n{container}"), str::to_string);
    format!("kind: Deployment\nmetadata:\n  name: pax-polyaxon-api\n  labels:\n    chart: polyaxon-2.15.1\n    release: pax\nspec:\n  template:\n    spec:\n{pod}{containers}")
}

const CASES: &[Case] = &[
    // The object.
    case(Place::Document, "kind: Deployment\nmetadata: [pax]\nspec: {}\n", "metadata must be a mapping, found a list", "[pax]", ALL),
    case(Place::Document, "kind: Deployment\nmetadata:\n  name: {a: b}\n", "metadata.name must be a single value, found a mapping", "{a: b}", ALL),
    case(Place::Document, "kind: Deployment\nmetadata:\n  name: d\n  labels: [chart]\n", "metadata.labels must be a mapping, found a list", "[chart]", ALL),
    case(
        Place::Document,
        "kind: Deployment\nmetadata:\n  name: d\n  labels:\n    chart: [polyaxon-2.15.1]\n",
        "metadata.labels.chart must be a single value, found a list",
        "[polyaxon-2.15.1]",
        ALL,
    ),
    case(Place::Document, "kind: Deployment\nmetadata:\n  name: d\n  annotations: hook\n", "metadata.annotations must be a mapping, found a string", "hook", ALL),
    case(
        Place::Document,
        "kind: Job\nmetadata:\n  name: d\n  annotations:\n    helm.sh/hook: [pre-install]\n",
        "metadata.annotations.helm.sh/hook must be a single value, found a list",
        "[pre-install]",
        ALL,
    ),
    case(Place::Document, "kind: ConfigMap\nmetadata:\n  name: pax-polyaxon-config\ndata: [a]\n", "data must be a mapping, found a list", "[a]", READING_CONFIG_MAPS),
    case(
        Place::Document,
        "kind: ConfigMap\nmetadata:\n  name: pax-polyaxon-config\ndata:\n  POLYAXON_DNS_BACKEND: {a: b}\n",
        "data.POLYAXON_DNS_BACKEND must be a single value, found a mapping",
        "{a: b}",
        READING_CONFIG_MAPS,
    ),
    case(
        Place::Document,
        "kind: ConfigMap\nmetadata:\n  name: pax-polyaxon-config\ndata:\n  POLYAXON_K8S_NAMESPACE: [polyaxon]\n",
        "data.POLYAXON_K8S_NAMESPACE must be a single value, found a list",
        "[polyaxon]",
        ALL,
    ),
    // Of the transforms, only external services reads Secrets.
    case(Place::Document, "kind: Secret\nmetadata:\n  name: pax-polyaxon-postgresql-secret\ndata: pw\n", "data must be a mapping, found a string", "pw", &[EXTERNAL]),
    // The way to the pod spec.
    case(Place::Document, "kind: Deployment\nmetadata:\n  name: d\nspec:\n  template: [1]\n", "spec.template must be a mapping, found a list", "[1]", ALL),
    case(Place::Document, "kind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec: pod\n", "spec.template.spec must be a mapping, found a string", "pod", ALL),
    // The pod's container lists.
    case(Place::Containers, "      containers: {name: c}\n", "spec.template.spec.containers must be a list, found a mapping", "{name: c}", ALL),
    case(Place::Containers, "      containers: c\n", "spec.template.spec.containers must be a list, found a string", "c", ALL),
    case(Place::Containers, "      containers:\n      - c\n", "spec.template.spec.containers[0] must be a mapping, found a string", "c", ALL),
    case(Place::Pod, "      initContainers: {name: wait}\n", "spec.template.spec.initContainers must be a list, found a mapping", "{name: wait}", ALL),
    case(Place::Pod, "      initContainers:\n      - [wait]\n", "spec.template.spec.initContainers[0] must be a mapping, found a list", "[wait]", ALL),
    // The pod's own fields.
    case(Place::Pod, "      securityContext: [1]\n", "spec.template.spec.securityContext must be a mapping, found a list", "[1]", EDITING_THE_POD),
    case(Place::Pod, "      securityContext:\n        runAsUser: [1]\n", "spec.template.spec.securityContext.runAsUser must be a single value, found a list", "[1]", EDITING_THE_POD),
    case(Place::Pod, "      securityContext:\n        fsGroup: {id: 1}\n", "spec.template.spec.securityContext.fsGroup must be a single value, found a mapping", "{id: 1}", EDITING_THE_POD),
    case(Place::Pod, "      volumes: {nvidia: x}\n", "spec.template.spec.volumes must be a list, found a mapping", "{nvidia: x}", EDITING_THE_POD),
    case(Place::Pod, "      volumes:\n      - nvidia\n", "spec.template.spec.volumes[0] must be a mapping, found a string", "nvidia", EDITING_THE_POD),
    case(Place::Pod, "      volumes:\n      - name: [v]\n", "spec.template.spec.volumes[0].name must be a single value, found a list", "[v]", EDITING_THE_POD),
    case(Place::Pod, "      volumes:\n      - name: v\n        hostPath: /usr/lib\n", "spec.template.spec.volumes[0].hostPath must be a mapping, found a string", "/usr/lib", EDITING_THE_POD),
    case(
        Place::Pod,
        "      volumes:\n      - name: v\n        hostPath:\n          path: [/usr/lib]\n",
        "spec.template.spec.volumes[0].hostPath.path must be a single value, found a list",
        "[/usr/lib]",
        EDITING_THE_POD,
    ),
    // A container's fields.
    case(Place::Containers, "      containers:\n      - name: [c]\n", "spec.template.spec.containers[0].name must be a single value, found a list", "[c]", ALL),
    case(Place::Container, "        env: {POLYAXON_DNS_BACKEND: coredns}\n", "containers[name=polyaxon-api].env must be a list, found a mapping", "{POLYAXON_DNS_BACKEND", ALL),
    case(Place::Container, "        env:\n        - POLYAXON_DNS_BACKEND\n", "containers[name=polyaxon-api].env[0] must be a mapping, found a string", "POLYAXON_DNS_BACKEND", ALL),
    case(Place::Container, "        env:\n        - name: [A]\n", "containers[name=polyaxon-api].env[0].name must be a single value, found a list", "[A]", ALL),
    case(Place::Container, "        env:\n        - name: A\n          value: {a: b}\n", "containers[name=polyaxon-api].env[0].value must be a single value, found a mapping", "{a: b}", ALL),
    case(Place::Container, "        env:\n        - name: A\n          valueFrom: secret\n", "containers[name=polyaxon-api].env[0].valueFrom must be a mapping, found a string", "secret", ALL),
    case(
        Place::Container,
        "        env:\n        - name: POLYAXON_DB_PASSWORD\n          valueFrom:\n            secretKeyRef: [pax-postgresql]\n",
        "env[0].valueFrom.secretKeyRef must be a mapping, found a list",
        "[pax-postgresql]",
        ALL,
    ),
    case(
        Place::Container,
        "        env:\n        - name: POLYAXON_DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: [pax-postgresql]\n",
        "env[0].valueFrom.secretKeyRef.name must be a single value, found a list",
        "[pax-postgresql]",
        ALL,
    ),
    case(
        Place::Container,
        "        env:\n        - name: POLYAXON_DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: pax-postgresql\n              key: {a: b}\n",
        "env[0].valueFrom.secretKeyRef.key must be a single value, found a mapping",
        "{a: b}",
        ALL,
    ),
    case(Place::Container, "        volumeMounts: /usr/lib\n", "containers[name=polyaxon-api].volumeMounts must be a list, found a string", "/usr/lib", ALL),
    case(Place::Container, "        volumeMounts:\n        - [nvidia-lib]\n", "containers[name=polyaxon-api].volumeMounts[0] must be a mapping, found a list", "[nvidia-lib]", ALL),
    case(Place::Container, "        volumeMounts:\n        - name: {a: b}\n", "volumeMounts[0].name must be a single value, found a mapping", "{a: b}", ALL),
    case(Place::Container, "        volumeMounts:\n        - name: v\n          mountPath: [/a]\n", "volumeMounts[0].mountPath must be a single value, found a list", "[/a]", ALL),
    case(Place::Container, "        securityContext: [1]\n", "containers[name=polyaxon-api].securityContext must be a mapping, found a list", "[1]", ALL),
    case(Place::Container, "        securityContext:\n          runAsUser: {id: 0}\n", "securityContext.runAsUser must be a single value, found a mapping", "{id: 0}", ALL),
    case(Place::Container, "        securityContext:\n          privileged: [true]\n", "securityContext.privileged must be a single value, found a list", "[true]", ALL),
    case(Place::Container, "        securityContext:\n          capabilities: [SYS_ADMIN]\n", "securityContext.capabilities must be a mapping, found a list", "[SYS_ADMIN]", ALL),
    case(Place::Container, "        securityContext:\n          capabilities:\n            add: SYS_ADMIN\n", "securityContext.capabilities.add must be a list, found a string", "SYS_ADMIN", ALL),
    case(Place::Container, "        securityContext:\n          capabilities:\n            add: [{a: b}]\n", "securityContext.capabilities.add[0] must be a single value, found a mapping", "{a: b}", ALL),
    case(Place::Container, "        resources: [gpu]\n", "containers[name=polyaxon-api].resources must be a mapping, found a list", "[gpu]", ALL),
    case(Place::Container, "        resources:\n          limits: [1]\n", "resources.limits must be a mapping, found a list", "[1]", ALL),
    case(Place::Container, "        resources:\n          requests: gpu\n", "resources.requests must be a mapping, found a string", "gpu", ALL),
    case(Place::Container, "        resources:\n          limits:\n            nvidia.com/gpu: {count: 1}\n", "resources.limits.nvidia.com/gpu must be a single value, found a mapping", "{count: 1}", ALL),
];

#[test]
fn every_field_a_transform_reads_is_refused_at_its_node_when_its_shape_is_wrong() {
    let dir = scratch("shapes");
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in CASES {
        let input = match case.place {
            Place::Document => case.text.to_string(),
            Place::Pod => workload(case.text, None, ""),
            Place::Containers => workload("", Some(case.text), ""),
            Place::Container => workload("", None, case.text),
        };
        for config in case.configs {
            runs += 1;
            let values = dir.join(format!("{}.yaml", config.name.replace(' ', "-")));
            std::fs::write(&values, config.values).unwrap();
            let out = run(Command::new(polyaxon_pr()).args(config.args).arg("-f").arg(&values).env("POLYAXON_PR_LOG", "/dev/null"), &input);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let located = stderr.split("<stdin>:").nth(1).and_then(|rest| {
                let mut parts = rest.splitn(3, ':');
                let line: usize = parts.next()?.parse().ok()?;
                let col: usize = parts.next()?.parse().ok()?;
                let text: String = input.lines().nth(line - 1)?.chars().skip(col - 1).collect();
                Some((text, parts.next()?.to_string()))
            });
            let ok = out.status.code() == Some(1)
                && out.stdout.is_empty()
                && located.as_ref().is_some_and(|(text, rest)| {
                    text.starts_with(case.at) && rest.starts_with(" document 1") && rest.contains(case.message)
                });
            if !ok {
                failures.push(format!(
                    "{} under {}: exit {:?}, {} bytes on stdout, stderr: {}",
                    case.message,
                    config.name,
                    out.status.code(),
                    out.stdout.len(),
                    stderr.trim()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {runs} runs:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{} wrong shapes, {runs} runs: all refused at the node", CASES.len());
}

/// The same fields with the right shapes pass: the table above tests the
/// shapes, not the fields' presence.
#[test]
fn right_shapes_pass() {
    let input = workload(
        "      securityContext:\n        runAsUser: 1000\n      volumes:\n      - name: v\n        hostPath:\n          path: /usr/lib\n      initContainers: []\n",
        None,
        "        env:\n        - name: A\n          value: \"1\"\n        - name: POLYAXON_DB_PASSWORD\n          valueFrom:\n            secretKeyRef: {name: s, key: k}\n        volumeMounts:\n        - {name: v, mountPath: /v}\n        securityContext:\n          capabilities:\n            add: [NET_ADMIN]\n        resources:\n          limits:\n            nvidia.com/gpu: 1\n",
    );
    let dir = scratch("shapes-right");
    for config in ALL {
        let values = dir.join("values.yaml");
        std::fs::write(&values, config.values).unwrap();
        let out = run(Command::new(polyaxon_pr()).args(config.args).arg("-f").arg(&values).env("POLYAXON_PR_LOG", "/dev/null"), &input);
        assert_eq!(out.status.code(), Some(0), "{}: {}", config.name, String::from_utf8_lossy(&out.stderr));
    }
}
