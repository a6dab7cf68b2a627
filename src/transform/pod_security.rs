//! `--pod-security baseline|restricted`: makes every workload pod admissible
//! under that level of the Pod Security Standards
//! ([`crate::knowledge::pod_security`]) by filling in what the level
//! requires and the chart left out, never by overwriting what it set.
//!
//! It runs last, so it sees what the other transforms wrote (the security
//! contexts of `securityContext.enabled`, the GPU transform's hostPath
//! mounts). A pod holding what the level forbids cannot be fixed by adding
//! fields: on Polyaxon's own workloads that is an error at the object (a
//! warning with `--pod-security-mode warn`), naming the field and the
//! values key to change. Subchart pods are only checked, unless
//! `--security-scope all`, which fills them where nothing stands in the way
//! and otherwise says per pod why not.

use super::gpu::PARTS;
use super::{ensure_fields, Doc, Facts, NewDocument, SecurityScope, Transform, Wanted};
use crate::edit::{Editor, Fragment, MapRef, NodeError};
use crate::error::{Error, Location};
use crate::knowledge::pod_security::{self as pss, Level, ValuesCause};
use crate::values::settings::Settings;
use crate::workload::{self, is_privileged, run_as_user, sc_field, Owner};
use crate::yaml::{Node, Scalar};

/// What the user should know about the pods Polyaxon starts itself.
pub const SPAWNED_RUNS_NOTE: &str = "pod-security: the pods of the runs Polyaxon starts (jobs, services, notebooks, tensorboards) are created by its operator at run time, not by this render, so no chart value or post-renderer reaches them: set their `environment.securityContext` (runAsNonRoot, runAsUser, seccompProfile: {type: RuntimeDefault}) and each container's securityContext (allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}) in your polyaxonfiles or a preset, or run them in a namespace with a looser level";

#[derive(Debug)]
pub struct PodSecurity {
    level: Level,
    /// `--pod-security-mode warn`: report, write the output anyway.
    warn: bool,
    scope: SecurityScope,
    /// Volume names and the values that render them.
    causes: Vec<(String, &'static ValuesCause, Option<String>)>,
    /// Where `securityContext.runAsUser`/`user` 0 was set, for the root case.
    root_at: Option<String>,
    chart_1x: bool,
    changed: usize,
}

/// One thing a pod holds that the level forbids.
struct Violation<'n> {
    node: &'n Node,
    field: String,
    problem: String,
    /// What to change in the values, for Polyaxon's own workloads.
    fix: Option<String>,
}

impl PodSecurity {
    pub fn new(level: Level, warn: bool, scope: SecurityScope, settings: &Settings<'_>) -> PodSecurity {
        let storage = settings.storage();
        let chart_1x = settings.chart.as_ref().is_none_or(pss::default_store_is_host_path);
        let shown = |at: Option<Location>| at.map(|l| l.to_string());
        let (store_name, store_at) = storage.artifacts_store;
        let mut causes = vec![(store_name, &pss::HOST_PATH_STORE, shown(store_at))];
        causes.extend(storage.connections.into_iter().map(|(name, at)| (name, &pss::HOST_PATH_CONNECTION, shown(Some(at)))));
        for (part, at) in PARTS.iter().zip(storage.nvidia_dirs) {
            causes.push((format!("nvidia-{part}"), &pss::NVIDIA_DIRS, shown(at)));
        }
        let root_at = storage.root_user.map(|(key, at)| format!("`{key}: 0` ({at})"));
        PodSecurity { level, warn, scope, causes, root_at, chart_1x, changed: 0 }
    }

    /// What to change in the values for a hostPath volume of Polyaxon's.
    fn volume_fix(&self, name: &str) -> String {
        if let Some((_, cause, at)) = self.causes.iter().find(|(n, _, _)| n == name) {
            let at = match at {
                Some(l) => format!(" (set at {l})"),
                None if cause.key == pss::HOST_PATH_STORE.key => " is unset, so the chart renders its default host_path store".into(),
                None => String::new(),
            };
            return format!("{}{at}: {}", cause.key, cause.instead);
        }
        if !self.chart_1x {
            let cause = &pss::HOST_PATH_PERSISTENCE;
            return format!("{}: {}", cause.key, cause.instead);
        }
        "no Polyaxon value renders it; remove it from the chart or keep this workload out of the namespace".into()
    }

    /// Everything the pod holds that the level forbids, field by field.
    fn violations<'n>(&self, pod: &'n Node, pod_path: &str, containers: &[(&'n Node, String)], own: bool) -> Vec<Violation<'n>> {
        let mut out = Vec::new();
        let mut push = |node: &'n Node, field: String, problem: &str, fix: Option<String>| {
            out.push(Violation { node, field, problem: problem.to_string(), fix: fix.filter(|_| own) });
        };
        let restricted = self.level == Level::Restricted;
        for key in pss::HOST_NAMESPACES {
            if let Some(v) = pod.get(key).filter(|v| v.scalar() == Some(Scalar::Bool(true))) {
                push(v, format!("{pod_path}.{key}"), "host namespaces are forbidden (baseline)", None);
            }
        }
        for (volume, i) in pod.get("volumes").and_then(Node::items).unwrap_or_default().iter().zip(0..) {
            let name = volume.get("name").and_then(Node::text).map_or(i.to_string(), |n| format!("name={n}"));
            let vpath = format!("{pod_path}.volumes[{name}]");
            let source = volume.entries().unwrap_or_default().iter().filter_map(|(k, _)| k.text()).find(|k| *k != "name");
            if let Some(host) = volume.get("hostPath") {
                let fix = self.volume_fix(volume.get("name").and_then(Node::text).unwrap_or_default());
                push(host, format!("{vpath}.hostPath"), "hostPath volumes are forbidden (baseline)", Some(fix));
            } else if let Some(source) = source.filter(|s| restricted && !pss::RESTRICTED_VOLUMES.contains(s)) {
                let problem = format!("{source} volumes are forbidden (restricted allows {})", pss::RESTRICTED_VOLUMES.join(", "));
                push(volume, format!("{vpath}.{source}"), &problem, None);
            }
        }
        let pod_sc = pod.get("securityContext");
        if let Some(sc) = pod_sc {
            self.security_context(sc, &format!("{pod_path}.securityContext"), true, &mut push);
            for (sysctl, i) in sc.get("sysctls").and_then(Node::items).unwrap_or_default().iter().zip(0..) {
                if let Some(name) = sysctl.get("name").and_then(Node::text).filter(|n| !pss::SAFE_SYSCTLS.contains(n)) {
                    push(
                        sysctl,
                        format!("{pod_path}.securityContext.sysctls[{i}]"),
                        &format!("sysctl {name} is not in the safe set (baseline)"),
                        None,
                    );
                }
            }
        }
        let pod_non_root = sc_field(pod, "runAsNonRoot") == Some(Scalar::Bool(true));
        for (c, path) in containers {
            if let Some(sc) = c.get("securityContext") {
                self.security_context(sc, &format!("{path}.securityContext"), false, &mut push);
            }
            for (port, i) in c.get("ports").and_then(Node::items).unwrap_or_default().iter().zip(0..) {
                if let Some(hp) = port.get("hostPort").filter(|p| !matches!(p.scalar(), Some(Scalar::Int(0) | Scalar::Null))) {
                    push(hp, format!("{path}.ports[{i}].hostPort"), "host ports are forbidden (baseline)", None);
                }
            }
            if restricted && run_as_user(pod, c) == Some(0) {
                let at = c.path(&["securityContext", "runAsUser"]).or_else(|| pod.path(&["securityContext", "runAsUser"])).unwrap_or(c);
                let fix = format!(
                    "{}: {}{}",
                    pss::ROOT_USER.key,
                    pss::ROOT_USER.instead,
                    self.root_at.as_ref().map_or_else(String::new, |a| format!(", not {a}"))
                );
                push(
                    at,
                    format!("{path}.securityContext.runAsUser"),
                    "the container runs as root (runAsUser: 0), which restricted forbids",
                    Some(fix),
                );
            } else if restricted && !pod_non_root && sc_field(c, "runAsNonRoot") == Some(Scalar::Bool(false)) {
                let at = c.path(&["securityContext", "runAsNonRoot"]).unwrap_or(c);
                push(
                    at,
                    format!("{path}.securityContext.runAsNonRoot"),
                    "runAsNonRoot: false is forbidden (restricted)",
                    Some(format!("securityContext.runAsNonRoot: {}", pss::LOOSE_CONTAINER.instead)),
                );
            }
        }
        out
    }

    /// The checks of one pod or container `securityContext`.
    fn security_context<'n>(&self, sc: &'n Node, path: &str, pod: bool, push: &mut impl FnMut(&'n Node, String, &str, Option<String>)) {
        let restricted = self.level == Level::Restricted;
        let bool_is = |key: &str, b: bool| sc.get(key).filter(|v| v.scalar() == Some(Scalar::Bool(b)));
        if let Some(v) = bool_is("privileged", true) {
            push(v, format!("{path}.privileged"), "privileged containers are forbidden (baseline)", None);
        }
        if let Some(v) = sc.path(&["windowsOptions", "hostProcess"]).filter(|v| v.scalar() == Some(Scalar::Bool(true))) {
            push(v, format!("{path}.windowsOptions.hostProcess"), "HostProcess pods are forbidden (baseline)", None);
        }
        if let Some(v) = sc.get("procMount").filter(|v| v.text().is_some_and(|t| t != "Default")) {
            push(v, format!("{path}.procMount"), "only the Default /proc mount is allowed (baseline)", None);
        }
        for (key, allowed, strict) in [("seccompProfile", pss::SECCOMP_TYPES, restricted), ("appArmorProfile", pss::APPARMOR_TYPES, true)] {
            if let Some(t) =
                sc.path(&[key, "type"]).filter(|t| t.text().is_some_and(|t| !allowed.contains(&t) && (strict || t == "Unconfined")))
            {
                let problem = format!(
                    "{key}.type {} is forbidden ({} allows {})",
                    t.text().unwrap_or_default(),
                    if strict { self.level } else { Level::Baseline },
                    allowed.join(", ")
                );
                push(t, format!("{path}.{key}.type"), &problem, None);
            }
        }
        if let Some(se) = sc.get("seLinuxOptions") {
            if let Some(t) = se.get("type").filter(|t| t.text().is_some_and(|t| !t.is_empty() && !pss::SELINUX_TYPES.contains(&t))) {
                push(t, format!("{path}.seLinuxOptions.type"), "this SELinux type is forbidden (baseline)", None);
            }
            for key in ["user", "role"] {
                if let Some(v) = se.get(key).filter(|v| v.text().is_some_and(|t| !t.is_empty())) {
                    push(v, format!("{path}.seLinuxOptions.{key}"), "custom SELinux users and roles are forbidden (baseline)", None);
                }
            }
        }
        if pod {
            return;
        }
        if let Some(v) = bool_is("allowPrivilegeEscalation", true).filter(|_| restricted) {
            let fix = format!("securityContext.allowPrivilegeEscalation: {}", pss::LOOSE_CONTAINER.instead);
            push(v, format!("{path}.allowPrivilegeEscalation"), "allowPrivilegeEscalation: true is forbidden (restricted)", Some(fix));
        }
        let allowed = if restricted { pss::RESTRICTED_CAPABILITIES } else { pss::BASELINE_CAPABILITIES };
        for cap in sc.path(&["capabilities", "add"]).and_then(Node::items).unwrap_or_default() {
            if let Some(name) = cap.text().filter(|c| !allowed.contains(&c.trim_start_matches("CAP_"))) {
                push(
                    cap,
                    format!("{path}.capabilities.add"),
                    &format!("adding capability {name} is forbidden ({} allows {})", self.level, allowed.join(", ")),
                    None,
                );
            }
        }
    }

    /// Adds what the level requires and the pod lacks.
    fn fill<'n>(&self, editor: &mut Editor<'n>, pod: &'n Node, pod_path: &str, containers: &[(&'n Node, String)]) -> Result<(), NodeError> {
        let fill = self.level.fill();
        let mut notes = Vec::new();
        for (c, path) in containers {
            // Never what the kubelet or the API server would refuse (reported as violations instead).
            let mut wants = Vec::new();
            if fill.no_privilege_escalation && !is_privileged(c) {
                wants.push(("allowPrivilegeEscalation", Wanted::Bool(false)));
            }
            if fill.run_as_non_root && run_as_user(pod, c) != Some(0) && sc_field(pod, "runAsNonRoot") != Some(Scalar::Bool(true)) {
                wants.push(("runAsNonRoot", Wanted::Bool(true)));
            }
            ensure_fields(editor, c, path, "securityContext", &wants, &mut notes)?;
            if fill.drop_all {
                let drop = c.path(&["securityContext", "capabilities", "drop"]).and_then(Node::items).unwrap_or_default();
                if !drop.iter().any(|d| d.text() == Some("ALL")) {
                    let sc = editor.ensure_map(MapRef::Node(c), "securityContext", &format!("{path}.securityContext"))?;
                    let caps = editor.ensure_map(sc, "capabilities", &format!("{path}.securityContext.capabilities"))?;
                    let list = editor.ensure_seq(caps, "drop", &format!("{path}.securityContext.capabilities.drop"))?;
                    editor.append(list, Fragment::str("ALL"));
                }
            }
        }
        let everyone_has_seccomp = containers.iter().all(|(c, _)| c.path(&["securityContext", "seccompProfile", "type"]).is_some());
        if fill.seccomp_runtime_default && pod.path(&["securityContext", "seccompProfile"]).is_none() && !everyone_has_seccomp {
            let sc = editor.ensure_map(MapRef::Node(pod), "securityContext", &format!("{pod_path}.securityContext"))?;
            editor.add(sc, "seccompProfile", Fragment::map([("type", Fragment::str("RuntimeDefault"))]))?;
        }
        debug_assert!(notes.is_empty(), "violations are found before filling: {notes:?}");
        Ok(())
    }
}

impl Transform for PodSecurity {
    fn name(&self) -> &'static str {
        "pod-security"
    }

    fn applies_to(&self, kind: &str) -> bool {
        workload::is_workload(kind)
    }

    fn edit<'n>(&mut self, doc: &Doc<'n>, editor: &mut Editor<'n>, notes: &mut Vec<String>) -> Result<(), NodeError> {
        let Some((pod, pod_path)) = workload::pod_spec(doc.root, doc.kind)? else {
            return Ok(());
        };
        let containers = workload::containers_and_ephemeral(pod, &pod_path)?;
        let own = doc.owner == Owner::Polyaxon;
        let found = self.violations(pod, &pod_path, &containers, own);
        let object = format!("{}/{}", doc.kind, crate::text::sanitize(workload::name(doc.root)));
        let say = |v: &Violation<'_>| {
            let fix = v.fix.as_ref().map_or_else(String::new, |f| format!("; in the values: {f}"));
            format!("{}: {}{fix}", v.field, v.problem)
        };
        if !found.is_empty() {
            let list: Vec<String> = found.iter().map(say).collect();
            if own && !self.warn {
                return Err(NodeError::at(
                    found[0].node,
                    format!("{object} cannot be admitted under the {} Pod Security Standard: {}", self.level, list.join("; ")),
                ));
            }
            let whose = if own { String::new() } else { format!(" ({}'s; left as the subchart renders it)", subchart(doc)) };
            notes.push(format!("not admissible under the {} Pod Security Standard{whose}: {}", self.level, list.join("; ")));
            if !own {
                return Ok(());
            }
        }
        if !own {
            // A subchart's image decides its user: only a known non-root one may be pinned.
            let unknown: Vec<&str> = containers.iter().filter(|(c, _)| run_as_user(pod, c).is_none()).map(|(_, p)| p.as_str()).collect();
            let missing = self.missing(pod, &containers);
            if missing.is_empty() {
                return Ok(());
            }
            if self.scope != SecurityScope::All {
                notes.push(format!(
                    "{} lacks what the {} Pod Security Standard requires ({}); --security-scope all fills it where that is safe",
                    subchart(doc),
                    self.level,
                    missing.join(", ")
                ));
                return Ok(());
            }
            if self.level == Level::Restricted && !unknown.is_empty() && sc_field(pod, "runAsNonRoot") != Some(Scalar::Bool(true)) {
                notes.push(format!(
                    "left as {} renders it: {} set no runAsUser, so its image decides the user and runAsNonRoot cannot be added safely (the pod still lacks {})",
                    subchart(doc),
                    unknown.join(", "),
                    missing.join(", ")
                ));
                return Ok(());
            }
        }
        self.fill(editor, pod, &pod_path, &containers)?;
        if !editor.is_empty() {
            self.changed += 1;
        }
        Ok(())
    }

    fn finish(&mut self, facts: &Facts, notes: &mut Vec<String>) -> Result<Vec<NewDocument>, Error> {
        if facts.hooks_hidden && self.changed > 0 {
            notes.push(crate::transform::HOOKS_HIDDEN_NOTE.replace("{transform}", "pod-security"));
        }
        notes.push(SPAWNED_RUNS_NOTE.to_string());
        Ok(Vec::new())
    }
}

impl PodSecurity {
    /// The required fields a pod lacks, for messages.
    fn missing(&self, pod: &Node, containers: &[(&Node, String)]) -> Vec<String> {
        if self.level != Level::Restricted {
            return Vec::new();
        }
        let mut out = Vec::new();
        let pod_seccomp = pod.path(&["securityContext", "seccompProfile"]).is_some();
        let pod_non_root = sc_field(pod, "runAsNonRoot") == Some(Scalar::Bool(true));
        for (c, path) in containers {
            let mut lacks = Vec::new();
            if sc_field(c, "allowPrivilegeEscalation").is_none() {
                lacks.push("allowPrivilegeEscalation");
            }
            if !pod_non_root && sc_field(c, "runAsNonRoot").is_none() {
                lacks.push("runAsNonRoot");
            }
            if !pod_seccomp && c.path(&["securityContext", "seccompProfile"]).is_none() {
                lacks.push("seccompProfile");
            }
            if !c
                .path(&["securityContext", "capabilities", "drop"])
                .and_then(Node::items)
                .unwrap_or_default()
                .iter()
                .any(|d| d.text() == Some("ALL"))
            {
                lacks.push("capabilities.drop: [ALL]");
            }
            if !lacks.is_empty() {
                out.push(format!("{path}: {}", lacks.join(", ")));
            }
        }
        out
    }
}

fn subchart(doc: &Doc<'_>) -> String {
    match doc.owner {
        Owner::Subchart(name) => format!("the {} subchart", crate::text::sanitize(name)),
        Owner::Polyaxon => "Polyaxon".into(),
    }
}
