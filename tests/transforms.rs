//! Every transform, table-driven through the whole post-render pipeline
//! (in the spirit of kustomize's filtertest): each case gives the values,
//! the stream Helm would hand over and exactly what must come out (or the
//! located error). Streams are small but shaped like real renders: the
//! chart label names the version whose semantics apply.
//!
//! Add a case by writing its input and expectation; `TRANSFORM_CASES=print`
//! prints what each case produces instead of comparing, to review.

use polyaxon_helm::postrender;
use polyaxon_helm::transform::{GpuTarget, Options, SecurityScope};
use polyaxon_helm::values::{HelmMajor, Values};

enum Want {
    /// The output stream, byte for byte.
    Output(&'static str),
    /// The same stream back, untouched.
    Unchanged,
    /// An error whose message starts so.
    Error(&'static str),
}

struct Case {
    name: &'static str,
    values: &'static str,
    /// `--security-scope all`.
    scope_all: bool,
    /// `--gpu-target` patterns.
    gpu_targets: &'static [&'static str],
    input: &'static str,
    want: Want,
    /// Substrings every one of which some note must contain.
    notes: &'static [&'static str],
    /// `--pod-security LEVEL` ("" for none), and `--pod-security-mode warn`.
    pod_security: &'static str,
    pss_warn: bool,
}

const BASE: Case = Case {
    name: "",
    values: "",
    scope_all: false,
    gpu_targets: &[],
    input: "",
    want: Want::Unchanged,
    notes: &[],
    pod_security: "",
    pss_warn: false,
};

const GATEWAY_2: &str = r#"---
# Source: polyaxon/templates/gateway.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pax-polyaxon-gateway
  labels:
    chart: polyaxon-2.15.1
    release: pax
spec:
  template:
    spec:
      containers:
        - name: polyaxon-gateway
          image: polyaxon/polyaxon-gateway:2.15.1
"#;

const RABBITMQ_VALUES: &str =
    "broker: rabbitmq\nexternalServices:\n  rabbitmq:\n    host: mq.example\n    user: polyaxon\n    password: s3cret\n";

const RABBITMQ_CONFIG_2_16: &str = r#"---
kind: ConfigMap
metadata:
  name: pax-polyaxon-config
  labels: {chart: polyaxon-2.16.4, release: pax}
data:
  POLYAXON_K8S_NAMESPACE: polyaxon
  POLYAXON_AMQP_URL: "pax-rabbitmq:5672"
  POLYAXON_RABBITMQ_USER: "user"
"#;

const RABBITMQ_CONFIG_2_18: &str = r#"---
kind: ConfigMap
metadata:
  name: pax-polyaxon-config
  labels: {chart: polyaxon-2.18.0, release: pax}
data:
  POLYAXON_K8S_NAMESPACE: polyaxon
  POLYAXON_AMQP_URL: "pax-rabbitmq:5672"
  POLYAXON_RABBITMQ_USER: "user"
"#;

const API_HOST_PATH: &str = r#"---
# Source: polyaxon/templates/api-deployment.yaml
kind: Deployment
metadata:
  name: pax-polyaxon-api
  labels: {chart: polyaxon-2.15.1}
spec:
  template:
    spec:
      containers:
      - name: polyaxon-api
        volumeMounts: [{mountPath: /artifactsStore, name: default-artifacts-store}]
      volumes:
      - name: "default-artifacts-store"
        hostPath:
          path: "/tmp/artifactsStore"
"#;

const CASES: &[Case] = &[
    Case {
        name: "2.x: pod and container security contexts, as chart 2.x renders them",
        values: "securityContext:\n  enabled: true\n",
        input: GATEWAY_2,
        want: Want::Output(
            r#"---
# Source: polyaxon/templates/gateway.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pax-polyaxon-gateway
  labels:
    chart: polyaxon-2.15.1
    release: pax
spec:
  template:
    spec:
      containers:
        - name: polyaxon-gateway
          image: polyaxon/polyaxon-gateway:2.15.1
          securityContext:
            allowPrivilegeEscalation: false
            runAsNonRoot: true
      securityContext:
        runAsUser: 2222
        runAsGroup: 2222
        fsGroup: 2222
"#,
        ),
        notes: &["Helm 3 does not hand hook Jobs"],
        ..BASE
    },
    Case {
        name: "1.x before 1.13: only the pod's fsGroup",
        values: "securityContext:\n  enabled: true\n  user: 1000\n  group: 3000\n",
        input: r#"---
# Source: polyaxon/templates/api.yaml
kind: Deployment
metadata:
  name: pax-polyaxon-api
  labels: {chart: polyaxon-1.10.1, release: pax}
spec:
  template:
    spec:
      containers:
      - name: polyaxon-api
        image: polyaxon/polyaxon-api:1.10.1
"#,
        want: Want::Output(
            r#"---
# Source: polyaxon/templates/api.yaml
kind: Deployment
metadata:
  name: pax-polyaxon-api
  labels: {chart: polyaxon-1.10.1, release: pax}
spec:
  template:
    spec:
      containers:
      - name: polyaxon-api
        image: polyaxon/polyaxon-api:1.10.1
      securityContext:
        fsGroup: 3000
"#,
        ),
        ..BASE
    },
    Case {
        name: "before 0.5: the chart had no security context, and polyaxon-pr adds none",
        values: "securityContext:\n  enabled: true\n",
        input: r#"---
kind: Deployment
metadata:
  name: pax-polyaxon-api
  labels: {chart: polyaxon-0.4.4, release: pax}
spec:
  template:
    spec:
      containers: [{name: polyaxon-api, image: polyaxon/polyaxon-api:0.4.4}]
"#,
        want: Want::Unchanged,
        ..BASE
    },
    Case {
        name: "flow-style containers are edited in flow style (fsGroup has its own default, as in the chart)",
        values: "securityContext:\n  enabled: true\n  runAsUser: 1000\n  runAsGroup: 1000\n",
        input: r#"---
kind: Deployment
metadata: {name: pax-polyaxon-gateway, labels: {chart: polyaxon-2.15.1, release: pax}}
spec:
  template:
    spec:
      containers: [{name: polyaxon-gateway, image: polyaxon/polyaxon-gateway:2.15.1}]
"#,
        want: Want::Output(
            r#"---
kind: Deployment
metadata: {name: pax-polyaxon-gateway, labels: {chart: polyaxon-2.15.1, release: pax}}
spec:
  template:
    spec:
      containers: [{name: polyaxon-gateway, image: polyaxon/polyaxon-gateway:2.15.1, securityContext: {allowPrivilegeEscalation: false, runAsNonRoot: true}}]
      securityContext:
        runAsUser: 1000
        runAsGroup: 1000
        fsGroup: 2222
"#,
        ),
        ..BASE
    },
    Case {
        // Found by the fuzzer: the parser's end mark of `{...}` runs over the
        // blank after it, and the entry went into the enclosing mapping.
        name: "a blank before a flow mapping's closing brace does not move the insertion out of it",
        values: "securityContext:\n  enabled: true\n",
        input: r#"---
kind: DaemonSet
metadata: {name: pax-agent, labels: {chart: polyaxon-2.15.1}}
spec: {template: {spec: {containers: [{name: agent}] } }  }
"#,
        want: Want::Output(
            r#"---
kind: DaemonSet
metadata: {name: pax-agent, labels: {chart: polyaxon-2.15.1}}
spec: {template: {spec: {containers: [{name: agent, securityContext: {allowPrivilegeEscalation: false, runAsNonRoot: true}}] , securityContext: {runAsUser: 2222, runAsGroup: 2222, fsGroup: 2222}} }  }
"#,
        ),
        ..BASE
    },
    Case {
        name: "CRLF line endings stay CRLF",
        values: "securityContext:\n  enabled: true\n",
        input: "---\r\nkind: Deployment\r\nmetadata:\r\n  name: pax-polyaxon-gateway\r\n  labels: {chart: polyaxon-2.15.1}\r\nspec:\r\n  template:\r\n    spec:\r\n      containers:\r\n      - name: polyaxon-gateway\r\n        image: polyaxon/polyaxon-gateway:2.15.1\r\n",
        want: Want::Output("---\r\nkind: Deployment\r\nmetadata:\r\n  name: pax-polyaxon-gateway\r\n  labels: {chart: polyaxon-2.15.1}\r\nspec:\r\n  template:\r\n    spec:\r\n      containers:\r\n      - name: polyaxon-gateway\r\n        image: polyaxon/polyaxon-gateway:2.15.1\r\n        securityContext:\r\n          allowPrivilegeEscalation: false\r\n          runAsNonRoot: true\r\n      securityContext:\r\n        runAsUser: 2222\r\n        runAsGroup: 2222\r\n        fsGroup: 2222\r\n"),
        ..BASE
    },
    Case {
        name: "a root init container is never marked runAsNonRoot",
        values: "securityContext:\n  enabled: true\n",
        input: r#"---
kind: Deployment
metadata:
  name: pax-polyaxon-gateway
  labels: {chart: polyaxon-2.15.1}
spec:
  template:
    spec:
      initContainers:
      - name: chown
        image: busybox
        securityContext:
          runAsUser: 0
      containers:
      - name: polyaxon-gateway
        image: polyaxon/polyaxon-gateway:2.15.1
"#,
        want: Want::Output(
            r#"---
kind: Deployment
metadata:
  name: pax-polyaxon-gateway
  labels: {chart: polyaxon-2.15.1}
spec:
  template:
    spec:
      initContainers:
      - name: chown
        image: busybox
        securityContext:
          runAsUser: 0
          allowPrivilegeEscalation: false
      containers:
      - name: polyaxon-gateway
        image: polyaxon/polyaxon-gateway:2.15.1
        securityContext:
          allowPrivilegeEscalation: false
          runAsNonRoot: true
      securityContext:
        runAsUser: 2222
        runAsGroup: 2222
        fsGroup: 2222
"#,
        ),
        notes: &["chown"],
        ..BASE
    },
    Case {
        name: "a subchart's workload is left alone in the default scope; Polyaxon hears of the context in its ConfigMap",
        values: "securityContext:\n  enabled: true\n",
        input: r#"---
kind: StatefulSet
metadata:
  name: pax-postgresql
  labels: {chart: postgresql-12.5.6, app.kubernetes.io/name: postgresql}
spec:
  template:
    spec:
      containers:
      - name: postgresql
        image: bitnami/postgresql
        securityContext:
          runAsUser: 1001
---
kind: ConfigMap
metadata:
  name: pax-polyaxon-config
  labels: {chart: polyaxon-2.15.1}
data:
  POLYAXON_K8S_NAMESPACE: polyaxon
"#,
        want: Want::Output(
            r#"---
kind: StatefulSet
metadata:
  name: pax-postgresql
  labels: {chart: postgresql-12.5.6, app.kubernetes.io/name: postgresql}
spec:
  template:
    spec:
      containers:
      - name: postgresql
        image: bitnami/postgresql
        securityContext:
          runAsUser: 1001
---
kind: ConfigMap
metadata:
  name: pax-polyaxon-config
  labels: {chart: polyaxon-2.15.1}
data:
  POLYAXON_K8S_NAMESPACE: polyaxon
  POLYAXON_SECURITY_CONTEXT_USER: "2222"
  POLYAXON_SECURITY_CONTEXT_GROUP: "2222"
"#,
        ),
        ..BASE
    },
    Case {
        name: "scope all: a subchart container keeps its identity (no runAsGroup where it set none)",
        values: "securityContext:\n  enabled: true\n",
        scope_all: true,
        input: r#"---
kind: StatefulSet
metadata:
  name: pax-rabbitmq
  labels: {chart: rabbitmq-11.7.0, app.kubernetes.io/name: rabbitmq}
spec:
  template:
    spec:
      containers:
      - name: rabbitmq
        image: bitnami/rabbitmq
        securityContext:
          runAsUser: 1001
---
kind: ConfigMap
metadata:
  name: pax-polyaxon-config
  labels: {chart: polyaxon-2.15.1}
data:
  POLYAXON_K8S_NAMESPACE: polyaxon
"#,
        want: Want::Output(
            r#"---
kind: StatefulSet
metadata:
  name: pax-rabbitmq
  labels: {chart: rabbitmq-11.7.0, app.kubernetes.io/name: rabbitmq}
spec:
  template:
    spec:
      containers:
      - name: rabbitmq
        image: bitnami/rabbitmq
        securityContext:
          runAsUser: 1001
          allowPrivilegeEscalation: false
          runAsNonRoot: true
---
kind: ConfigMap
metadata:
  name: pax-polyaxon-config
  labels: {chart: polyaxon-2.15.1}
data:
  POLYAXON_K8S_NAMESPACE: polyaxon
  POLYAXON_SECURITY_CONTEXT_USER: "2222"
  POLYAXON_SECURITY_CONTEXT_GROUP: "2222"
"#,
        ),
        ..BASE
    },
    Case {
        name: "an anchor on the pod spec to be changed is refused, located",
        values: "securityContext:\n  enabled: true\n",
        input: r#"---
kind: Deployment
metadata: {name: pax-polyaxon-gateway, labels: {chart: polyaxon-2.15.1}}
spec:
  template:
    spec: &pod
      containers:
      - name: polyaxon-gateway
        image: polyaxon/polyaxon-gateway:2.15.1
"#,
        // At the anchored mapping's first entry: editing it would change every alias of it too.
        want: Want::Error("<stdin>:7:7: document 1: security-context: spec.template.spec is anchored"),
        ..BASE
    },
    Case {
        name: "2.16: an external RabbitMQ is still wired",
        values: RABBITMQ_VALUES,
        input: RABBITMQ_CONFIG_2_16,
        want: Want::Output(
            r#"---
kind: ConfigMap
metadata:
  name: pax-polyaxon-config
  labels: {chart: polyaxon-2.16.4, release: pax}
data:
  POLYAXON_K8S_NAMESPACE: polyaxon
  POLYAXON_AMQP_URL: "mq.example:5672"
  POLYAXON_RABBITMQ_USER: "polyaxon"
---
# Source: polyaxon-pr/rabbitmq-secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: pax-polyaxon-rabbitmq-secret
  labels:
    chart: polyaxon-2.16.4
    release: pax
type: Opaque
data:
  rabbitmq-password: czNjcmV0
"#,
        ),
        ..BASE
    },
    Case {
        name: "2.17 on: RabbitMQ is never wired, and the values that still configure it are named",
        values: RABBITMQ_VALUES,
        input: RABBITMQ_CONFIG_2_18,
        want: Want::Unchanged,
        notes: &[
            "externalServices.rabbitmq is not wired: polyaxon 2.18.0 has no rabbitmq (removed in 2.17.0",
            "values.yaml:1:9: `broker: rabbitmq` is ignored: polyaxon 2.18.0 has no rabbitmq",
        ],
        ..BASE
    },
    Case {
        name: "a chart newer than any known is handled as the newest, and said so",
        input: "---\nkind: ConfigMap\nmetadata:\n  name: pax-polyaxon-config\n  labels: {chart: polyaxon-2.19.0}\ndata:\n  POLYAXON_K8S_NAMESPACE: polyaxon\n",
        notes: &["polyaxon 2.19.0 is newer than any chart this polyaxon-pr knows: handled as polyaxon 2.18.0"],
        ..BASE
    },
    Case {
        name: "DNS settings into the 2.x ConfigMap",
        values: "dns:\n  backend: coredns\n  prefix: coredns.kube-system\n",
        input: r#"---
kind: ConfigMap
metadata:
  name: pax-polyaxon-config
  labels: {chart: polyaxon-2.15.1, release: pax}
data:
  POLYAXON_K8S_NAMESPACE: "polyaxon"
  POLYAXON_DNS_USE_RESOLVER: "false"
"#,
        want: Want::Output(
            r#"---
kind: ConfigMap
metadata:
  name: pax-polyaxon-config
  labels: {chart: polyaxon-2.15.1, release: pax}
data:
  POLYAXON_K8S_NAMESPACE: "polyaxon"
  POLYAXON_DNS_USE_RESOLVER: "false"
  POLYAXON_DNS_BACKEND: "coredns"
  POLYAXON_DNS_PREFIX: "coredns.kube-system"
"#,
        ),
        ..BASE
    },
    Case {
        name: "0.5: DNS settings as env on the components the chart's templates name, not the others",
        values: "dns:\n  backend: coredns\n",
        input: r#"---
kind: Deployment
metadata: {name: pax-polyaxon-scheduler, labels: {chart: polyaxon-0.5.6}}
spec:
  template:
    spec:
      containers:
      - name: polyaxon-scheduler
        env:
        - name: POLYAXON_K8S_NAMESPACE
          value: polyaxon
---
kind: Deployment
metadata: {name: pax-polyaxon-events, labels: {chart: polyaxon-0.5.6}}
spec:
  template:
    spec:
      containers:
      - name: polyaxon-events
        env:
        - name: POLYAXON_K8S_NAMESPACE
          value: polyaxon
"#,
        want: Want::Output(
            r#"---
kind: Deployment
metadata: {name: pax-polyaxon-scheduler, labels: {chart: polyaxon-0.5.6}}
spec:
  template:
    spec:
      containers:
      - name: polyaxon-scheduler
        env:
        - name: POLYAXON_K8S_NAMESPACE
          value: polyaxon
        - name: POLYAXON_DNS_BACKEND
          value: "coredns"
---
kind: Deployment
metadata: {name: pax-polyaxon-events, labels: {chart: polyaxon-0.5.6}}
spec:
  template:
    spec:
      containers:
      - name: polyaxon-events
        env:
        - name: POLYAXON_K8S_NAMESPACE
          value: polyaxon
"#,
        ),
        ..BASE
    },
    Case {
        name: "NVIDIA driver mounts on a chosen workload: untyped hostPaths (pods still start on nodes without the driver), read-only, env untouched",
        values: "dirs:\n  nvidia:\n    lib: /usr/lib/nvidia\n    bin: /usr/bin/nvidia\n    libcuda: /usr/lib/libcuda.so.1\nmountPaths:\n  nvidia:\n    lib: /usr/local/nvidia/lib64\n    bin: /usr/local/nvidia/bin\n    libcuda: /usr/lib/x86_64-linux-gnu/libcuda.so.1\n",
        gpu_targets: &["Deployment/*-gateway"],
        input: GATEWAY_2,
        want: Want::Output(
            r#"---
# Source: polyaxon/templates/gateway.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pax-polyaxon-gateway
  labels:
    chart: polyaxon-2.15.1
    release: pax
spec:
  template:
    spec:
      containers:
        - name: polyaxon-gateway
          image: polyaxon/polyaxon-gateway:2.15.1
          volumeMounts:
          - name: nvidia-lib
            mountPath: /usr/local/nvidia/lib64
            readOnly: true
          - name: nvidia-bin
            mountPath: /usr/local/nvidia/bin
            readOnly: true
          - name: nvidia-libcuda
            mountPath: /usr/lib/x86_64-linux-gnu/libcuda.so.1
            readOnly: true
      volumes:
      - name: nvidia-lib
        hostPath:
          path: /usr/lib/nvidia
      - name: nvidia-bin
        hostPath:
          path: /usr/bin/nvidia
      - name: nvidia-libcuda
        hostPath:
          path: /usr/lib/libcuda.so.1
"#,
        ),
        ..BASE
    },
    Case {
        name: "a --gpu-target that matches nothing says so",
        values: "dirs:\n  nvidia:\n    lib: /l\n    bin: /b\n    libcuda: /c.so.1\nmountPaths:\n  nvidia:\n    lib: /l\n    bin: /b\n    libcuda: /c.so.1\n",
        gpu_targets: &["DaemonSet/*"],
        input: GATEWAY_2,
        want: Want::Unchanged,
        notes: &["--gpu-target DaemonSet/* matched no workload"],
        ..BASE
    },
    Case {
        name: "PSS restricted on top of securityContext.enabled: only what the level still lacks is added",
        values: "securityContext:\n  enabled: true\n",
        pod_security: "restricted",
        input: GATEWAY_2,
        want: Want::Output(
            r#"---
# Source: polyaxon/templates/gateway.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pax-polyaxon-gateway
  labels:
    chart: polyaxon-2.15.1
    release: pax
spec:
  template:
    spec:
      containers:
        - name: polyaxon-gateway
          image: polyaxon/polyaxon-gateway:2.15.1
          securityContext:
            allowPrivilegeEscalation: false
            runAsNonRoot: true
            capabilities:
              drop:
              - ALL
      securityContext:
        runAsUser: 2222
        runAsGroup: 2222
        fsGroup: 2222
        seccompProfile:
          type: RuntimeDefault
"#,
        ),
        notes: &["created by its operator at run time"],
        ..BASE
    },
    Case {
        name: "PSS restricted on a CronJob: init containers too, flow style kept, runAsNonRoot left to the pod that sets it",
        pod_security: "restricted",
        input: r#"---
kind: CronJob
metadata: {name: pax-polyaxon-cleaner, labels: {chart: polyaxon-2.15.1}}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          securityContext: {runAsNonRoot: true, runAsUser: 2222}
          initContainers: [{name: wait, image: busybox}]
          containers:
          - name: clean
            image: polyaxon/polyaxon-cli:2.15.1
            securityContext:
              capabilities: {drop: [NET_RAW]}
"#,
        want: Want::Output(
            r#"---
kind: CronJob
metadata: {name: pax-polyaxon-cleaner, labels: {chart: polyaxon-2.15.1}}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          securityContext: {runAsNonRoot: true, runAsUser: 2222, seccompProfile: {type: RuntimeDefault}}
          initContainers: [{name: wait, image: busybox, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]
          containers:
          - name: clean
            image: polyaxon/polyaxon-cli:2.15.1
            securityContext:
              capabilities: {drop: [NET_RAW, ALL]}
              allowPrivilegeEscalation: false
"#,
        ),
        ..BASE
    },
    Case {
        name: "PSS: the default host_path artifacts store is refused at the volume, naming the values to change",
        pod_security: "baseline",
        input: API_HOST_PATH,
        want: Want::Error("<stdin>:16:11: document 1 (polyaxon/templates/api-deployment.yaml): pod-security: Deployment/pax-polyaxon-api cannot be admitted under the baseline Pod Security Standard: spec.template.spec.volumes[name=default-artifacts-store].hostPath: hostPath volumes are forbidden (baseline); in the values: arti"),
        ..BASE
    },
    Case {
        name: "PSS warn mode: the host path is reported, the rest filled, the output written",
        pod_security: "restricted",
        pss_warn: true,
        input: API_HOST_PATH,
        want: Want::Output(
            r#"---
# Source: polyaxon/templates/api-deployment.yaml
kind: Deployment
metadata:
  name: pax-polyaxon-api
  labels: {chart: polyaxon-2.15.1}
spec:
  template:
    spec:
      containers:
      - name: polyaxon-api
        volumeMounts: [{mountPath: /artifactsStore, name: default-artifacts-store}]
        securityContext:
          allowPrivilegeEscalation: false
          runAsNonRoot: true
          capabilities:
            drop:
            - ALL
      volumes:
      - name: "default-artifacts-store"
        hostPath:
          path: "/tmp/artifactsStore"
      securityContext:
        seccompProfile:
          type: RuntimeDefault
"#,
        ),
        notes: &["not admissible under the restricted Pod Security Standard: spec.template.spec.volumes[name=default-artifacts-store].hostPath"],
        ..BASE
    },
    Case {
        name: "PSS: root from the values is refused at the container, never marked runAsNonRoot",
        values: "securityContext:\n  enabled: true\n  runAsUser: 0\n  runAsNonRoot: false\n",
        pod_security: "restricted",
        input: GATEWAY_2,
        want: Want::Error("<stdin>:20:20: document 1 (polyaxon/templates/gateway.yaml): pod-security: Deployment/pax-polyaxon-gateway cannot be admitted under the restricted Pod Security Standard: spec.template.spec.containers[name=polyaxon-gateway].securityContext.runAsUser: the container runs as root (runAsUser: 0), which r"),
        notes: &[],
        ..BASE
    },
    Case {
        name: "PSS: a field the chart set that the level forbids is an error, not overwritten",
        pod_security: "restricted",
        input: r#"---
kind: StatefulSet
metadata: {name: pax-polyaxon-worker, labels: {chart: polyaxon-2.15.1}}
spec:
  template:
    spec:
      hostNetwork: true
      containers:
      - name: worker
        securityContext: {allowPrivilegeEscalation: true}
"#,
        want: Want::Error("<stdin>:7:20: document 1: pod-security: StatefulSet/pax-polyaxon-worker cannot be admitted under the restricted Pod Security Standard: spec.template.spec.hostNetwork: host namespaces are forbidden (baseline); spec.template.spec.containers[name=worker].securityContext.allowPrivilegeEscalation: allowP"),
        ..BASE
    },
    Case {
        name: "PSS: the NVIDIA driver mounts polyaxon-pr adds are judged too, and refused at dirs.nvidia",
        values: "dirs:\n  nvidia:\n    lib: /l\n    bin: /b\n    libcuda: /c.so.1\n",
        gpu_targets: &["Deployment/*-gateway"],
        pod_security: "baseline",
        input: GATEWAY_2,
        want: Want::Error("<stdin>:29:11: document 1 (polyaxon/templates/gateway.yaml): pod-security: Deployment/pax-polyaxon-gateway cannot be admitted under the baseline Pod Security Standard: spec.template.spec.volumes[name=nvidia-lib].hostPath: hostPath volumes are forbidden (baseline); in the values: dirs.nvidia (set at "),
        ..BASE
    },
    Case {
        name: "PSS with --security-scope all: a subchart pod with a known non-root user is filled, one whose image decides is left and told why",
        pod_security: "restricted",
        scope_all: true,
        input: r#"---
kind: StatefulSet
metadata: {name: pax-postgresql, labels: {chart: postgresql-8.2.1}}
spec:
  template:
    spec:
      securityContext: {fsGroup: 1001, runAsUser: 1001}
      containers:
      - name: postgresql
        image: bitnami/postgresql
---
kind: Deployment
metadata: {name: pax-redis, labels: {chart: redis-10.7.16}}
spec:
  template:
    spec:
      containers:
      - name: redis
        image: bitnami/redis
"#,
        want: Want::Output(
            r#"---
kind: StatefulSet
metadata: {name: pax-postgresql, labels: {chart: postgresql-8.2.1}}
spec:
  template:
    spec:
      securityContext: {fsGroup: 1001, runAsUser: 1001, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: postgresql
        image: bitnami/postgresql
        securityContext:
          allowPrivilegeEscalation: false
          runAsNonRoot: true
          capabilities:
            drop:
            - ALL
---
kind: Deployment
metadata: {name: pax-redis, labels: {chart: redis-10.7.16}}
spec:
  template:
    spec:
      containers:
      - name: redis
        image: bitnami/redis
"#,
        ),
        notes: &["left as the redis subchart renders it: spec.template.spec.containers[name=redis] set no runAsUser"],
        ..BASE
    },
];

fn run(case: &Case) -> Result<(String, Vec<String>), String> {
    let mut values = Values::default();
    values.add_text("values.yaml", case.values, HelmMajor::V4).map_err(|e| e.to_string())?;
    let options = Options {
        gpu_targets: case.gpu_targets.iter().map(|t| GpuTarget::parse(t).unwrap()).collect(),
        security_scope: if case.scope_all { SecurityScope::All } else { SecurityScope::Polyaxon },
        pod_security: (!case.pod_security.is_empty()).then(|| case.pod_security.parse().unwrap()),
        pod_security_warn: case.pss_warn,
        ..Options::default()
    };
    postrender::run(case.input, &values, &options).map(|o| (o.output, o.notes)).map_err(|e| e.to_string())
}

#[test]
fn every_case_produces_exactly_what_it_states() {
    assert!(CASES.len() >= 20);
    let print = std::env::var("TRANSFORM_CASES").is_ok_and(|v| v == "print");
    let mut failures = Vec::new();
    for case in CASES {
        let result = run(case);
        if print {
            eprintln!("== {}\n{result:#?}", case.name);
            continue;
        }
        let problem = match (&case.want, &result) {
            (Want::Output(want), Ok((out, _))) if out != want => {
                Some(format!("output differs:\n{}", similar::TextDiff::from_lines(*want, out.as_str()).unified_diff()))
            }
            (Want::Unchanged, Ok((out, _))) if out != case.input => {
                Some(format!("changed:\n{}", similar::TextDiff::from_lines(case.input, out.as_str()).unified_diff()))
            }
            (Want::Error(prefix), Err(e)) if !e.starts_with(prefix) => Some(format!("error {e:?}, want one starting {prefix:?}")),
            (Want::Error(_), Ok(_)) => Some("succeeded, want an error".into()),
            (Want::Output(_) | Want::Unchanged, Err(e)) => Some(format!("failed: {e}")),
            (_, Ok((_, notes))) => {
                case.notes.iter().find(|n| !notes.iter().any(|note| note.contains(*n))).map(|n| format!("no note says {n:?}: {notes:?}"))
            }
            _ => None,
        };
        if let Some(problem) = problem {
            failures.push(format!("{}: {problem}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
