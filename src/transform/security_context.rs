//! Pod and container `securityContext` on every workload, from the chart's
//! `securityContext` values section.
//!
//! Many templates (subcharts, hooks, older chart versions) ignore the
//! section or apply part of it; this fills in what is missing and never
//! overrides what a template set on purpose.

use super::{ensure_fields, Doc, NodeError, Transform, Want};
use crate::edit::Edits;
use crate::error::Error;
use crate::values::Values;
use crate::workload;

/// Defaults of chart v2.15.1.
const DEFAULT_ID: i64 = 2222;
const FS_GROUP_CHANGE_POLICIES: &[&str] = &["Always", "OnRootMismatch"];

#[derive(Debug, PartialEq)]
pub struct SecurityContext {
    pod: Vec<(&'static str, Want)>,
    container: Vec<(&'static str, Want)>,
}

impl SecurityContext {
    /// `None` unless `securityContext.enabled` is true.
    pub fn from_values(values: &Values) -> Result<Option<Self>, Error> {
        if values.bool("securityContext.enabled")? != Some(true) {
            return Ok(None);
        }
        // `user`/`group` are the names charts before 1.13 used.
        let id = |key: &str, alias: Option<&str>| -> Result<i64, Error> {
            let found = values.int(&format!("securityContext.{key}"))?;
            let old = match alias {
                Some(alias) => values.int(&format!("securityContext.{alias}"))?,
                None => None,
            };
            Ok(found.or(old).unwrap_or(DEFAULT_ID))
        };
        let run_as_non_root = values.bool("securityContext.runAsNonRoot")?.unwrap_or(true);
        let escalation = values.bool("securityContext.allowPrivilegeEscalation")?.unwrap_or(false);
        let mut pod = vec![
            ("runAsUser", Want::Int(id("runAsUser", Some("user"))?)),
            ("runAsGroup", Want::Int(id("runAsGroup", Some("group"))?)),
            ("fsGroup", Want::Int(id("fsGroup", None)?)),
        ];
        if let Some(policy) = values.string("securityContext.fsGroupChangePolicy")? {
            if !FS_GROUP_CHANGE_POLICIES.contains(&policy.as_str()) {
                let at = values.get("securityContext.fsGroupChangePolicy").expect("just read").location();
                return Err(Error::at(at, format!("`securityContext.fsGroupChangePolicy` must be Always or OnRootMismatch, found `{policy}`")));
            }
            pod.push(("fsGroupChangePolicy", Want::Str(policy)));
        }
        pod.push(("runAsNonRoot", Want::Bool(run_as_non_root)));
        let container = vec![("allowPrivilegeEscalation", Want::Bool(escalation)), ("runAsNonRoot", Want::Bool(run_as_non_root))];
        Ok(Some(SecurityContext { pod, container }))
    }
}

impl Transform for SecurityContext {
    fn name(&self) -> &'static str {
        "security-context"
    }

    fn applies_to(&self, kind: &str) -> bool {
        workload::is_workload(kind)
    }

    fn edit(&mut self, doc: &Doc<'_>, edits: &mut Edits, notes: &mut Vec<String>) -> Result<(), NodeError> {
        let Some((pod, pod_path)) = workload::pod_spec(doc.root, doc.kind) else { return Ok(()) };
        for (container, path) in workload::containers(pod, &pod_path) {
            ensure_fields(doc.text, container, &path, "securityContext", &self.container, edits, notes)?;
        }
        ensure_fields(doc.text, pod, &pod_path, "securityContext", &self.pod, edits, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_one, Style};

    fn transform(values: &str) -> SecurityContext {
        let mut v = Values::default();
        v.add_text("values.yaml", values).unwrap();
        SecurityContext::from_values(&v).unwrap().expect("enabled")
    }

    fn run(t: &mut SecurityContext, text: &str) -> (String, Vec<String>) {
        let root = parse_one(text).unwrap().unwrap();
        let kind = root.get("kind").and_then(|k| k.text()).unwrap().to_string();
        let mut edits = Edits::default();
        let mut notes = Vec::new();
        t.edit(&Doc { text, root: &root, kind: &kind, source: None }, &mut edits, &mut notes).unwrap();
        (edits.apply(text), notes)
    }

    const JOB: &str = "kind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: wait\n        image: busybox\n      containers:\n      - name: main\n        image: x\n        securityContext:\n          runAsNonRoot: true\n      restartPolicy: Never\n";

    #[test]
    fn disabled_or_absent_section_builds_nothing() {
        let mut v = Values::default();
        assert!(SecurityContext::from_values(&v).unwrap().is_none());
        v.add_text("v.yaml", "securityContext:\n  enabled: false\n").unwrap();
        assert!(SecurityContext::from_values(&v).unwrap().is_none());
    }

    #[test]
    fn fills_pod_and_every_container_keeping_existing_fields() {
        let (out, notes) = run(&mut transform("securityContext:\n  enabled: true\n"), JOB);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            out,
            "kind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: wait\n        image: busybox\n        securityContext:\n          allowPrivilegeEscalation: false\n          runAsNonRoot: true\n      containers:\n      - name: main\n        image: x\n        securityContext:\n          runAsNonRoot: true\n          allowPrivilegeEscalation: false\n      restartPolicy: Never\n      securityContext:\n        runAsUser: 2222\n        runAsGroup: 2222\n        fsGroup: 2222\n        runAsNonRoot: true\n"
        );
    }

    #[test]
    fn is_idempotent() {
        let mut t = transform("securityContext:\n  enabled: true\n  fsGroupChangePolicy: OnRootMismatch\n");
        let (once, _) = run(&mut t, JOB);
        let (twice, notes) = run(&mut t, &once);
        assert_eq!(once, twice);
        assert!(notes.is_empty());
        assert!(once.contains("fsGroupChangePolicy: OnRootMismatch"));
    }

    #[test]
    fn old_user_group_aliases_are_read_and_new_names_win() {
        let t = transform("securityContext:\n  enabled: true\n  user: 1000\n  group: 3000\n");
        assert_eq!(t.pod[0], ("runAsUser", Want::Int(1000)));
        assert_eq!(t.pod[1], ("runAsGroup", Want::Int(3000)));
        let t = transform("securityContext:\n  enabled: true\n  user: 1000\n  runAsUser: 5000\n");
        assert_eq!(t.pod[0], ("runAsUser", Want::Int(5000)));
    }

    #[test]
    fn conflicts_are_kept_and_reported_once_per_field() {
        let text = "kind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      securityContext:\n        fsGroup: 1001\n        runAsUser: \"1001\"\n      containers:\n      - name: pg\n        securityContext: {allowPrivilegeEscalation: true}\n";
        let (out, notes) = run(&mut transform("securityContext:\n  enabled: true\n"), text);
        assert_eq!(
            notes,
            [
                "spec.template.spec.containers[name=pg].securityContext.allowPrivilegeEscalation is true, not false; kept as the chart set it",
                "spec.template.spec.securityContext.runAsUser is \"1001\", not 2222; kept as the chart set it",
                "spec.template.spec.securityContext.fsGroup is 1001, not 2222; kept as the chart set it",
            ]
        );
        assert!(out.contains("fsGroup: 1001\n        runAsUser: \"1001\"\n        runAsGroup: 2222\n        runAsNonRoot: true\n"), "{out}");
        assert!(out.contains("securityContext: {allowPrivilegeEscalation: true, runAsNonRoot: true}"), "{out}");
    }

    #[test]
    fn a_non_mapping_security_context_is_an_error_at_its_position() {
        let text = "kind: Pod\nspec:\n  securityContext: [1]\n  containers: []\n";
        let root = parse_one(text).unwrap().unwrap();
        let err = transform("securityContext:\n  enabled: true\n")
            .edit(&Doc { text, root: &root, kind: "Pod", source: None }, &mut Edits::default(), &mut Vec::new())
            .unwrap_err();
        assert_eq!((err.line, err.col), (3, 20));
        assert_eq!(err.message, "spec.securityContext must be a mapping, found a list");
    }

    #[test]
    fn bad_values_are_located_errors() {
        let mut v = Values::default();
        v.add_text("v.yaml", "securityContext:\n  enabled: true\n  fsGroupChangePolicy: Sometimes\n").unwrap();
        let err = SecurityContext::from_values(&v).unwrap_err();
        assert!(err.to_string().starts_with("v.yaml:3:24: "), "{err}");
        let mut v = Values::default();
        v.add_set("securityContext.enabled=true", Style::Plain).unwrap();
        v.add_set("securityContext.runAsUser=root", Style::Plain).unwrap();
        assert!(SecurityContext::from_values(&v).is_err());
    }
}
