//! Where pod templates and containers live in each kind of workload.

use crate::yaml::Node;

/// Kinds that carry a pod template, with the path to its pod spec.
const POD_SPEC_PATHS: &[(&str, &[&str])] = &[
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    ("CronJob", &["spec", "jobTemplate", "spec", "template", "spec"]),
    ("Pod", &["spec"]),
];

pub fn is_workload(kind: &str) -> bool {
    POD_SPEC_PATHS.iter().any(|(k, _)| *k == kind)
}

/// The pod spec of a workload document, with its dotted path for messages.
pub fn pod_spec<'a>(root: &'a Node, kind: &str) -> Option<(&'a Node, String)> {
    let (_, path) = POD_SPEC_PATHS.iter().find(|(k, _)| *k == kind)?;
    let node = root.path(path)?;
    node.is_map().then(|| (node, path.join(".")))
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

/// Every container of a workload document (none for other kinds).
pub fn pod_containers<'a>(root: &'a Node, kind: &str) -> Vec<&'a Node> {
    match pod_spec(root, kind) {
        Some((pod, path)) => containers(pod, &path).into_iter().map(|(c, _)| c).collect(),
        None => Vec::new(),
    }
}

/// `metadata.name`, for messages.
pub fn name(root: &Node) -> &str {
    root.path(&["metadata", "name"]).and_then(Node::text).unwrap_or("<unnamed>")
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
        let (pod, path) = pod_spec(&doc, "CronJob").unwrap();
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
        assert!(pod_spec(&doc, "ConfigMap").is_none());
    }
}
