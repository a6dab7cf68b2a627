//! Polyaxon's DNS settings from `dns.backend`, `dns.prefix` and
//! `dns.customCluster`, written where each chart version renders them:
//! env of the api (and, from 0.5, scheduler) container in charts 0.4.3 to
//! 0.6.x, the ConfigMap holding `POLYAXON_DNS_*` keys from 1.0 on.
//!
//! Charts 0.4.3 to 1.12.x test `dns.POLYAXON_DNS_PREFIX` instead of
//! `dns.prefix`, so a user's prefix never reaches Polyaxon there; polyaxon-pr
//! writes it. A custom cluster domain also replaces `.svc.cluster.local` in
//! the service URLs Polyaxon's settings hold, as chart 2.x does.

use super::settings::{data_section, data_value, env_names, env_value, set_data, set_env, EnvValue};
use super::{Doc, Facts, NewDocument, Transform};
use crate::edit::{Editor, NodeError};
use crate::error::Error;
use crate::knowledge::{dns_env_components, dns_in_env, setting_names, DEFAULT_CLUSTER_DOMAIN};
use crate::values::settings::Settings;
use crate::workload::{self, Owner};
use crate::yaml::Node;

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
    pub fn from_settings(settings: &Settings<'_>) -> Result<Option<Self>, Error> {
        let Some(dns) = settings.dns()? else {
            return Ok(None);
        };
        let custom_cluster = dns.custom_cluster.clone().filter(|c| c != DEFAULT_CLUSTER_DOMAIN);
        let settings = [
            (setting_names::DNS_BACKEND, dns.backend),
            (setting_names::DNS_CUSTOM_CLUSTER, dns.custom_cluster),
            (setting_names::DNS_PREFIX_SETTING, dns.prefix),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
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

    fn edit_config_map<'n>(&mut self, editor: &mut Editor<'n>, data: &'n Node, carrier: bool) -> Result<(), NodeError> {
        let keys: Vec<&str> = data.entries().unwrap_or_default().iter().filter_map(|(k, _)| k.text()).collect();
        if carrier && keys.iter().any(|k| k.starts_with(setting_names::DNS_PREFIX)) {
            self.carriers += 1;
            for (key, value) in &self.settings {
                set_data(editor, data, key, value)?;
            }
        }
        for key in keys.iter().filter(|k| k.starts_with(setting_names::PREFIX) && !self.is_ours(k)) {
            if let Some(new) = data_value(data, key).and_then(|v| self.recluster(v)) {
                set_data(editor, data, key, &new)?;
            }
        }
        Ok(())
    }

    fn edit_container<'n>(&mut self, editor: &mut Editor<'n>, container: &'n Node, path: &str, carrier: bool) -> Result<(), NodeError> {
        let names = env_names(container);
        let mut vars = Vec::new();
        if carrier || names.iter().any(|n| n.starts_with(setting_names::DNS_PREFIX)) {
            self.carriers += 1;
            vars.extend(self.settings.iter().map(|(k, v)| (k.to_string(), EnvValue::Value(v.clone()))));
        }
        for name in names.iter().filter(|n| n.starts_with(setting_names::PREFIX) && !self.is_ours(n)) {
            if let Some(new) = env_value(container, name).and_then(|v| self.recluster(v)) {
                vars.push((name.to_string(), EnvValue::Value(new)));
            }
        }
        set_env(editor, container, &vars, path)
    }
}

impl Transform for Dns {
    fn name(&self) -> &'static str {
        "dns"
    }

    fn applies_to(&self, kind: &str) -> bool {
        kind == "ConfigMap" || workload::is_workload(kind)
    }

    fn edit<'n>(&mut self, doc: &Doc<'n>, editor: &mut Editor<'n>, _notes: &mut Vec<String>) -> Result<(), NodeError> {
        if doc.owner != Owner::Polyaxon {
            return Ok(());
        }
        let in_env = doc.facts.chart.as_ref().map(dns_in_env);
        if doc.kind == "ConfigMap" {
            if let Some(data) = data_section(doc.root) {
                // Charts that write DNS as env also carry POLYAXON_DNS_USE_RESOLVER in a ConfigMap.
                self.edit_config_map(editor, data, in_env != Some(true))?;
            }
            return Ok(());
        }
        let Some((pod, pod_path)) = workload::pod_to_read(doc.root, doc.kind)? else {
            return Ok(());
        };
        let components = doc.facts.chart.as_ref().map_or(&[][..], dns_env_components);
        let component =
            workload::component(doc.root, doc.facts.fullname.as_deref()).filter(|c| in_env == Some(true) && components.contains(c));
        // Only pods with something to change need to be editable.
        let relevant = component.is_some()
            || workload::containers(pod, &pod_path)?.iter().any(|(c, _)| {
                env_names(c).iter().any(|n| {
                    n.starts_with(setting_names::DNS_PREFIX)
                        || (n.starts_with(setting_names::PREFIX) && env_value(c, n).and_then(|v| self.recluster(v)).is_some())
                })
            });
        if !relevant {
            return Ok(());
        }
        let Some((pod, pod_path)) = workload::pod_spec(doc.root, doc.kind)? else {
            return Ok(());
        };
        let containers = workload::checked_containers(pod, &pod_path);
        let main = component.and_then(|c| workload::main_container(&containers, c));
        for (container, path) in &containers {
            let carrier = main.as_ref().is_some_and(|(m, _)| m.start == container.start);
            self.edit_container(editor, container, path, carrier)?;
        }
        Ok(())
    }

    fn finish(&mut self, _facts: &Facts, notes: &mut Vec<String>) -> Result<Vec<NewDocument>, Error> {
        if self.carriers == 0 {
            notes.push("dns: the chart rendered no place for POLYAXON_DNS_* settings (no api workload, no DNS ConfigMap keys), so there was nowhere to put them".into());
        }
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transform::test_support::{facts_for, run_one, values};

    fn dns(values_text: &str) -> Result<Option<Dns>, Error> {
        Dns::from_settings(&Settings::new(&values(values_text), facts_for("polyaxon-2.15.1").chart))
    }

    // The v1.10.1 proxies ConfigMap with dns.backend set: the prefix is missing (the chart bug).
    const CM_1X: &str = r#"kind: ConfigMap
data:
  POLYAXON_PROXY_API_HOST: pax-polyaxon-api
  # DNS
  POLYAXON_DNS_USE_RESOLVER: "true"
  POLYAXON_DNS_BACKEND: "coredns"
  POLYAXON_DNS_CUSTOM_CLUSTER: "custom.cluster.name"
  # SSL
  POLYAXON_SSL_ENABLED: "false"
"#;

    #[test]
    fn puts_back_the_prefix_the_1x_chart_drops() {
        let facts = facts_for("polyaxon-1.10.1");
        let mut t =
            dns("dns:\n  backend: coredns\n  customCluster: custom.cluster.name\n  prefix: coredns.kube-system\n").unwrap().unwrap();
        let (out, _) = run_one(&mut t, CM_1X, &facts);
        assert_eq!(
            out,
            CM_1X.replace(
                "  POLYAXON_SSL_ENABLED: \"false\"\n",
                "  POLYAXON_SSL_ENABLED: \"false\"\n  POLYAXON_DNS_PREFIX: \"coredns.kube-system\"\n"
            )
        );
        assert_eq!(run_one(&mut t, &out, &facts).0, out, "idempotent");
    }

    #[test]
    fn only_what_the_values_say_is_written() {
        let t = dns("dns:\n  backend: kube-dns\n  prefix: ''\n").unwrap().unwrap();
        assert_eq!(t.settings, [("POLYAXON_DNS_BACKEND", "kube-dns".to_string())]);
        assert!(dns("dns: {}\n").unwrap().is_none());
    }

    #[test]
    fn env_charts_get_the_settings_on_the_components_the_template_names() {
        let facts = facts_for("polyaxon-0.5.6");
        let mut t = dns("dns:\n  backend: coredns\n  prefix: coredns.kube-system\n").unwrap().unwrap();
        let deploy = "kind: Deployment\nmetadata:\n  name: pax-polyaxon-scheduler\nspec:\n  template:\n    spec:\n      containers:\n      - name: polyaxon-scheduler\n        env:\n        - name: POLYAXON_K8S_NAMESPACE\n          value: polyaxon\n";
        let (out, _) = run_one(&mut t, deploy, &facts);
        assert!(out.ends_with("          value: polyaxon\n        - name: POLYAXON_DNS_BACKEND\n          value: \"coredns\"\n        - name: POLYAXON_DNS_PREFIX\n          value: \"coredns.kube-system\"\n"), "{out}");
        let events = deploy.replace("scheduler", "events");
        assert_eq!(run_one(&mut t, &events, &facts).0, events);
        // In those charts the ConfigMap carries only POLYAXON_DNS_USE_RESOLVER.
        let cm = "kind: ConfigMap\ndata:\n  POLYAXON_DNS_USE_RESOLVER: \"true\"\n";
        assert_eq!(run_one(&mut t, cm, &facts).0, cm);
    }

    #[test]
    fn custom_cluster_rewrites_hard_coded_service_urls() {
        let facts = facts_for("polyaxon-2.15.1");
        let mut t = dns("dns:\n  customCluster: corp.internal\n").unwrap().unwrap();
        let cm = "kind: ConfigMap\ndata:\n  POLYAXON_HOST: \"http://pax-gateway.polyaxon.svc.cluster.local:80\"\n  POLYAXON_DNS_CUSTOM_CLUSTER: \"cluster.local\"\n  OTHER: x.svc.cluster.local\n";
        assert_eq!(
            run_one(&mut t, cm, &facts).0,
            "kind: ConfigMap\ndata:\n  POLYAXON_HOST: \"http://pax-gateway.polyaxon.svc.corp.internal:80\"\n  POLYAXON_DNS_CUSTOM_CLUSTER: \"corp.internal\"\n  OTHER: x.svc.cluster.local\n"
        );
        assert_eq!(t.carriers, 1);
    }

    #[test]
    fn unknown_backend_is_a_located_error() {
        let err = dns("dns:\n  backend: bind9\n").unwrap_err();
        assert_eq!(err.to_string(), "values.yaml:2:12: `dns.backend` must be kube-dns or coredns, found `bind9`");
    }
}
