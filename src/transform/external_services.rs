//! External PostgreSQL, Redis and RabbitMQ in place of the built-in
//! subcharts, from `externalServices.{postgresql,redis,rabbitmq}`.
//!
//! The chart renders an external service itself when its built-in is
//! disabled (`postgresql.enabled: false`, ...). polyaxon-pr judges from what
//! the chart rendered, service by service: where it already points Polyaxon
//! at the external service (or at its pgbouncer pooler), nothing changes;
//! where it rendered the built-in, polyaxon-pr rewrites Polyaxon's settings
//! the way the chart would have (the host, port, user, database and URLs
//! in the ConfigMaps or env; password env vars from the chart's own Secret
//! names, `<fullname>-postgresql-secret`, which it then emits), so host and
//! password always change together. Built-in subchart objects leave the
//! stream only on request (`--drop-builtin`), because on an upgrade that
//! deletes them, and their data, from the cluster.
//!
//! Helm 3 never hands hook Jobs (database migrations) to a post-renderer,
//! so there a rewrite would leave them on the built-in: polyaxon-pr refuses
//! and says how to have the chart render the external service itself.

use super::settings::{data_section, data_value, env_entries, env_entry, env_names, env_value, set_data, set_env, EnvValue};
use super::{Doc, Facts, NewDocument, Options, Transform};
use crate::edit::{Editor, Fragment, NodeError};
use crate::error::{Error, Location};
use crate::knowledge::{setting_names as names, Service, POOLER_SUFFIX};
use crate::values::settings::{self, Broker, Settings};
use crate::workload::{self, Owner};
use crate::yaml::Node;

/// One configured external service.
#[derive(Debug)]
struct External {
    service: Service,
    host: String,
    /// Polyaxon settings that point at it.
    settings: Vec<(&'static str, String)>,
    /// `host:port`, for URLs (`redis://host:port/3`).
    authority: String,
    password: Option<String>,
    /// Whether Polyaxon must be given a password for it.
    needs_password: bool,
    /// What the chart rendered for this service.
    rendered: Rendered,
    /// `externalServices.postgresql.pgbouncer` is set.
    pgbouncer: bool,
    /// Documents polyaxon-pr rewrote for it.
    rewritten: usize,
}

/// What the chart rendered for a service, judged from Polyaxon's settings
/// and Secret references in the whole stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rendered {
    /// It already points Polyaxon at the external service (or its pooler).
    External,
    /// It points Polyaxon at the built-in subchart: polyaxon-pr rewrites.
    BuiltIn,
    /// No setting of the service at all (e.g. a broker the scheduler would use, with the scheduler off).
    Nothing,
    /// Only its password is missing: no built-in of it is kept, the
    /// chart would give Polyaxon the external one's password (Redis with
    /// `usePassword`), and polyaxon-pr does.
    PasswordOnly,
}

/// A built-in subchart object seen in the stream.
#[derive(Debug)]
struct Builtin {
    service: Service,
    object: String,
    dropped: bool,
}

#[derive(Debug)]
pub struct ExternalServices {
    externals: Vec<External>,
    /// `--external-secret`: passwords come from this existing Secret.
    secret_override: Option<String>,
    drop: Vec<Service>,
    /// The chart's full name, for its Secret names (`pax-polyaxon`).
    fullname: Option<String>,
    chart: Option<crate::knowledge::ChartVersion>,
    broker: Option<(Service, Location)>,
    /// The scheduler runs, so the chart wires the broker's password.
    scheduler: bool,
    postgres_disabled: Option<Location>,
    legacy_postgres: bool,
    builtins: Vec<Builtin>,
    /// Our Secrets already in the stream (a second run): updated, not appended.
    secrets_in_stream: Vec<String>,
    /// Warnings on settings of a service the chart no longer offers.
    retired: Vec<String>,
}

impl ExternalServices {
    /// `None` when no external service is configured, nothing is dropped and
    /// the in-cluster postgres is not turned off.
    pub fn from_settings(settings: &Settings<'_>, options: &Options, facts: &Facts) -> Result<Option<Self>, Error> {
        let version = settings.version;
        let mut externals = Vec::new();
        let mut retired = Vec::new();
        for service in Service::ALL {
            let Some(external) = external(settings.external(service)?) else { continue };
            // A service the chart no longer offers (RabbitMQ from 2.17) is never wired.
            match version.filter(|v| !service.offered(*v)).and(service.removal()) {
                Some(removal) => retired.push(format!(
                    "externalServices.{service} is not wired: {} has no {service} (removed in {}; redis is the only broker)",
                    facts.chart.map(|c| c.to_string()).unwrap_or_default(),
                    removal.since,
                )),
                None => externals.push(external),
            }
        }
        for service in &options.drop_builtin {
            if let Some(removal) = version.filter(|v| !service.offered(*v)).and(service.removal()) {
                return Err(Error::new(format!(
                    "--drop-builtin {service}: {} has no built-in {service} to drop (removed in {})",
                    facts.chart.map(|c| c.to_string()).unwrap_or_default(),
                    removal.since
                )));
            }
            if !externals.iter().any(|e| e.service == *service) {
                return Err(Error::new(format!(
                    "--drop-builtin {service} needs externalServices.{service}.host: without it Polyaxon would have no {service}"
                )));
            }
        }
        let postgres_disabled = settings.postgres_disabled();
        if externals.is_empty() && options.drop_builtin.is_empty() && postgres_disabled.is_none() && retired.is_empty() {
            return Ok(None);
        }
        let broker = match settings.broker()? {
            Some(Broker::Retired(service, at)) => {
                retired.push(format!(
                    "{at}: `broker: {service}` is ignored: {} has no {service}, redis is the broker",
                    facts.chart.map(|c| c.to_string()).unwrap_or_default()
                ));
                None
            }
            Some(Broker::Offered(service, at)) => Some((service, at)),
            None => None,
        };
        let scheduler = settings.scheduler();
        let broker_name = broker.as_ref().map(|(s, _)| s.name()).or_else(|| settings.default_broker());
        for e in &mut externals {
            // The chart wires the broker's password only when the scheduler uses it.
            if e.service == Service::Rabbitmq {
                e.needs_password = scheduler && broker_name == Some(Service::Rabbitmq.name());
            }
        }
        let fullname = facts.fullname.clone().or_else(|| facts.release.as_ref().map(|r| format!("{r}-polyaxon")));
        for e in &mut externals {
            e.rendered = rendered(e, facts, fullname.as_deref());
            // A dropped built-in counts as off, as `<service>.enabled=false` would
            // have it: the chart then wires the external one's password. This holds
            // whether or not the built-in is in the stream (a second run), and
            // never takes the external service's wiring away.
            let builtin_kept = !options.drop_builtin.contains(&e.service)
                && facts.builtin_secrets.iter().any(|s| e.service.subcharts().iter().any(|c| s.contains(c)));
            if e.rendered == Rendered::Nothing && e.needs_password && !builtin_kept {
                e.rendered = Rendered::PasswordOnly;
            }
        }
        Ok(Some(ExternalServices {
            externals,
            secret_override: options.external_secret.clone(),
            drop: options.drop_builtin.clone(),
            fullname,
            chart: facts.chart,
            broker,
            scheduler,
            postgres_disabled,
            legacy_postgres: settings.legacy_postgres()?,
            builtins: Vec::new(),
            secrets_in_stream: Vec::new(),
            retired,
        }))
    }

    fn builtin_of(doc: &Doc<'_>) -> Option<Service> {
        match doc.owner {
            Owner::Subchart(name) => name.parse().ok(),
            Owner::Polyaxon => None,
        }
    }

    /// The Secret password env vars of a service read from.
    fn secret_name(&self, service: Service) -> Option<String> {
        match &self.secret_override {
            Some(name) => Some(name.clone()),
            None => self.fullname.as_ref().map(|f| service.chart_secret(f, self.chart.as_ref())),
        }
    }

    fn edit_config_map<'n>(&mut self, editor: &mut Editor<'n>, data: &'n Node, notes: &mut Vec<String>) -> Result<(), NodeError> {
        let keys: Vec<&str> = data.entries().unwrap_or_default().iter().filter_map(|(k, _)| k.text()).collect();
        let overridden = self.secret_override.is_some();
        for i in 0..self.externals.len() {
            let service = self.externals[i].service;
            let secret = self.secret_name(service);
            let external = &mut self.externals[i];
            if external.rendered != Rendered::BuiltIn || !keys.iter().any(|k| service.owns(k) || *k == service.secret_name_setting()) {
                continue;
            }
            external.rewritten += 1;
            // Charts 0.x tell Polyaxon which Secret holds the password.
            if let (true, Some(secret)) = (keys.contains(&service.secret_name_setting()), &secret) {
                set_data(editor, data, service.secret_name_setting(), secret)?;
            }
            let has_connection = keys.iter().any(|k| service.owns(k) && !service.is_password(k));
            for (key, value) in &external.settings {
                if keys.contains(key) || (has_connection && optional_setting(key)) {
                    set_data(editor, data, key, value)?;
                }
            }
            for key in keys.iter().filter(|k| service.owns_url(k, data_value(data, k).unwrap_or_default())) {
                if let Some(url) = data_value(data, key).and_then(|v| with_authority(v, &external.authority)) {
                    set_data(editor, data, key, &url)?;
                }
            }
            for key in keys.iter().filter(|k| service.is_password(k)) {
                let (k, _) = data.entry(key).expect("listed above");
                if external.password.is_none() && !overridden {
                    return Err(NodeError::at(k, format!(
                        "{key} holds a password in a ConfigMap; give externalServices.{service}.password or --external-secret so it can move to a Secret"
                    )));
                }
                editor.remove_entry(data, key)?;
                notes
                    .push(format!("removed {key} from the ConfigMap: it is read from Secret {} instead", secret.as_deref().unwrap_or("?")));
            }
        }
        Ok(())
    }

    fn edit_container<'n>(&mut self, editor: &mut Editor<'n>, container: &'n Node, path: &str) -> Result<(), NodeError> {
        let names = env_names(container);
        // The containers the chart gives Polyaxon's passwords (its `config.envs`).
        let takes_passwords = Service::ALL.iter().any(|s| env_entry(container, s.password_env()).is_some());
        let mut vars = Vec::new();
        let mut changed = Vec::with_capacity(self.externals.len());
        for external in &self.externals {
            let service = external.service;
            let secret = self.secret_name(service);
            let mut touched = false;
            changed.push(false);
            if !matches!(external.rendered, Rendered::BuiltIn | Rendered::PasswordOnly) {
                continue;
            }
            // Connection settings as env (charts 0.x).
            for (key, value) in external.settings.iter().filter(|(k, _)| names.contains(k)) {
                vars.push((key.to_string(), EnvValue::Value(value.clone())));
                touched = true;
            }
            for name in names.iter().filter(|n| service.owns_url(n, env_value(container, n).unwrap_or_default())) {
                if let Some(url) = env_value(container, name).and_then(|v| with_authority(v, &external.authority)) {
                    vars.push((name.to_string(), EnvValue::Value(url)));
                    touched = true;
                }
            }
            // The password, from the chart's Secret for the external service.
            let present = !env_entries(container, service.password_env()).is_empty();
            if present || (takes_passwords && external.needs_password) {
                let has_source = external.password.is_some() || self.secret_override.is_some();
                let Some(secret) = secret.filter(|_| has_source) else {
                    let at = env_entry(container, service.password_env()).unwrap_or(container);
                    return Err(NodeError::at(at, format!(
                        "{path}: Polyaxon needs the password of the external {service}, and it is not given: set externalServices.{service}.password, or pass --external-secret NAME"
                    )));
                };
                vars.push((
                    service.password_env().to_string(),
                    EnvValue::SecretKey { secret, key: service.secret_key(self.chart.as_ref()).to_string() },
                ));
                touched = true;
            }
            *changed.last_mut().expect("pushed above") = touched;
        }
        for (external, changed) in self.externals.iter_mut().zip(changed) {
            external.rewritten += usize::from(changed);
        }
        set_env(editor, container, &vars, path)
    }

    /// Errors for configurations Polyaxon cannot run, judged on what the chart rendered.
    fn check_availability(&self) -> Result<(), Error> {
        let external = |s: Service| self.externals.iter().any(|e| e.service == s);
        let in_cluster = |s: Service| self.builtins.iter().any(|b| b.service == s && !b.dropped);
        let available = |s: Service| external(s) || in_cluster(s);
        // Judged only when the user turned the built-in off: a stream cut
        // with `helm template --show-only` lacks objects it does not show.
        if let Some(at) = self.postgres_disabled.as_ref().filter(|_| !available(Service::Postgresql) && !self.legacy_postgres) {
            let message = "Polyaxon has no database: the built-in postgresql is off and externalServices.postgresql.host is not set";
            return Err(Error::at(at.clone(), message));
        }
        if let Some((broker, at)) = &self.broker {
            if self.scheduler && !available(*broker) {
                let other = if *broker == Service::Redis { Service::Rabbitmq } else { Service::Redis };
                let hint = if external(other) {
                    format!("; externalServices.{other} is set: did you mean `broker: {other}`?")
                } else {
                    String::new()
                };
                return Err(Error::at(
                    at.clone(),
                    format!("`broker` is {broker} but no {broker} is deployed or configured (enable the built-in one, or set externalServices.{broker}.host){hint}"),
                ));
            }
        }
        Ok(())
    }

    fn secret_document(&self, external: &External, labels: &[(String, String)]) -> Option<NewDocument> {
        if self.secret_override.is_some() {
            return None;
        }
        let name = self.secret_name(external.service)?;
        let password = external.password.as_ref()?;
        let mut labels: Vec<(String, Fragment)> =
            labels.iter().map(|(k, v)| (k.clone(), Fragment::str(if k == "app.kubernetes.io/name" { &name } else { v }))).collect();
        if labels.is_empty() {
            labels = vec![
                ("app.kubernetes.io/name".into(), Fragment::str(&name)),
                ("app.kubernetes.io/managed-by".into(), Fragment::str("Helm")),
            ];
        }
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(password.as_bytes());
        Some(NewDocument {
            source: format!("polyaxon-pr/{}-secret.yaml", external.service),
            object: Fragment::map([
                ("apiVersion", Fragment::str("v1")),
                ("kind", Fragment::str("Secret")),
                ("metadata", Fragment::map([("name", Fragment::str(&name)), ("labels", Fragment::Map(labels))])),
                ("type", Fragment::str("Opaque")),
                ("data", Fragment::map([(external.service.secret_key(self.chart.as_ref()), Fragment::str(&encoded))])),
            ]),
        })
    }
}

/// Settings the chart writes only when they are set (so the key may be missing).
fn optional_setting(key: &str) -> bool {
    key == names::DB_OPTIONS
}

/// The Polyaxon settings that point at a configured external service, as the chart writes them.
fn external(configured: Option<settings::External>) -> Option<External> {
    let e = configured?;
    let port = e.port.to_string();
    let settings: Vec<(&'static str, String)> = match e.service {
        Service::Postgresql => [
            (names::DB_HOST, Some(e.host.clone())),
            (names::DB_PORT, Some(port)),
            (names::DB_NAME, e.database),
            (names::DB_USER, e.user),
            (names::DB_CONN_MAX_AGE, e.conn_max_age.map(|age| age.to_string())),
            (names::DB_OPTIONS, e.options_json),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect(),
        Service::Redis => vec![(names::REDIS_HOST, e.host.clone()), (names::REDIS_PORT, port)],
        Service::Rabbitmq => {
            let mut settings = vec![(names::AMQP_URL, format!("{}:{}", e.host, e.port))];
            settings.extend(e.user.map(|user| (names::RABBITMQ_USER, user)));
            settings
        }
    };
    Some(External {
        service: e.service,
        authority: format!("{}:{}", e.host, e.port),
        host: e.host,
        settings,
        password: e.password,
        needs_password: e.use_password,
        rendered: Rendered::Nothing,
        pgbouncer: e.pgbouncer,
        rewritten: 0,
    })
}

/// What the chart rendered for a service: its connection setting (the DB
/// host, the Redis host or URLs, the AMQP URL) compared with the external
/// host, else the Secret its password comes from (a built-in subchart's, or
/// another).
fn rendered(external: &External, facts: &Facts, fullname: Option<&str>) -> Rendered {
    let pooler = fullname.map(|f| format!("{f}{POOLER_SUFFIX}"));
    let points_at = |key: &str, value: &str| match key {
        names::DB_HOST => value == external.host || Some(value) == pooler.as_deref(),
        names::REDIS_HOST => value == external.host,
        _ => value.contains(&external.authority) || value.split([':', '/']).any(|part| part == external.host),
    };
    if let Some((key, value)) = external.service.address_settings().iter().find_map(|k| facts.setting(k).map(|v| (*k, v))) {
        return if points_at(key, value) { Rendered::External } else { Rendered::BuiltIn };
    }
    let refs: Vec<&str> = facts.secret_refs.iter().filter(|(n, _)| n == external.service.password_env()).map(|(_, s)| s.as_str()).collect();
    if refs.is_empty() {
        Rendered::Nothing
    } else if refs.iter().any(|s| facts.builtin_secrets.iter().any(|b| b == s)) {
        Rendered::BuiltIn
    } else {
        Rendered::External
    }
}

impl Transform for ExternalServices {
    fn name(&self) -> &'static str {
        "external-services"
    }

    /// Every kind but CRDs: built-in subcharts render many kinds, and each is
    /// either dropped or counted.
    fn applies_to(&self, kind: &str) -> bool {
        kind != "CustomResourceDefinition"
    }

    fn drops(&mut self, doc: &Doc<'_>) -> Option<String> {
        let service = Self::builtin_of(doc)?;
        let dropped = self.drop.contains(&service);
        let object = format!("{}/{}", doc.kind, crate::text::sanitize(workload::name(doc.root)));
        self.builtins.push(Builtin { service, object, dropped });
        dropped.then(|| format!("--drop-builtin {service}"))
    }

    fn edit<'n>(&mut self, doc: &Doc<'n>, editor: &mut Editor<'n>, notes: &mut Vec<String>) -> Result<(), NodeError> {
        if doc.owner != Owner::Polyaxon {
            // A kept built-in's own settings are its business.
            return Ok(());
        }
        if doc.kind == "Secret" {
            let name = workload::name(doc.root);
            if let Some(external) =
                self.externals.iter().find(|e| self.secret_override.is_none() && self.secret_name(e.service).as_deref() == Some(name))
            {
                self.secrets_in_stream.push(name.to_string());
                if let (Some(data), Some(password)) = (data_section(doc.root), &external.password) {
                    use base64::Engine as _;
                    let encoded = base64::engine::general_purpose::STANDARD.encode(password.as_bytes());
                    set_data(editor, data, external.service.secret_key(self.chart.as_ref()), &encoded)?;
                }
            }
            return Ok(());
        }
        if doc.kind == "ConfigMap" {
            return match data_section(doc.root) {
                Some(data) => self.edit_config_map(editor, data, notes),
                None => Ok(()),
            };
        }
        let Some((pod, pod_path)) = workload::pod_to_read(doc.root, doc.kind)? else {
            return Ok(());
        };
        let rewriting: Vec<Service> =
            self.externals.iter().filter(|e| matches!(e.rendered, Rendered::BuiltIn | Rendered::PasswordOnly)).map(|e| e.service).collect();
        let relevant = workload::containers(pod, &pod_path)?
            .iter()
            .any(|(c, _)| env_names(c).iter().any(|n| Service::ALL.iter().any(|s| s.owns(n)) && !rewriting.is_empty()));
        if !relevant {
            return Ok(());
        }
        let Some((pod, pod_path)) = workload::pod_spec(doc.root, doc.kind)? else {
            return Ok(());
        };
        for (container, path) in workload::checked_containers(pod, &pod_path) {
            self.edit_container(editor, container, &path)?;
        }
        Ok(())
    }

    fn finish(&mut self, facts: &Facts, notes: &mut Vec<String>) -> Result<Vec<NewDocument>, Error> {
        notes.append(&mut self.retired);
        let rewritten: Vec<Service> = self
            .externals
            .iter()
            .filter(|e| e.rewritten > 0 || (e.rendered == Rendered::BuiltIn && self.drop.contains(&e.service)))
            .map(|e| e.service)
            .collect();
        if facts.hooks_hidden && !rewritten.is_empty() {
            let names: Vec<&str> = rewritten.iter().map(|s| s.name()).collect();
            let sets: Vec<String> =
                rewritten.iter().map(|s| format!("{}=false", s.enabled_key(facts.chart.and_then(|c| c.catalog_index())))).collect();
            return Err(Error::new(format!(
                "the chart rendered the built-in {} and this is Helm 3, which never hands hook Jobs (database migrations) to a post-renderer: they would keep using the built-in while the rest moved to the external service. Let the chart render the external service itself: set {} in your values (`helm polyaxon ... --drop-builtin SERVICE` does this for you), or run through Helm 4",
                names.join(" and "),
                sets.join(", ")
            )));
        }
        self.check_availability()?;
        if self.fullname.is_none() && self.externals.iter().any(|e| e.rewritten > 0) && self.secret_override.is_none() {
            return Err(Error::new("cannot tell the chart's name from the manifests (no Polyaxon ConfigMap, no `release:` label) to name the Secret for the external services' passwords; pass --release NAME or --external-secret NAME"));
        }
        let mut added = Vec::new();
        for external in &self.externals {
            let name = external.service.name();
            let kept: Vec<&str> =
                self.builtins.iter().filter(|b| b.service == external.service && !b.dropped).map(|b| b.object.as_str()).collect();
            if !kept.is_empty() {
                notes.push(format!(
                    "externalServices.{name} is configured but the built-in {name} is still rendered ({}); set {}=false, or pass --drop-builtin {name} (on an upgrade that deletes these objects, and their data, from the cluster)",
                    kept.join(", "),
                    external.service.enabled_key(facts.chart.and_then(|c| c.catalog_index()))
                ));
            }
            if external.service == Service::Postgresql && external.pgbouncer && external.rendered == Rendered::BuiltIn {
                notes.push("externalServices.postgresql.pgbouncer is set, but the chart rendered no pooler (it does only with postgresql.enabled=false), so Polyaxon connects to the external database directly".into());
            }
            if external.rendered == Rendered::Nothing {
                notes.push(format!(
                    "externalServices.{name} is configured but the chart renders no {name} connection settings (host, port, URLs or password) in this configuration, so Polyaxon is not pointed at it"
                ));
            }
            if external.password.is_some() && self.secret_override.is_some() {
                notes.push(format!("externalServices.{name}.password is ignored: passwords come from --external-secret"));
            }
            let in_stream = self.secret_name(external.service).is_some_and(|n| self.secrets_in_stream.contains(&n));
            if external.rewritten > 0 && !in_stream {
                added.extend(self.secret_document(external, &facts.config_labels));
            }
        }
        Ok(added)
    }
}

/// A URL (`redis://old:6379/3`, `old:6379/3`) with its host:port replaced,
/// or `None` when it already has it.
fn with_authority(url: &str, authority: &str) -> Option<String> {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let end = rest.find('/').unwrap_or(rest.len());
    let (current, path) = rest.split_at(end);
    let userinfo = current.rfind('@').map_or("", |i| &current[..=i]);
    let new = format!("{scheme}{userinfo}{authority}{path}");
    (new != url).then_some(new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transform::test_support::{facts_for, run_one, values};

    const EXTERNAL: &str = r#"postgresql:
  enabled: false
externalServices:
  postgresql:
    host: pg.example.internal
    user: polyaxon
    password: pg-secret
    database: polyaxon
  redis:
    host: redis.example.internal
    usePassword: true
    password: r3d1s
"#;

    /// Facts of a 2.15.1 stream whose chart rendered the built-in postgres and redis.
    fn built_in() -> Facts {
        let mut facts = facts_for("polyaxon-2.15.1");
        facts.settings =
            vec![("POLYAXON_DB_HOST".into(), "pax-postgresql".into()), ("POLYAXON_REDIS_HOST".into(), "pax-redis-master".into())];
        facts.secret_refs = vec![("POLYAXON_DB_PASSWORD".into(), "pax-postgresql".into())];
        facts.builtin_secrets = vec!["pax-postgresql".into()];
        facts
    }

    fn build(values_text: &str, drop: &[Service], secret: Option<&str>, facts: &Facts) -> Result<Option<ExternalServices>, Error> {
        let options = Options { drop_builtin: drop.to_vec(), external_secret: secret.map(str::to_string), ..Options::default() };
        ExternalServices::from_settings(&Settings::new(&values(values_text), facts.chart), &options, facts)
    }

    const PLATFORM_CM: &str = r#"kind: ConfigMap
metadata:
  name: pax-polyaxon-platform-config
data:
  POLYAXON_DB_USER: polyaxon
  POLYAXON_DB_PORT: "5432"
  POLYAXON_DB_HOST: "pax-postgresql"
  POLYAXON_REDIS_SESSIONS_URL: pax-redis-master:6379/2
  POLYAXON_REDIS_HOST: "pax-redis-master"
"#;

    #[test]
    fn a_built_in_rendering_is_rewritten_as_the_chart_renders_the_external_one() {
        let facts = built_in();
        let mut t = build(EXTERNAL, &[], None, &facts).unwrap().unwrap();
        let (out, _) = run_one(&mut t, PLATFORM_CM, &facts);
        assert_eq!(
            out,
            r#"kind: ConfigMap
metadata:
  name: pax-polyaxon-platform-config
data:
  POLYAXON_DB_USER: polyaxon
  POLYAXON_DB_PORT: "5432"
  POLYAXON_DB_HOST: "pg.example.internal"
  POLYAXON_REDIS_SESSIONS_URL: "redis.example.internal:6379/2"
  POLYAXON_REDIS_HOST: "redis.example.internal"
"#
        );
        assert_eq!(run_one(&mut t, &out, &facts).0, out, "idempotent");
    }

    const API: &str = r#"kind: Deployment
metadata:
  name: pax-polyaxon-api
spec:
  template:
    spec:
      containers:
      - name: polyaxon-api
        env:
        - name: POLYAXON_DB_PASSWORD
          valueFrom:
            secretKeyRef:
              name: pax-postgresql
              key: postgres-password
"#;

    #[test]
    fn password_env_vars_read_from_the_charts_secret_which_is_emitted() {
        let facts = built_in();
        let mut t = build(EXTERNAL, &[], None, &facts).unwrap().unwrap();
        let (out, _) = run_one(&mut t, API, &facts);
        assert!(out.contains("- name: POLYAXON_DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: pax-polyaxon-postgresql-secret\n              key: postgres-password\n"), "{out}");
        assert!(out.contains("- name: POLYAXON_REDIS_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: pax-polyaxon-redis-secret\n              key: redis-password\n"), "{out}");
        let docs = t.finish(&facts, &mut Vec::new()).unwrap();
        let secrets: Vec<String> = docs.iter().map(|d| d.object.block()).collect();
        assert_eq!(secrets.len(), 2);
        assert!(
            secrets[0].contains("name: pax-polyaxon-postgresql-secret") && secrets[0].contains("postgres-password: cGctc2VjcmV0\n"),
            "{}",
            secrets[0]
        );
        assert!(!secrets.concat().contains("pg-secret\n"));
    }

    #[test]
    fn a_native_external_rendering_is_left_as_the_chart_made_it() {
        let mut facts = built_in();
        facts.settings = vec![
            ("POLYAXON_DB_HOST".into(), "pax-polyaxon-pgbouncer".into()),
            ("POLYAXON_REDIS_HOST".into(), "redis.example.internal".into()),
        ];
        let mut t = build(EXTERNAL, &[], None, &facts).unwrap().unwrap();
        assert_eq!(run_one(&mut t, PLATFORM_CM, &facts).0, PLATFORM_CM);
        assert_eq!(run_one(&mut t, API, &facts).0, API);
        assert!(t.finish(&facts, &mut Vec::new()).unwrap().is_empty(), "the chart renders its own Secrets");
    }

    #[test]
    fn dropping_a_built_in_keeps_the_external_ones_password_wiring() {
        // The chart rendered no redis at all (2.15.1 defaults): only the password is wired.
        let mut facts = facts_for("polyaxon-2.15.1");
        facts.secret_refs = vec![("POLYAXON_DB_PASSWORD".into(), "pax-postgresql".into())];
        let external_redis = "externalServices:\n  redis:\n    host: r.internal\n    usePassword: true\n    password: r3d1s\n";
        let wired = "- name: POLYAXON_REDIS_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: pax-polyaxon-redis-secret\n";
        // With the built-in's Secret in the stream (dropped) or already gone: the same.
        for builtin_secrets in [vec![], vec!["pax-redis".to_string()]] {
            facts.builtin_secrets = builtin_secrets;
            let mut t = build(external_redis, &[Service::Redis], None, &facts).unwrap().unwrap();
            let (out, _) = run_one(&mut t, API, &facts);
            assert!(out.contains(wired), "{out}");
            let mut notes = Vec::new();
            assert_eq!(t.finish(&facts, &mut notes).unwrap().len(), 1, "the redis Secret");
            assert!(!notes.iter().any(|n| n.contains("renders no redis")), "{notes:?}");
        }
        // A built-in that is kept and rendered no settings: nothing to point elsewhere.
        let mut t = build(external_redis, &[], None, &facts).unwrap().unwrap();
        assert_eq!(run_one(&mut t, API, &facts).0, API);
    }

    #[test]
    fn chart_0_5_names_the_postgres_secret_its_own_way() {
        let mut facts = built_in();
        facts.chart = crate::knowledge::ChartVersion::from_label("polyaxon-0.5.6");
        let mut t = build(EXTERNAL, &[], None, &facts).unwrap().unwrap();
        let (out, _) = run_one(&mut t, API, &facts);
        assert!(out.contains("name: pax-polyaxon-postgres-secret"), "{out}");
    }

    #[test]
    fn helm3_without_hooks_refuses_a_rewrite() {
        let mut facts = built_in();
        facts.hooks_hidden = true;
        let mut t = build(EXTERNAL, &[], None, &facts).unwrap().unwrap();
        run_one(&mut t, PLATFORM_CM, &facts);
        let err = t.finish(&facts, &mut Vec::new()).unwrap_err().to_string();
        assert!(err.contains("Helm 3") && err.contains("postgresql.enabled=false"), "{err}");
    }

    #[test]
    fn builtins_are_dropped_only_when_asked_and_warned_about_otherwise() {
        let facts = built_in();
        let sts = "kind: StatefulSet\nmetadata:\n  name: pax-postgresql\n  labels:\n    chart: postgresql-8.2.1\n";
        let root = crate::yaml::parse_one(sts).unwrap().unwrap();
        let doc =
            Doc { text: sts, root: &root, kind: "StatefulSet", source: None, owner: Owner::of(&root, None), hook: false, facts: &facts };
        let mut keep = build(EXTERNAL, &[], None, &facts).unwrap().unwrap();
        assert!(keep.drops(&doc).is_none());
        let mut notes = Vec::new();
        keep.finish(&facts, &mut notes).unwrap();
        assert!(notes.iter().any(|n| n.contains("built-in postgresql is still rendered (StatefulSet/pax-postgresql)")), "{notes:?}");
        let mut drop = build(EXTERNAL, &[Service::Postgresql], None, &facts).unwrap().unwrap();
        assert!(drop.drops(&doc).is_some());
    }

    #[test]
    fn contradictions_are_errors() {
        let facts = built_in();
        assert!(build(EXTERNAL, &[Service::Rabbitmq], None, &facts)
            .unwrap_err()
            .to_string()
            .contains("--drop-builtin rabbitmq needs externalServices.rabbitmq.host"));
        let mut t = build("postgresql:\n  enabled: false\n", &[], None, &facts).unwrap().unwrap();
        let err = t.finish(&facts, &mut Vec::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "values.yaml:2:12: Polyaxon has no database: the built-in postgresql is off and externalServices.postgresql.host is not set"
        );
        let mut t = build(&format!("{EXTERNAL}broker: rabbitmq\nscheduler:\n  enabled: true\n"), &[], None, &facts).unwrap().unwrap();
        let err = t.finish(&facts, &mut Vec::new()).unwrap_err().to_string();
        assert!(err.starts_with("values.yaml:13:9: `broker` is rabbitmq but no rabbitmq is deployed or configured"), "{err}");
        assert!(err.ends_with("did you mean `broker: redis`?"), "{err}");
        assert!(build("broker: kafka\npostgresql:\n  enabled: false\n", &[], None, &facts).is_err());
        assert!(build("{}", &[], None, &facts).unwrap().is_none());
    }

    #[test]
    fn a_missing_password_is_an_error_not_a_dangling_reference() {
        let facts = built_in();
        let mut t = build("externalServices:\n  postgresql:\n    host: db\n", &[], None, &facts).unwrap().unwrap();
        let root = crate::yaml::parse_one(API).unwrap().unwrap();
        let doc = Doc { text: API, root: &root, kind: "Deployment", source: None, owner: Owner::Polyaxon, hook: false, facts: &facts };
        let mut editor = Editor::new(API);
        let err = t.edit(&doc, &mut editor, &mut Vec::new()).unwrap_err();
        assert!(err.message.contains("set externalServices.postgresql.password"), "{}", err.message);
    }

    #[test]
    fn urls() {
        assert_eq!(with_authority("redis://pax-redis:6379/0", "r:1"), Some("redis://r:1/0".into()));
        assert_eq!(with_authority("pax-redis-master:6379/1", "r:1"), Some("r:1/1".into()));
        assert_eq!(with_authority("redis://:pw@old:6379/2", "r:1"), Some("redis://:pw@r:1/2".into()));
        assert_eq!(with_authority("r:1/1", "r:1"), None);
    }
}
