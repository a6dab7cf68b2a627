//! Polyaxon's DNS settings from `dns.backend`, `dns.prefix` and
//! `dns.customCluster`.
//!
//! Charts 0.4.3 to 1.12.2 test `dns.POLYAXON_DNS_PREFIX` instead of
//! `dns.prefix`, so a user's prefix never reaches Polyaxon; and a prefix is
//! needed whenever the backend is not the default. This sets the full set of
//! `POLYAXON_DNS_*` settings wherever the chart renders any of them: ConfigMap
//! data (1.x, 2.x) or container env (0.x).

use super::settings::{data_section, data_value, env_names, env_value, set_data, set_env, EnvValue};
use super::{Doc, NodeError, Transform};
use crate::edit::Edits;
use crate::error::Error;
use crate::values::Values;
use crate::workload;
use crate::yaml::Node;

const BACKENDS: &[&str] = &["kube-dns", "coredns"];
const DNS_PREFIX: &str = "POLYAXON_DNS_";
const DEFAULT_CLUSTER: &str = "cluster.local";

#[derive(Debug)]
pub struct Dns {
    /// `POLYAXON_DNS_*` settings to write, in order.
    settings: Vec<(&'static str, String)>,
    /// `dns.customCluster` when it is not the default.
    custom_cluster: Option<String>,
    /// How many documents carried DNS settings.
    carriers: usize,
}

impl Dns {
    /// `None` when no `dns.*` key the transform reads is set.
    pub fn from_values(values: &Values) -> Result<Option<Self>, Error> {
        let backend = values.string("dns.backend")?;
        if let Some(b) = &backend {
            if !BACKENDS.contains(&b.as_str()) {
                let at = values.get("dns.backend").expect("just read").location();
                return Err(Error::at(at, format!("`dns.backend` must be kube-dns or coredns, found `{b}`")));
            }
        }
        let prefix = values.string("dns.prefix")?;
        let cluster = values.string("dns.customCluster")?;
        let mut settings = Vec::new();
        if let Some(b) = &backend {
            settings.push(("POLYAXON_DNS_BACKEND", b.clone()));
        }
        // An explicit prefix wins (OpenShift: dns-default.openshift-dns).
        if let Some(p) = prefix.or_else(|| backend.as_ref().map(|b| format!("{b}.kube-system"))) {
            settings.push(("POLYAXON_DNS_PREFIX", p));
        }
        if let Some(c) = &cluster {
            settings.push(("POLYAXON_DNS_CUSTOM_CLUSTER", c.clone()));
        }
        if settings.is_empty() {
            return Ok(None);
        }
        let custom_cluster = cluster.filter(|c| c != DEFAULT_CLUSTER);
        Ok(Some(Dns { settings, custom_cluster, carriers: 0 }))
    }

    /// `value` with the cluster domain of service URLs replaced, when it has one.
    fn recluster(&self, value: &str) -> Option<String> {
        let cluster = self.custom_cluster.as_ref()?;
        value.contains(".svc.cluster.local").then(|| value.replace(".svc.cluster.local", &format!(".svc.{cluster}")))
    }

    fn is_ours(&self, key: &str) -> bool {
        self.settings.iter().any(|(k, _)| *k == key)
    }

    fn edit_config_map(&mut self, text: &str, data: &Node, edits: &mut Edits) {
        let keys: Vec<&str> = data.entries().unwrap_or_default().iter().filter_map(|(k, _)| k.text()).collect();
        if keys.iter().any(|k| k.starts_with(DNS_PREFIX)) {
            self.carriers += 1;
            for (key, value) in &self.settings {
                set_data(text, data, key, value, edits);
            }
        }
        for key in keys.iter().filter(|k| k.starts_with("POLYAXON_") && !self.is_ours(k)) {
            if let Some(new) = data_value(data, key).and_then(|v| self.recluster(v)) {
                set_data(text, data, key, &new, edits);
            }
        }
    }

    fn edit_container(&mut self, text: &str, container: &Node, edits: &mut Edits) -> Result<(), NodeError> {
        let mut vars = Vec::new();
        let names: Vec<&str> = env_names(container).collect();
        if names.iter().any(|n| n.starts_with(DNS_PREFIX)) {
            self.carriers += 1;
            vars.extend(self.settings.iter().map(|(k, v)| (k.to_string(), EnvValue::Value(v.clone()))));
        }
        for name in names.iter().filter(|n| n.starts_with("POLYAXON_") && !self.is_ours(n)) {
            if let Some(new) = env_value(container, name).and_then(|v| self.recluster(v)) {
                vars.push((name.to_string(), EnvValue::Value(new)));
            }
        }
        set_env(text, container, &vars, edits)
    }
}

impl Transform for Dns {
    fn name(&self) -> &'static str {
        "dns"
    }

    fn applies_to(&self, kind: &str) -> bool {
        kind == "ConfigMap" || workload::is_workload(kind)
    }

    fn edit(&mut self, doc: &Doc<'_>, edits: &mut Edits, _notes: &mut Vec<String>) -> Result<(), NodeError> {
        if doc.kind == "ConfigMap" {
            if let Some(data) = data_section(doc.root) {
                self.edit_config_map(doc.text, data, edits);
            }
            return Ok(());
        }
        for container in workload::pod_containers(doc.root, doc.kind) {
            self.edit_container(doc.text, container, edits)?;
        }
        Ok(())
    }

    fn finish(&mut self, notes: &mut Vec<String>) -> Result<Vec<super::NewDocument>, Error> {
        if self.carriers == 0 {
            notes.push(
                "dns: the chart rendered no POLYAXON_DNS_* setting (0.x charts render them only with dns.backend set), so there was nowhere to put them"
                    .into(),
            );
        }
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_one;

    fn dns(values: &str) -> Result<Option<Dns>, Error> {
        let mut v = Values::default();
        v.add_text("values.yaml", values).unwrap();
        Dns::from_values(&v)
    }

    fn run(t: &mut Dns, text: &str) -> String {
        let root = parse_one(text).unwrap().unwrap();
        let kind = root.get("kind").and_then(Node::text).unwrap().to_string();
        let mut edits = Edits::default();
        t.edit(&Doc { text, root: &root, kind: &kind, source: None }, &mut edits, &mut Vec::new()).unwrap();
        edits.apply(text)
    }

    // The v1.10.1 chart with dns.prefix set: the prefix is missing (the chart bug).
    const CM_1X: &str = "kind: ConfigMap\ndata:\n  POLYAXON_PROXY_API_HOST: pax-polyaxon-api\n  # DNS\n  POLYAXON_DNS_USE_RESOLVER: \"true\"\n  POLYAXON_DNS_BACKEND: \"coredns\"\n  POLYAXON_DNS_CUSTOM_CLUSTER: \"custom.cluster.name\"\n  # SSL\n  POLYAXON_SSL_ENABLED: \"false\"\n";

    #[test]
    fn puts_back_the_prefix_the_1x_chart_drops() {
        let mut t = dns("dns:\n  backend: coredns\n  customCluster: custom.cluster.name\n  prefix: coredns.kube-system\n").unwrap().unwrap();
        let out = run(&mut t, CM_1X);
        assert_eq!(out, CM_1X.replace("  POLYAXON_SSL_ENABLED: \"false\"\n", "  POLYAXON_SSL_ENABLED: \"false\"\n  POLYAXON_DNS_PREFIX: \"coredns.kube-system\"\n"));
        assert_eq!(run(&mut t, &out), out, "idempotent");
    }

    #[test]
    fn prefix_defaults_to_backend_in_kube_system_and_explicit_prefix_wins() {
        let t = dns("dns:\n  backend: kube-dns\n").unwrap().unwrap();
        assert_eq!(t.settings, [("POLYAXON_DNS_BACKEND", "kube-dns".to_string()), ("POLYAXON_DNS_PREFIX", "kube-dns.kube-system".to_string())]);
        let t = dns("dns:\n  backend: coredns\n  prefix: dns-default.openshift-dns\n").unwrap().unwrap();
        assert_eq!(t.settings[1], ("POLYAXON_DNS_PREFIX", "dns-default.openshift-dns".to_string()));
    }

    #[test]
    fn custom_cluster_rewrites_hard_coded_service_urls_and_env_carriers() {
        let mut t = dns("dns:\n  customCluster: corp.internal\n").unwrap().unwrap();
        let cm = "kind: ConfigMap\ndata:\n  POLYAXON_HOST: \"http://pax-gateway.polyaxon.svc.cluster.local:80\"\n  POLYAXON_DNS_CUSTOM_CLUSTER: \"cluster.local\"\n  OTHER: x.svc.cluster.local\n";
        assert_eq!(
            run(&mut t, cm),
            "kind: ConfigMap\ndata:\n  POLYAXON_HOST: \"http://pax-gateway.polyaxon.svc.corp.internal:80\"\n  POLYAXON_DNS_CUSTOM_CLUSTER: \"corp.internal\"\n  OTHER: x.svc.cluster.local\n"
        );
        let deploy = "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        env:\n        - name: POLYAXON_DNS_BACKEND\n          value: \"kube-dns\"\n";
        let out = run(&mut t, deploy);
        assert!(out.ends_with("          value: \"kube-dns\"\n        - name: POLYAXON_DNS_CUSTOM_CLUSTER\n          value: \"corp.internal\"\n"), "{out}");
        assert_eq!(t.carriers, 2);
    }

    #[test]
    fn documents_without_dns_settings_are_left_alone_and_reported() {
        let mut t = dns("dns:\n  backend: coredns\n").unwrap().unwrap();
        let cm = "kind: ConfigMap\ndata:\n  A: b\n";
        assert_eq!(run(&mut t, cm), cm);
        let mut notes = Vec::new();
        t.finish(&mut notes).unwrap();
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn unknown_backend_is_a_located_error() {
        let err = dns("dns:\n  backend: bind9\n").unwrap_err();
        assert_eq!(err.to_string(), "values.yaml:2:12: `dns.backend` must be kube-dns or coredns, found `bind9`");
        assert!(dns("dns: {}\n").unwrap().is_none());
    }
}
