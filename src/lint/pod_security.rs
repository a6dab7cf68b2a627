//! `lint --pod-security LEVEL`: the values that make the render hold what
//! that Pod Security Standards level forbids (rule X009), reported at their
//! keys for the chart version linted; what the levels forbid and why is in
//! [`crate::knowledge::pod_security`].

use super::cross::locate;
use super::rules::POD_SECURITY_BLOCKER;
use super::written::{user, Written};
use super::{At, Diagnostic, RuleContext};
use crate::knowledge::pod_security::{self as pss, Level, ValuesCause};
use crate::knowledge::read_keys::{
    security_context as sc, ARTIFACTS_STORE, CONNECTIONS, NVIDIA_DIR_KEYS, PERSISTENCE, PERSISTENCE_NAMED_VOLUMES, PERSISTENCE_VOLUMES,
};
use crate::knowledge::ChartName;
use crate::values::settings::{Held, Kind, RunAs, Source, Volume};
use crate::yaml::Node;

pub fn check(ctx: &mut RuleContext<'_>, doc: &Node, level: Level) {
    // An empty document sets nothing, as an empty file (and has no key to report at).
    if doc.entries().is_none_or(|e| e.is_empty()) {
        return;
    }
    let chart = ctx.chart;
    let report = |ctx: &mut RuleContext<'_>, key: &str, at: (&Node, &Node), cause: &ValuesCause, what: String| {
        let at = (key.to_string(), ctx.span(at.0, at.1));
        ctx.push(pod_security_blocker(at, &what, cause, level));
    };
    if pss::default_store_is_host_path(&chart) {
        match user(doc, ARTIFACTS_STORE) {
            Some((k, v)) => {
                if let Some((kk, kv)) = v.entry("kind").filter(|(_, kv)| kv.text() == Some("host_path")) {
                    report(ctx, "artifactsStore.kind", (kk, kv), &pss::HOST_PATH_STORE, "the artifacts store is host_path".into());
                } else if v.get("kind").is_none() && !v.is_map() {
                    report(ctx, "artifactsStore", (k, v), &pss::HOST_PATH_STORE, "artifactsStore is empty".into());
                }
            }
            None if ctx.catalog.chart == ChartName::Platform || ctx.catalog.chart == ChartName::Agent => {
                let what =
                    format!("no artifactsStore: chart {} then renders its default host_path store (/tmp/artifactsStore)", ctx.version());
                ctx.push(pod_security_blocker(locate(ctx, doc, &[]), &what, &pss::HOST_PATH_STORE, level));
            }
            None => {}
        }
        for (i, item) in user(doc, CONNECTIONS).and_then(|(_, v)| v.items()).unwrap_or_default().iter().enumerate() {
            if let Some((k, v)) = item.entry("kind").filter(|(_, v)| v.text() == Some("host_path")) {
                let name = item.get("name").and_then(Node::text).unwrap_or("?").to_string();
                report(
                    ctx,
                    &format!("connections[{i}].kind"),
                    (k, v),
                    &pss::HOST_PATH_CONNECTION,
                    format!("connection `{name}` is host_path"),
                );
            }
        }
    }
    if pss::has_persistence(&chart) {
        for section in PERSISTENCE_VOLUMES {
            let key = format!("{PERSISTENCE}.{section}");
            if let Some((k, v)) = user(doc, &key).filter(|(_, v)| host_path_volume(v)) {
                report(ctx, &key, (k, v), &pss::HOST_PATH_PERSISTENCE, format!("{key} is a host path"));
            }
        }
        for section in PERSISTENCE_NAMED_VOLUMES {
            for (k, v) in user(doc, &format!("{PERSISTENCE}.{section}")).and_then(|(_, v)| v.entries()).unwrap_or_default() {
                if host_path_volume(v) {
                    let key = format!("{PERSISTENCE}.{section}.{}", k.text().unwrap_or("?"));
                    report(ctx, &key, (k, v), &pss::HOST_PATH_PERSISTENCE, format!("{key} is a host path"));
                }
            }
        }
    }
    let written = Written(doc);
    for key in NVIDIA_DIR_KEYS {
        if written.held(key).is_some() {
            let (k, v) = user(doc, key).expect("held");
            report(ctx, key, (k, v), &pss::NVIDIA_DIRS, format!("{key} mounts the host's NVIDIA driver"));
        }
    }
    // Judged on the values as written: `enabled` a boolean, an id the integer 0.
    let run_as = RunAs::read(&written);
    let is = |held: &Option<Held<'_>>, kind: Kind| held.as_ref().is_some_and(|h| h.kind == kind);
    if level == Level::Restricted && is(&run_as.enabled, Kind::Bool(true)) {
        for (key, held) in &run_as.users {
            if is(held, Kind::Int(0)) {
                report(ctx, key, user(doc, key).expect("held"), &pss::ROOT_USER, format!("{key} is 0"));
            }
        }
        for (key, held, bad) in [
            (sc::RUN_AS_NON_ROOT, &run_as.run_as_non_root, false),
            (sc::ALLOW_PRIVILEGE_ESCALATION, &run_as.allow_privilege_escalation, true),
        ] {
            if is(held, Kind::Bool(bad)) {
                report(ctx, key, user(doc, key).expect("held"), &pss::LOOSE_CONTAINER, format!("{key} is {bad}"));
            }
        }
    }
}

/// X009: `what` the values make the render hold, and why `level` forbids it.
fn pod_security_blocker(at: At, what: &str, cause: &ValuesCause, level: Level) -> Diagnostic {
    let message = format!("{what}: {} (--pod-security {level})", cause.problem);
    Diagnostic::new(POD_SECURITY_BLOCKER, at, message).with_help(cause.instead)
}

/// A 0.x persistence volume the chart renders as a `hostPath`.
fn host_path_volume(v: &Node) -> bool {
    v.is_map() && Volume::read(&Written(v)).host_path()
}

#[cfg(test)]
mod tests {
    use crate::knowledge::catalog::Catalog;
    use crate::knowledge::pod_security::Level;

    fn found(text: &str, version: &str, level: Level) -> Vec<(String, usize)> {
        let target = Catalog::get().resolve(version).unwrap();
        super::super::lint_text_for(text, target, Some(level))
            .unwrap()
            .into_iter()
            .filter(|d| d.code == "X009")
            .map(|d| (d.key, d.span.line))
            .collect()
    }

    #[test]
    fn each_key_that_makes_a_level_impossible_is_reported_at_it() {
        let text = "artifactsStore:\n  name: store\n  kind: host_path\n  schema: {hostPath: /data, mountPath: /data}\nconnections:\n- name: ok\n  kind: volume_claim\n- name: scratch\n  kind: host_path\ndirs:\n  nvidia:\n    lib: /usr/lib/nvidia\nsecurityContext:\n  enabled: true\n  runAsUser: 0\n  runAsNonRoot: false\n";
        assert_eq!(
            found(text, "2.15.1", Level::Restricted),
            [
                ("artifactsStore.kind".to_string(), 3),
                ("connections[1].kind".to_string(), 9),
                ("dirs.nvidia.lib".to_string(), 12),
                ("securityContext.runAsUser".to_string(), 15),
                ("securityContext.runAsNonRoot".to_string(), 16)
            ]
        );
        // Baseline admits root and the rest of the container settings.
        assert_eq!(found(text, "2.15.1", Level::Baseline).len(), 3);
        // No store at all: the chart's default is a host path.
        assert_eq!(found("gateway:\n  replicas: 2\n", "2.15.1", Level::Baseline), [("gateway".to_string(), 1)]);
        assert_eq!(found("{}\n", "2.15.1", Level::Baseline), []);
        assert_eq!(found("artifactsStore:\n  name: s\n  kind: volume_claim\n", "1.10.1", Level::Restricted), []);
        // 0.x: persistence without a claim or store.
        let old = "persistence:\n  logs:\n    mountPath: /logs\n  data:\n    d1:\n      existingClaim: c\n    d2:\n      hostPath: /d2\n";
        assert_eq!(found(old, "0.5.6", Level::Baseline), [("persistence.logs".to_string(), 2), ("persistence.data.d2".to_string(), 7)]);
    }
}
