//! Where pod templates and containers live in each kind of workload, and
//! whose workload a document is (Polyaxon's own or a subchart's).

use std::fmt;
use std::str::FromStr;

use crate::edit::NodeError;
use crate::yaml::Node;

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
/// keys) is an error: polyaxon-pr would otherwise skip or misread it.
pub fn pod_spec<'a>(root: &'a Node, kind: &str) -> Result<Option<(&'a Node, String)>, NodeError> {
    let Some(kind) = WorkloadKind::of(kind) else {
        return Ok(None);
    };
    let path = kind.pod_spec_path();
    let mut node = root;
    for (i, key) in path.iter().enumerate() {
        let Some(next) = node.get(key) else {
            return Ok(None);
        };
        if let Some((bad, what)) = shallow_unsafe(next) {
            return Err(NodeError::at(
                bad,
                format!("{} is {what}; polyaxon-pr does not edit through YAML aliases, anchors or tags: expand it", path[..=i].join(".")),
            ));
        }
        if next.is_null() {
            return Ok(None);
        }
        if !next.is_map() {
            return Err(NodeError::at(next, format!("{} must be a mapping, found {}", path[..=i].join("."), next.type_name())));
        }
        node = next;
    }
    if let Some((bad, what)) = node.first_unsafe() {
        return Err(NodeError::at(
            bad,
            format!("the pod spec holds {what}; polyaxon-pr does not edit through YAML aliases, anchors, tags or merge keys: expand it"),
        ));
    }
    Ok(Some((node, path.join("."))))
}

fn shallow_unsafe(node: &Node) -> Option<(&Node, &'static str)> {
    if node.is_alias() {
        Some((node, "an alias (*name)"))
    } else if node.anchored {
        Some((node, "anchored (&name)"))
    } else if node.custom_tag().is_some() {
        Some((node, "custom-tagged"))
    } else {
        None
    }
}

/// Every container and init container of a pod spec, each with a path for
/// messages such as `spec.template.spec.initContainers[name=wait]`.
pub fn containers<'a>(pod: &'a Node, pod_path: &str) -> Vec<(&'a Node, String)> {
    ["initContainers", "containers"]
        .iter()
        .filter_map(|list| Some((*list, pod.get(list)?.items()?)))
        .flat_map(|(list, items)| {
            items.iter().enumerate().filter(|(_, c)| c.is_map()).map(move |(i, c)| {
                let id = c.get("name").and_then(Node::text).map_or(i.to_string(), |n| format!("name={n}"));
                (c, format!("{pod_path}.{list}[{id}]"))
            })
        })
        .collect()
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
            return match source.split_once("/charts/") {
                Some((_, rest)) => Owner::Subchart(rest.split('/').next().unwrap_or(rest)),
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
        let names: Vec<String> = containers(pod, &path).into_iter().map(|(_, p)| p).collect();
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
