//! Where pod templates and containers live in each kind of workload, and
//! whose workload a document is (Polyaxon's own or a subchart's).

use std::fmt;
use std::str::FromStr;

use crate::edit::NodeError;
use crate::knowledge::GPU_RESOURCE;
use crate::yaml::{Node, Scalar};

/// The kinds that carry a pod template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
    CronJob,
    Pod,
}

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 7] = [
        WorkloadKind::Deployment,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
        WorkloadKind::ReplicaSet,
        WorkloadKind::Job,
        WorkloadKind::CronJob,
        WorkloadKind::Pod,
    ];

    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
            WorkloadKind::Pod => "Pod",
        }
    }

    /// The path to the pod spec.
    pub fn pod_spec_path(self) -> &'static [&'static str] {
        match self {
            WorkloadKind::CronJob => &["spec", "jobTemplate", "spec", "template", "spec"],
            WorkloadKind::Pod => &["spec"],
            _ => &["spec", "template", "spec"],
        }
    }

    pub fn of(kind: &str) -> Option<WorkloadKind> {
        WorkloadKind::ALL.into_iter().find(|k| k.name() == kind)
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for WorkloadKind {
    type Err = String;

    /// Case-insensitively, as `kubectl` takes kinds.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WorkloadKind::ALL.into_iter().find(|k| k.name().eq_ignore_ascii_case(s)).ok_or_else(|| {
            let all: Vec<&str> = WorkloadKind::ALL.iter().map(|k| k.name()).collect();
            format!("`{s}` is not a workload kind ({})", all.join(", "))
        })
    }
}

pub fn is_workload(kind: &str) -> bool {
    WorkloadKind::of(kind).is_some()
}

/// The pod spec of a workload document, with its dotted path for messages;
/// `None` for other kinds. A pod spec reached through, or holding, YAML
/// that cannot be edited as text (aliases, anchors, custom tags, merge
/// keys) is an error: polyaxon-pr would otherwise skip or misread it; so
/// is a field the transforms read that has the wrong shape.
pub fn pod_spec<'a>(root: &'a Node, kind: &str) -> Result<Option<(&'a Node, String)>, NodeError> {
    let Some((node, path)) = walk_to_pod(root, kind, true)? else {
        return Ok(None);
    };
    if let Some((bad, what)) = node.first_unsafe() {
        return Err(NodeError::at(
            bad,
            format!("the pod spec holds {what}; polyaxon-pr does not edit through YAML aliases, anchors, tags or merge keys: expand it"),
        ));
    }
    check_pod(node, &path)?;
    Ok(Some((node, path)))
}

/// The pod spec of a workload document to look into before deciding whether
/// to edit it: a wrong shape on the way is an error, YAML that cannot be
/// edited is not (yet).
pub fn pod_to_read<'a>(root: &'a Node, kind: &str) -> Result<Option<(&'a Node, String)>, NodeError> {
    walk_to_pod(root, kind, false)
}

fn walk_to_pod<'a>(root: &'a Node, kind: &str, editable: bool) -> Result<Option<(&'a Node, String)>, NodeError> {
    let Some(kind) = WorkloadKind::of(kind) else {
        return Ok(None);
    };
    let path = kind.pod_spec_path();
    let mut node = root;
    for (i, key) in path.iter().enumerate() {
        let Some(next) = node.get(key) else {
            return Ok(None);
        };
        if let Some((bad, what)) = shallow_unsafe(next).filter(|_| editable) {
            return Err(NodeError::at(
                bad,
                format!("{} is {what}; polyaxon-pr does not edit through YAML aliases, anchors or tags: expand it", path[..=i].join(".")),
            ));
        }
        match shaped(Some(next), Shape::Map, &|| path[..=i].join("."))? {
            Some(next) => node = next,
            None => return Ok(None),
        }
    }
    Ok(Some((node, path.join("."))))
}

fn shallow_unsafe(node: &Node) -> Option<(&Node, &'static str)> {
    if node.is_alias() {
        Some((node, "an alias (*name)"))
    } else if node.anchored() {
        Some((node, "anchored (&name)"))
    } else if node.custom_tag().is_some() {
        Some((node, "custom-tagged"))
    } else {
        None
    }
}

/// Every container and init container of a pod spec, each with a path for
/// messages such as `spec.template.spec.initContainers[name=wait]`. A list
/// or container, or a field of one the transforms read, of the wrong shape
/// is an error at it.
pub fn containers<'a>(pod: &'a Node, pod_path: &str) -> Result<Vec<(&'a Node, String)>, NodeError> {
    containers_in(pod, pod_path, &CONTAINER_LISTS)
}

const CONTAINER_LISTS: [&str; 2] = ["initContainers", "containers"];

/// [`containers`] and the ephemeral containers (which a pod template
/// cannot create, but a Pod may be handed over with).
pub fn containers_and_ephemeral<'a>(pod: &'a Node, pod_path: &str) -> Result<Vec<(&'a Node, String)>, NodeError> {
    containers_in(pod, pod_path, &["initContainers", "containers", "ephemeralContainers"])
}

/// [`containers`] of a pod spec that [`pod_spec`] returned, and so checked
/// already: the same list, without a second walk through every field.
pub fn checked_containers<'a>(pod: &'a Node, pod_path: &str) -> Vec<(&'a Node, String)> {
    checked_container_paths(pod, pod_path).into_iter().map(|(c, path)| (c, path.to_string())).collect()
}

/// [`checked_containers`], each path spelled only where a message needs it.
pub fn checked_container_paths<'a: 'p, 'p>(pod: &'a Node, pod_path: &'p str) -> Vec<(&'a Node, ContainerPath<'p>)> {
    let mut out = Vec::new();
    let listed = each_container(pod, pod_path, &CONTAINER_LISTS, false, &mut |c, path| out.push((c, path)));
    debug_assert!(listed.is_ok(), "pod_spec checked the containers");
    out
}

fn containers_in<'a>(pod: &'a Node, pod_path: &str, lists: &[&'static str]) -> Result<Vec<(&'a Node, String)>, NodeError> {
    let mut out = Vec::new();
    each_container(pod, pod_path, lists, true, &mut |c, path| out.push((c, path.to_string())))?;
    Ok(out)
}

/// Where a container sits in a pod spec, for messages:
/// `spec.template.spec.initContainers[name=wait]`, or by index when it has no name.
#[derive(Debug, Clone, Copy)]
pub struct ContainerPath<'a> {
    pod_path: &'a str,
    list: &'static str,
    index: usize,
    name: Option<&'a str>,
}

impl fmt::Display for ContainerPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ContainerPath { pod_path, list, index, name } = self;
        match name {
            Some(name) => write!(f, "{pod_path}.{list}[name={name}]"),
            None => write!(f, "{pod_path}.{list}[{index}]"),
        }
    }
}

/// Each container of the `lists` of a pod spec, checked (with `check`),
/// with its path.
fn each_container<'a: 'p, 'p>(
    pod: &'a Node,
    pod_path: &'p str,
    lists: &[&'static str],
    check: bool,
    found: &mut dyn FnMut(&'a Node, ContainerPath<'p>),
) -> Result<(), NodeError> {
    for &list in lists {
        let Some(items) = shaped(pod.get(list), Shape::List, &|| format!("{pod_path}.{list}"))? else {
            continue;
        };
        for (index, c) in items.items().unwrap_or_default().iter().enumerate() {
            let Some(c) = shaped(Some(c), Shape::Map, &|| format!("{pod_path}.{list}[{index}]"))? else {
                continue;
            };
            if check {
                check_container(c, &|| ContainerPath { pod_path, list, index, name: c.get("name").and_then(Node::text) }.to_string())?;
            }
            found(c, ContainerPath { pod_path, list, index, name: c.get("name").and_then(Node::text) });
        }
    }
    Ok(())
}

/// The shape a field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Map,
    List,
    Scalar,
}

/// A field's path for an error message, spelled out only when there is one:
/// the checks below look at every container of every workload.
type PathOf<'p> = &'p dyn Fn() -> String;

/// What [`shaped`] looks at: a null or an alias is passed over (as absent).
fn present(node: &Node) -> bool {
    !node.is_null() && !node.is_alias()
}

/// `node` when it is present, not null and of `shape`; an error at it when
/// it is of another shape.
fn shaped<'a>(node: Option<&'a Node>, shape: Shape, path: PathOf) -> Result<Option<&'a Node>, NodeError> {
    let Some(node) = node.filter(|n| present(n)) else {
        return Ok(None);
    };
    let fits = match shape {
        Shape::Map => node.is_map(),
        Shape::List => node.items().is_some(),
        Shape::Scalar => node.text().is_some(),
    };
    if fits {
        return Ok(Some(node));
    }
    let wanted = match shape {
        Shape::Map => "a mapping",
        Shape::List => "a list",
        Shape::Scalar => "a single value",
    };
    Err(NodeError::at(node, format!("{} must be {wanted}, found {}", path(), node.type_name())))
}

/// Each item of a list field, checked to be a mapping, with its index:
/// every item is checked before the first is handed out.
fn list_of_maps<'a>(parent: &'a Node, key: &str, path: PathOf) -> Result<impl Iterator<Item = (&'a Node, usize)> + 'a, NodeError> {
    let list = shaped(parent.get(key), Shape::List, &|| format!("{}.{key}", path()))?;
    let items = list.and_then(Node::items).unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        shaped(Some(item), Shape::Map, &|| format!("{}.{key}[{i}]", path()))?;
    }
    Ok(items.iter().enumerate().filter(|(_, item)| present(item)).map(|(i, item)| (item, i)))
}

/// Checks that each of `keys` in the mapping `parent` is a single value.
fn scalars(parent: &Node, keys: &[&str], path: PathOf) -> Result<(), NodeError> {
    for key in keys {
        shaped(parent.get(key), Shape::Scalar, &|| format!("{}.{key}", path()))?;
    }
    Ok(())
}

/// The security-context fields the transforms read or write.
const SECURITY_FIELDS: [&str; 9] = [
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "fsGroup",
    "fsGroupChangePolicy",
    "allowPrivilegeEscalation",
    "privileged",
    "readOnlyRootFilesystem",
    "procMount",
];

/// The fields of a security context's profile and option mappings that the
/// pod-security transform reads.
const SECURITY_MAPS: [(&str, &[&str]); 4] = [
    ("seccompProfile", &["type"]),
    ("appArmorProfile", &["type"]),
    ("seLinuxOptions", &["type", "user", "role"]),
    ("windowsOptions", &["hostProcess"]),
];

/// A `securityContext` (pod or container): its scalar fields, profile
/// mappings, capability lists and sysctls.
fn check_security_context(sc: &Node, sc_path: PathOf) -> Result<(), NodeError> {
    scalars(sc, &SECURITY_FIELDS, sc_path)?;
    for (key, fields) in SECURITY_MAPS {
        let map_path = || format!("{}.{key}", sc_path());
        if let Some(map) = shaped(sc.get(key), Shape::Map, &map_path)? {
            scalars(map, fields, &map_path)?;
        }
    }
    let caps_path = || format!("{}.capabilities", sc_path());
    if let Some(caps) = shaped(sc.get("capabilities"), Shape::Map, &caps_path)? {
        for list in ["add", "drop"] {
            if let Some(items) = shaped(caps.get(list), Shape::List, &|| format!("{}.{list}", caps_path()))? {
                for (i, cap) in items.items().unwrap_or_default().iter().enumerate() {
                    shaped(Some(cap), Shape::Scalar, &|| format!("{}.{list}[{i}]", caps_path()))?;
                }
            }
        }
    }
    for (sysctl, i) in list_of_maps(sc, "sysctls", sc_path)? {
        scalars(sysctl, &["name"], &|| format!("{}.sysctls[{i}]", sc_path()))?;
    }
    Ok(())
}

/// A scalar field of a pod's or container's `securityContext`.
pub fn sc_field<'a>(node: &'a Node, key: &str) -> Option<Scalar<'a>> {
    node.path(&["securityContext", key]).and_then(Node::scalar)
}

/// The user a container runs as, when the manifest says: its own
/// `runAsUser`, else the pod's (otherwise its image decides).
pub fn run_as_user(pod: &Node, container: &Node) -> Option<i64> {
    let int = |node| match sc_field(node, "runAsUser") {
        Some(Scalar::Int(n)) => Some(n),
        _ => None,
    };
    int(container).or_else(|| int(pod))
}

/// A privileged container, or one that adds CAP_SYS_ADMIN: Kubernetes
/// rejects `allowPrivilegeEscalation: false` on it.
pub fn is_privileged(container: &Node) -> bool {
    sc_field(container, "privileged") == Some(Scalar::Bool(true))
        || container
            .path(&["securityContext", "capabilities", "add"])
            .and_then(Node::items)
            .unwrap_or_default()
            .iter()
            .any(|c| matches!(c.text(), Some("SYS_ADMIN" | "CAP_SYS_ADMIN")))
}

/// A pod spec's fields the transforms read: its security context, its
/// volumes (names and host paths), its container lists.
fn check_pod(pod: &Node, path: &str) -> Result<(), NodeError> {
    let sc_path = || format!("{path}.securityContext");
    if let Some(sc) = shaped(pod.get("securityContext"), Shape::Map, &sc_path)? {
        check_security_context(sc, &sc_path)?;
    }
    scalars(pod, &["hostNetwork", "hostPID", "hostIPC"], &|| path.to_string())?;
    for (volume, i) in list_of_maps(pod, "volumes", &|| path.to_string())? {
        let volume_path = || format!("{path}.volumes[{i}]");
        scalars(volume, &["name"], &volume_path)?;
        let host_path = || format!("{}.hostPath", volume_path());
        if let Some(host) = shaped(volume.get("hostPath"), Shape::Map, &host_path)? {
            scalars(host, &["path"], &host_path)?;
        }
    }
    each_container(pod, path, &CONTAINER_LISTS, true, &mut |_, _| {})
}

/// A container's fields the transforms read: name, env (names, values,
/// Secret references), volume mounts, security context, GPU resources.
fn check_container(container: &Node, path: PathOf) -> Result<(), NodeError> {
    scalars(container, &["name"], path)?;
    for (entry, i) in list_of_maps(container, "env", path)? {
        let entry_path = || format!("{}.env[{i}]", path());
        scalars(entry, &["name", "value"], &entry_path)?;
        let from_path = || format!("{}.valueFrom", entry_path());
        if let Some(from) = shaped(entry.get("valueFrom"), Shape::Map, &from_path)? {
            let ref_path = || format!("{}.secretKeyRef", from_path());
            if let Some(r) = shaped(from.get("secretKeyRef"), Shape::Map, &ref_path)? {
                scalars(r, &["name", "key"], &ref_path)?;
            }
        }
    }
    for (mount, i) in list_of_maps(container, "volumeMounts", path)? {
        scalars(mount, &["name", "mountPath"], &|| format!("{}.volumeMounts[{i}]", path()))?;
    }
    let sc_path = || format!("{}.securityContext", path());
    if let Some(sc) = shaped(container.get("securityContext"), Shape::Map, &sc_path)? {
        check_security_context(sc, &sc_path)?;
    }
    for (port, i) in list_of_maps(container, "ports", path)? {
        scalars(port, &["hostPort"], &|| format!("{}.ports[{i}]", path()))?;
    }
    let resources_path = || format!("{}.resources", path());
    if let Some(resources) = shaped(container.get("resources"), Shape::Map, &resources_path)? {
        for section in ["limits", "requests"] {
            let section_path = || format!("{}.{section}", resources_path());
            if let Some(amounts) = shaped(resources.get(section), Shape::Map, &section_path)? {
                scalars(amounts, &[GPU_RESOURCE], &section_path)?;
            }
        }
    }
    Ok(())
}

/// The object fields the transforms read of every document they look at:
/// `kind`, `metadata.name`, labels and annotations (whose object it is,
/// Helm's hook and filename annotations), and a ConfigMap's or Secret's
/// `data`. A wrong shape is an error at it.
pub fn check_object(root: &Node) -> Result<(), NodeError> {
    let Some(root) = shaped(Some(root), Shape::Map, &|| "the document".into())? else {
        return Ok(());
    };
    shaped(root.get("kind"), Shape::Scalar, &|| "kind".into())?;
    if let Some(metadata) = shaped(root.get("metadata"), Shape::Map, &|| "metadata".into())? {
        scalars(metadata, &["name"], &|| "metadata".into())?;
        for key in ["labels", "annotations"] {
            let path = || format!("metadata.{key}");
            if let Some(map) = shaped(metadata.get(key), Shape::Map, &path)? {
                for (k, v) in map.entries().unwrap_or_default() {
                    shaped(Some(v), Shape::Scalar, &|| format!("{}.{}", path(), k.text().unwrap_or("?")))?;
                }
            }
        }
    }
    if matches!(root.get("kind").and_then(Node::text), Some("ConfigMap" | "Secret")) {
        if let Some(data) = shaped(root.get("data"), Shape::Map, &|| "data".into())? {
            for (k, v) in data.entries().unwrap_or_default() {
                shaped(Some(v), Shape::Scalar, &|| format!("data.{}", k.text().unwrap_or("?")))?;
            }
        }
    }
    Ok(())
}

/// `metadata.name`, for messages.
pub fn name(root: &Node) -> &str {
    root.path(&["metadata", "name"]).and_then(Node::text).unwrap_or("<unnamed>")
}

/// A label of the object.
pub fn label<'a>(root: &'a Node, key: &str) -> Option<&'a str> {
    root.path(&["metadata", "labels", key]).and_then(Node::text)
}

/// An annotation of the object.
pub fn annotation<'a>(root: &'a Node, key: &str) -> Option<&'a str> {
    root.path(&["metadata", "annotations", key]).and_then(Node::text)
}

/// Whose object a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    /// The Polyaxon chart's own (or unknown: a stream without chart labels).
    Polyaxon,
    /// A subchart's (`postgresql`, `redis`, `rabbitmq-ha`, ...).
    Subchart(&'a str),
}

impl<'a> Owner<'a> {
    /// By template path (`<chart>/charts/<sub>/templates/...`), else by
    /// the `helm.sh/chart` or `chart` label (`redis-7.0.0`).
    pub fn of(root: &'a Node, source: Option<&'a str>) -> Owner<'a> {
        if let Some(source) = source {
            return match memchr::memmem::find(source.as_bytes(), b"/charts/").map(|i| &source[i + "/charts/".len()..]) {
                Some(rest) => Owner::Subchart(rest.split('/').next().unwrap_or(rest)),
                None => Owner::Polyaxon,
            };
        }
        let chart = label(root, "helm.sh/chart").or_else(|| label(root, "chart"));
        match chart {
            Some(c) if !(c.starts_with("polyaxon-") || c.starts_with("agent-")) => match c.rsplit_once('-') {
                Some((name, version)) if version.starts_with(|c: char| c.is_ascii_digit()) => Owner::Subchart(name),
                _ => Owner::Polyaxon,
            },
            _ => Owner::Polyaxon,
        }
    }
}

/// The Polyaxon component a workload implements (`api`, `scheduler`, ...):
/// its name after the chart's full name.
pub fn component<'a>(root: &'a Node, fullname: Option<&str>) -> Option<&'a str> {
    let name = name(root);
    match fullname {
        Some(full) => name.strip_prefix(full)?.strip_prefix('-'),
        None => name.rsplit('-').next(),
    }
}

/// The container the chart puts a component's settings in: the one named
/// `polyaxon-<component>`, else the first.
pub fn main_container<'a>(containers: &[(&'a Node, String)], component: &str) -> Option<(&'a Node, String)> {
    let wanted = format!("polyaxon-{component}");
    containers
        .iter()
        .find(|(c, path)| path.contains(".containers[") && c.get("name").and_then(Node::text) == Some(&wanted))
        .or_else(|| containers.iter().find(|(_, path)| path.contains(".containers[")))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_one;

    #[test]
    fn finds_cronjob_pod_spec_and_all_containers() {
        let doc = parse_one(
            "kind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers:\n          - name: init\n          containers:\n          - name: main\n          - image: x\n",
        )
        .unwrap()
        .unwrap();
        let (pod, path) = pod_spec(&doc, "CronJob").unwrap().unwrap();
        assert_eq!(path, "spec.jobTemplate.spec.template.spec");
        let names: Vec<String> = containers(pod, &path).unwrap().into_iter().map(|(_, p)| p).collect();
        assert_eq!(
            names,
            [
                "spec.jobTemplate.spec.template.spec.initContainers[name=init]",
                "spec.jobTemplate.spec.template.spec.containers[name=main]",
                "spec.jobTemplate.spec.template.spec.containers[1]",
            ]
        );
        assert_eq!(name(&doc), "c");
        assert!(pod_spec(&doc, "ConfigMap").unwrap().is_none());
    }

    #[test]
    fn pod_specs_behind_aliases_anchors_or_merge_keys_are_refused() {
        for (text, line) in [
            ("kind: Job\nx: &t {spec: {containers: []}}\nspec:\n  template: *t\n", 4),
            ("kind: Job\nspec:\n  template: &t\n    spec:\n      containers: []\n", 4),
            ("kind: Pod\nspec:\n  containers:\n  - name: a\n    <<: {securityContext: {runAsNonRoot: false}}\n", 5),
            ("kind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext: !custom {}\n", 5),
        ] {
            let doc = parse_one(text).unwrap().unwrap();
            let kind = doc.get("kind").unwrap().text().unwrap().to_string();
            let err = pod_spec(&doc, &kind).unwrap_err();
            assert_eq!(err.line, line, "{text}: {err:?}");
        }
    }

    #[test]
    fn owners_by_source_or_chart_label() {
        let doc = parse_one("metadata:\n  labels:\n    chart: redis-7.0.0\n").unwrap().unwrap();
        assert_eq!(Owner::of(&doc, None), Owner::Subchart("redis"));
        assert_eq!(Owner::of(&doc, Some("polyaxon/charts/postgresql/templates/x.yaml")), Owner::Subchart("postgresql"));
        assert_eq!(Owner::of(&doc, Some("polyaxon/templates/api.yaml")), Owner::Polyaxon);
        let own = parse_one("metadata:\n  name: pax-polyaxon-api\n  labels:\n    chart: \"polyaxon-0.4.4\"\n").unwrap().unwrap();
        assert_eq!(Owner::of(&own, None), Owner::Polyaxon);
        assert_eq!(component(&own, Some("pax-polyaxon")), Some("api"));
        assert_eq!("daemonset".parse::<WorkloadKind>(), Ok(WorkloadKind::DaemonSet));
        assert!("*".parse::<WorkloadKind>().is_err());
    }
}
