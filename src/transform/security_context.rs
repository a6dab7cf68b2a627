//! `securityContext` as each chart version means it ([`SecurityModel`]):
//! on Polyaxon's own workloads the fields that version's templates render,
//! and in its main ConfigMap the `POLYAXON_SECURITY_CONTEXT_USER/GROUP`
//! settings that give the runs Polyaxon starts their uid and gid. With
//! `--security-scope all`, subchart containers also get the fields that
//! cannot change who their processes run as.
//!
//! Nothing a template set is overwritten (another value is kept and
//! reported), and no pod or container is left with settings the kubelet
//! refuses: no `runAsNonRoot: true` where the effective user is root, no
//! `allowPrivilegeEscalation: false` on a privileged container.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::settings::{data_section, set_data};
use super::{ensure_fields, Doc, Facts, NewDocument, SecurityScope, Transform, Wanted};
use crate::edit::{Editor, NodeError};
use crate::error::Error;
use crate::knowledge::{security_skipped_components, setting_names as names, SecurityModel, CONFIG_MAP_MARKER};
use crate::values::settings::{self, Settings};
use crate::workload::{self, is_privileged, run_as_user, sc_field, Owner};
use crate::yaml::{Node, Scalar};

#[derive(Debug)]
pub struct SecurityContext {
    model: SecurityModel,
    scope: SecurityScope,
    pod: Vec<(&'static str, Wanted)>,
    container: Vec<(&'static str, Wanted)>,
    /// `POLYAXON_SECURITY_CONTEXT_*` for the main ConfigMap.
    config: Vec<(&'static str, String)>,
    /// Documents changed, for the Helm 3 hooks note.
    changed: usize,
    chart: String,
}

impl SecurityContext {
    /// `None` unless the settings turn the security context on.
    pub fn from_settings(settings: &Settings<'_>, scope: SecurityScope) -> Result<Option<Self>, Error> {
        let Some(sc) = settings.security_context()? else {
            return Ok(None);
        };
        let config = |user: i64, group: i64| {
            vec![(names::SECURITY_CONTEXT_USER, user.to_string()), (names::SECURITY_CONTEXT_GROUP, group.to_string())]
        };
        let (model, pod, container, config) = match sc {
            settings::SecurityContext::Absent => (SecurityModel::None, Vec::new(), Vec::new(), Vec::new()),
            settings::SecurityContext::FsGroup { user, group } => {
                (SecurityModel::FsGroup, vec![("fsGroup", Wanted::Int(group))], Vec::new(), config(user, group))
            }
            settings::SecurityContext::Full(sc) => {
                let mut pod =
                    vec![("runAsUser", Wanted::Int(sc.uid)), ("runAsGroup", Wanted::Int(sc.gid)), ("fsGroup", Wanted::Int(sc.fs_group))];
                pod.extend(sc.fs_group_change_policy.map(|p| ("fsGroupChangePolicy", Wanted::Str(p))));
                let container = vec![
                    ("allowPrivilegeEscalation", Wanted::Bool(sc.allow_privilege_escalation)),
                    ("runAsNonRoot", Wanted::Bool(sc.run_as_non_root)),
                ];
                (SecurityModel::Full, pod, container, config(sc.run_as_user, sc.run_as_group))
            }
        };
        let chart = settings.chart.map_or_else(|| "the chart".to_string(), |c| format!("chart {c}"));
        Ok(Some(SecurityContext { model, scope, pod, container, config, changed: 0, chart }))
    }

    /// Container fields for one container (into `wants`), leaving out what would contradict
    /// its effective settings (container field, else pod field, else what
    /// this transform adds to the pod).
    fn container_wants(
        &self,
        pod: &Node,
        container: &Node,
        path: &dyn std::fmt::Display,
        subchart: bool,
        wants: &mut Vec<(&'static str, Wanted)>,
        notes: &mut Vec<String>,
    ) {
        // What this transform adds to the pod counts as set (not on subcharts, whose pods it leaves).
        let added_uid = || match sc_field(pod, "runAsUser") {
            Some(Scalar::Int(_)) => None,
            _ if subchart => None,
            _ => self.pod.iter().find_map(|(k, w)| match (k, w) {
                (&"runAsUser", Wanted::Int(n)) => Some(*n),
                _ => None,
            }),
        };
        let uid = run_as_user(pod, container).or_else(added_uid);
        let privileged = is_privileged(container);
        wants.clear();
        for (key, want) in &self.container {
            match (*key, want) {
                ("runAsNonRoot", Wanted::Bool(true)) if uid == Some(0) => {
                    notes.push(format!(
                        "{path} runs as root (runAsUser: 0), so runAsNonRoot is not added (the kubelet would refuse to start it)"
                    ));
                }
                // A subchart's image decides its user: only a known non-root one is pinned.
                ("runAsNonRoot", Wanted::Bool(true)) if subchart && uid.is_none() => {}
                ("allowPrivilegeEscalation", Wanted::Bool(false)) if privileged => {
                    notes.push(format!("{path} is privileged or adds CAP_SYS_ADMIN, so allowPrivilegeEscalation: false is not added (Kubernetes rejects the combination)"));
                }
                _ => wants.push((*key, want.clone())),
            }
        }
    }
}

impl SecurityContext {
    fn skipped(&self, doc: &Doc<'_>) -> bool {
        let skipped = doc.facts.chart.as_ref().map_or(&[][..], security_skipped_components);
        workload::component(doc.root, doc.facts.fullname.as_deref()).is_some_and(|c| skipped.contains(&c))
    }
}

impl Transform for SecurityContext {
    fn name(&self) -> &'static str {
        "security-context"
    }

    fn applies_to(&self, kind: &str) -> bool {
        self.model != SecurityModel::None && (kind == "ConfigMap" || workload::is_workload(kind))
    }

    /// Of the ConfigMaps, only the main one is edited (its data holds the
    /// marker key): one whose text does not spell the key, not even with an
    /// escape sequence, is not read (half of a workload-dense stream).
    fn reads(&self, kind: &str, text: &str) -> bool {
        static MARKER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(CONFIG_MAP_MARKER));
        kind != "ConfigMap" || MARKER.find(text.as_bytes()).is_some() || memchr::memchr(b'\\', text.as_bytes()).is_some()
    }

    fn edit<'n>(&mut self, doc: &Doc<'n>, editor: &mut Editor<'n>, notes: &mut Vec<String>) -> Result<(), NodeError> {
        let subchart = match doc.owner {
            Owner::Polyaxon => false,
            Owner::Subchart(_) if self.scope == SecurityScope::All => true,
            Owner::Subchart(_) => return Ok(()),
        };
        if doc.kind == "ConfigMap" {
            if let Some(data) = data_section(doc.root).filter(|d| !subchart && d.get(CONFIG_MAP_MARKER).is_some()) {
                for (key, value) in &self.config {
                    set_data(editor, data, key, value)?;
                }
            }
        } else if !subchart && self.skipped(doc) {
            // As the chart renders it: without a security context.
        } else if let Some((pod, pod_path)) = workload::pod_spec(doc.root, doc.kind)? {
            // One list for every container's wants.
            let mut wants = Vec::with_capacity(self.container.len());
            for (container, path) in workload::checked_container_paths(pod, &pod_path) {
                self.container_wants(pod, container, &path, subchart, &mut wants, notes);
                ensure_fields(editor, container, &path, "securityContext", &wants, notes)?;
            }
            if !subchart {
                ensure_fields(editor, pod, &pod_path, "securityContext", &self.pod, notes)?;
            }
        }
        if !editor.is_empty() {
            self.changed += 1;
        }
        Ok(())
    }

    fn finish(&mut self, facts: &Facts, notes: &mut Vec<String>) -> Result<Vec<NewDocument>, Error> {
        if self.model == SecurityModel::None {
            notes.push(format!(
                "security-context: {} has no securityContext (it came in 0.5.0) and its platform images start as root and drop privileges themselves, so nothing was changed",
                self.chart
            ));
        } else if facts.hooks_hidden && self.changed > 0 {
            notes.push(crate::transform::HOOKS_HIDDEN_NOTE.replace("{transform}", "security-context"));
        }
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::ChartVersion;
    use crate::transform::test_support::{facts_for, run_one, values};

    fn transform(values_text: &str, chart: &str, scope: SecurityScope) -> SecurityContext {
        let facts = facts_for(chart);
        SecurityContext::from_settings(&Settings::new(&values(values_text), facts.chart), scope).unwrap().expect("enabled")
    }

    #[test]
    fn disabled_or_absent_section_builds_nothing() {
        let facts = facts_for("polyaxon-2.15.1");
        assert!(SecurityContext::from_settings(&Settings::new(&values("{}"), facts.chart), SecurityScope::Polyaxon).unwrap().is_none());
        assert!(SecurityContext::from_settings(
            &Settings::new(&values("securityContext:\n  enabled: false\n"), facts.chart),
            SecurityScope::Polyaxon
        )
        .unwrap()
        .is_none());
    }

    #[test]
    fn each_chart_version_gets_what_its_templates_render() {
        let on = "securityContext:\n  enabled: true\n";
        let full = transform(on, "polyaxon-2.15.1", SecurityScope::Polyaxon);
        assert_eq!(full.pod, [("runAsUser", Wanted::Int(2222)), ("runAsGroup", Wanted::Int(2222)), ("fsGroup", Wanted::Int(2222))]);
        assert_eq!(full.container, [("allowPrivilegeEscalation", Wanted::Bool(false)), ("runAsNonRoot", Wanted::Bool(true))]);
        let old = transform("securityContext:\n  enabled: true\n  group: 3000\n", "polyaxon-1.10.1", SecurityScope::Polyaxon);
        assert_eq!(old.pod, [("fsGroup", Wanted::Int(3000))]);
        assert!(old.container.is_empty());
        assert_eq!(old.config[1], ("POLYAXON_SECURITY_CONTEXT_GROUP", "3000".to_string()));
        let none = transform(on, "polyaxon-0.4.4", SecurityScope::Polyaxon);
        assert!(!none.applies_to("Deployment"));
        let _ = ChartVersion::from_label("polyaxon-0.4.4");
    }

    #[test]
    fn user_and_group_win_over_run_as_like_the_template() {
        let t =
            transform("securityContext:\n  enabled: true\n  user: 1000\n  runAsUser: 5000\n", "polyaxon-2.15.1", SecurityScope::Polyaxon);
        assert_eq!(t.pod[0], ("runAsUser", Wanted::Int(1000)));
        // The ConfigMap takes runAsUser, as the chart's common-cm.yaml does.
        assert_eq!(t.config[0], ("POLYAXON_SECURITY_CONTEXT_USER", "5000".to_string()));
    }

    #[test]
    fn root_with_run_as_non_root_is_a_located_error() {
        let facts = facts_for("polyaxon-2.15.1");
        let err = SecurityContext::from_settings(
            &Settings::new(&values("securityContext:\n  enabled: true\n  runAsUser: 0\n"), facts.chart),
            SecurityScope::Polyaxon,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("values.yaml:3:14: runAsNonRoot is true but the user id is 0"), "{err}");
    }

    const POSTGRES: &str = r#"kind: StatefulSet
metadata:
  name: pax-postgresql
  labels:
    chart: postgresql-8.2.1
spec:
  template:
    spec:
      securityContext:
        fsGroup: 1001
      initContainers:
      - name: init-chmod-data
        securityContext:
          runAsUser: 0
      containers:
      - name: pax-postgresql
        securityContext:
          runAsUser: 1001
      - name: metrics
        image: exporter
"#;

    #[test]
    fn subcharts_are_left_alone_unless_asked_and_then_never_change_identity() {
        let facts = facts_for("polyaxon-1.10.1");
        let mut own = transform("securityContext:\n  enabled: true\n", "polyaxon-2.15.1", SecurityScope::Polyaxon);
        let (out, _) = run_one(&mut own, POSTGRES, &facts);
        assert_eq!(out, POSTGRES);
        let mut all = transform("securityContext:\n  enabled: true\n", "polyaxon-2.15.1", SecurityScope::All);
        let (out, notes) = run_one(&mut all, POSTGRES, &facts);
        assert_eq!(
            out,
            r#"kind: StatefulSet
metadata:
  name: pax-postgresql
  labels:
    chart: postgresql-8.2.1
spec:
  template:
    spec:
      securityContext:
        fsGroup: 1001
      initContainers:
      - name: init-chmod-data
        securityContext:
          runAsUser: 0
          allowPrivilegeEscalation: false
      containers:
      - name: pax-postgresql
        securityContext:
          runAsUser: 1001
          allowPrivilegeEscalation: false
          runAsNonRoot: true
      - name: metrics
        image: exporter
        securityContext:
          allowPrivilegeEscalation: false
"#
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("initContainers[name=init-chmod-data] runs as root"), "{notes:?}");
    }

    const JOB: &str = r#"kind: Job
metadata:
  name: j
spec:
  template:
    spec:
      initContainers:
      - name: wait
        image: busybox
        securityContext:
          runAsUser: 0
      containers:
      - name: main
        image: x
        securityContext:
          runAsNonRoot: true
      - name: dind
        securityContext: {privileged: true}
      restartPolicy: Never
"#;

    #[test]
    fn fills_polyaxon_pods_without_contradictions_and_is_idempotent() {
        let facts = facts_for("polyaxon-2.15.1");
        let mut t = transform(
            "securityContext:\n  enabled: true\n  fsGroupChangePolicy: OnRootMismatch\n",
            "polyaxon-2.15.1",
            SecurityScope::Polyaxon,
        );
        let (once, notes) = run_one(&mut t, JOB, &facts);
        assert_eq!(
            once,
            r#"kind: Job
metadata:
  name: j
spec:
  template:
    spec:
      initContainers:
      - name: wait
        image: busybox
        securityContext:
          runAsUser: 0
          allowPrivilegeEscalation: false
      containers:
      - name: main
        image: x
        securityContext:
          runAsNonRoot: true
          allowPrivilegeEscalation: false
      - name: dind
        securityContext: {privileged: true, runAsNonRoot: true}
      restartPolicy: Never
      securityContext:
        runAsUser: 2222
        runAsGroup: 2222
        fsGroup: 2222
        fsGroupChangePolicy: OnRootMismatch
"#
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
        let (twice, _) = run_one(&mut t, &once, &facts);
        assert_eq!(once, twice);
    }

    #[test]
    fn conflicts_are_kept_and_reported_once_per_field() {
        let facts = facts_for("polyaxon-2.15.1");
        let text = "kind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      securityContext:\n        fsGroup: 1001\n        runAsUser: \"1001\"\n      containers:\n      - name: pg\n        securityContext: {allowPrivilegeEscalation: true}\n";
        let mut t = transform("securityContext:\n  enabled: true\n", "polyaxon-2.15.1", SecurityScope::Polyaxon);
        let (out, notes) = run_one(&mut t, text, &facts);
        assert_eq!(
            notes,
            [
                "spec.template.spec.containers[name=pg].securityContext.allowPrivilegeEscalation is true, not false; kept as the chart set it",
                "spec.template.spec.securityContext.runAsUser is \"1001\", not 2222; kept as the chart set it",
                "spec.template.spec.securityContext.fsGroup is 1001, not 2222; kept as the chart set it",
            ]
        );
        assert!(out.contains("fsGroup: 1001\n        runAsUser: \"1001\"\n        runAsGroup: 2222\n"), "{out}");
        assert!(out.contains("securityContext: {allowPrivilegeEscalation: true, runAsNonRoot: true}"), "{out}");
    }

    #[test]
    fn the_main_config_map_tells_polyaxon() {
        let facts = facts_for("polyaxon-1.10.1");
        let cm = "kind: ConfigMap\nmetadata:\n  name: pax-polyaxon-config\ndata:\n  POLYAXON_K8S_NAMESPACE: \"polyaxon\"\n";
        let mut t = transform("securityContext:\n  enabled: true\n", "polyaxon-1.10.1", SecurityScope::Polyaxon);
        let (out, _) = run_one(&mut t, cm, &facts);
        assert_eq!(out, format!("{cm}  POLYAXON_SECURITY_CONTEXT_USER: \"2222\"\n  POLYAXON_SECURITY_CONTEXT_GROUP: \"2222\"\n"));
    }
}
