//! External PostgreSQL, Redis and RabbitMQ in place of the built-in
//! subcharts, from `externalServices.{postgresql,redis,rabbitmq}`.
//!
//! Polyaxon's settings for each configured service are pointed at it wherever
//! the chart renders that service's settings (ConfigMap data in 1.x/2.x, env
//! in 0.x), password env vars read from a Secret by `secretKeyRef`, and no
//! password is left in a ConfigMap or in plain env. The built-in subchart's
//! objects are removed only on request (`--drop-builtin`), because on an
//! upgrade that deletes them, and their data, from the cluster.

use super::settings::{data_section, data_value, env_entry, env_names, env_value, set_data, set_env, EnvValue};
use super::{Doc, NewDocument, NodeError, Transform};
use crate::edit::{Edits, Frag};
use crate::error::{Error, Location};
use crate::values::Values;
use crate::workload;
use crate::yaml::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Postgresql,
    Redis,
    Rabbitmq,
}

impl Service {
    pub const ALL: [Service; 3] = [Service::Postgresql, Service::Redis, Service::Rabbitmq];

    pub fn name(self) -> &'static str {
        match self {
            Service::Postgresql => "postgresql",
            Service::Redis => "redis",
            Service::Rabbitmq => "rabbitmq",
        }
    }

    pub fn parse(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.name() == name || (name == "rabbitmq-ha" && *s == Service::Rabbitmq))
    }

    /// Subchart names that provide the built-in service (rabbitmq-ha before chart 1.21).
    fn subcharts(self) -> &'static [&'static str] {
        match self {
            Service::Postgresql => &["postgresql"],
            Service::Redis => &["redis"],
            Service::Rabbitmq => &["rabbitmq", "rabbitmq-ha"],
        }
    }

    /// The key of the password in the chart's Secrets and in ours.
    fn secret_key(self) -> &'static str {
        match self {
            Service::Postgresql => "postgres-password",
            Service::Redis => "redis-password",
            Service::Rabbitmq => "rabbitmq-password",
        }
    }

    fn password_env(self) -> &'static str {
        match self {
            Service::Postgresql => "POLYAXON_DB_PASSWORD",
            Service::Redis => "POLYAXON_REDIS_PASSWORD",
            Service::Rabbitmq => "POLYAXON_RABBITMQ_PASSWORD",
        }
    }

    /// Whether a Polyaxon setting belongs to this service.
    fn owns(self, key: &str) -> bool {
        match self {
            Service::Postgresql => key.starts_with("POLYAXON_DB_"),
            Service::Redis => key.starts_with("POLYAXON_REDIS_"),
            Service::Rabbitmq => key == "POLYAXON_AMQP_URL" || key.starts_with("POLYAXON_RABBITMQ_"),
        }
    }

    fn is_password(self, key: &str) -> bool {
        self.owns(key) && key.contains("PASSWORD")
    }
}

/// One configured external service.
#[derive(Debug)]
struct External {
    service: Service,
    /// Polyaxon settings that point at it.
    settings: Vec<(&'static str, String)>,
    /// `host:port`, for Redis URLs (`redis://host:port/3`).
    authority: String,
    password: Option<String>,
    /// Whether Polyaxon must be given a password for it.
    needs_password: bool,
    /// Documents that carried its settings.
    carriers: usize,
}

impl External {
    /// Whether a key is one of the connection settings this service sets
    /// (not a flag such as POLYAXON_DB_NO_CHECK that shares the prefix).
    fn carries(&self, key: &str) -> bool {
        self.settings.iter().any(|(k, _)| *k == key) || (self.service.owns(key) && key.ends_with("_URL"))
    }
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
    /// The Secret password env vars read from, and whether we emit it.
    secret: Option<(String, bool)>,
    release: Option<String>,
    drop: Vec<Service>,
    broker: Option<(Service, Location)>,
    postgres_disabled: Option<Location>,
    legacy_postgres: bool,
    builtins: Vec<Builtin>,
    /// Our Secret came in with the stream (a second run): updated, not appended.
    secret_in_stream: bool,
}

impl ExternalServices {
    /// `None` when no external service is configured, nothing is dropped and
    /// the in-cluster postgres is not turned off.
    pub fn from_values(values: &Values, drop_builtin: &[String], external_secret: Option<&str>, release: Option<&str>) -> Result<Option<Self>, Error> {
        let mut externals = Vec::new();
        for service in Service::ALL {
            if let Some(external) = external(values, service)? {
                externals.push(external);
            }
        }
        let mut drop = Vec::new();
        for name in drop_builtin {
            let service = Service::parse(name)
                .ok_or_else(|| Error::new(format!("--drop-builtin `{name}`: expected postgresql, redis or rabbitmq")))?;
            if !externals.iter().any(|e| e.service == service) {
                return Err(Error::new(format!(
                    "--drop-builtin {name} needs externalServices.{}.host: without it Polyaxon would have no {name}",
                    service.name()
                )));
            }
            drop.push(service);
        }
        let postgres_disabled = match values.bool("postgresql.enabled")? {
            Some(false) => values.get("postgresql.enabled").map(|f| f.location()),
            _ => None,
        };
        if externals.is_empty() && drop.is_empty() && postgres_disabled.is_none() {
            return Ok(None);
        }
        let broker = match values.string("broker")? {
            None => None,
            Some(b) => {
                let at = values.get("broker").expect("just read").location();
                match Service::parse(&b).filter(|s| *s != Service::Postgresql) {
                    Some(service) => Some((service, at)),
                    None => return Err(Error::at(at, format!("`broker` must be redis or rabbitmq, found `{b}`"))),
                }
            }
        };
        let wants_secret = externals.iter().any(|e| e.password.is_some());
        let secret = match (external_secret, wants_secret) {
            (Some(name), _) => Some((name.to_string(), false)),
            (None, true) => {
                let release = release.ok_or_else(|| {
                    Error::new("cannot tell the release name from the manifests (no `release:` label) to name the external services Secret; pass --release NAME")
                })?;
                Some((format!("{release}-polyaxon-external-services"), true))
            }
            (None, false) => None,
        };
        Ok(Some(ExternalServices {
            externals,
            secret,
            release: release.map(str::to_string),
            drop,
            broker,
            postgres_disabled,
            legacy_postgres: values.string("postgresql.externalPostgresHost")?.is_some(),
            builtins: Vec::new(),
            secret_in_stream: false,
        }))
    }

    /// The built-in service a document belongs to: by its template path, or
    /// (when Helm gave none) by its chart label.
    fn builtin_of(doc: &Doc<'_>) -> Option<Service> {
        let from_path = |source: &str| {
            Service::ALL.into_iter().find(|s| s.subcharts().iter().any(|c| source.contains(&format!("/charts/{c}/"))))
        };
        if let Some(source) = doc.source {
            return from_path(source);
        }
        let labels = doc.root.path(&["metadata", "labels"])?;
        let chart = labels.get("helm.sh/chart").or_else(|| labels.get("chart")).and_then(Node::text)?;
        Service::ALL.into_iter().find(|s| {
            s.subcharts().iter().any(|c| chart.strip_prefix(c).and_then(|v| v.strip_prefix('-')).is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit())))
        })
    }

    fn edit_config_map(&mut self, text: &str, data: &Node, edits: &mut Edits, notes: &mut Vec<String>) -> Result<(), NodeError> {
        let keys: Vec<String> = data.entries().unwrap_or_default().iter().filter_map(|(k, _)| k.text().map(str::to_string)).collect();
        let secret = self.secret.as_ref().map(|(name, _)| name.clone());
        for external in &mut self.externals {
            let service = external.service;
            if !keys.iter().any(|k| external.carries(k)) {
                continue;
            }
            external.carriers += 1;
            for (key, value) in &external.settings {
                set_data(text, data, key, value, edits);
            }
            for key in keys.iter().filter(|k| service.owns(k) && k.ends_with("_URL") && !external.settings.iter().any(|(s, _)| s == k)) {
                if let Some(url) = data_value(data, key).and_then(|v| with_authority(v, &external.authority)) {
                    set_data(text, data, key, &url, edits);
                }
            }
            for key in keys.iter().filter(|k| service.is_password(k)) {
                let (k, v) = data.entry(key).expect("listed above");
                let Some(secret) = &secret else {
                    return Err(NodeError::at(k, format!(
                        "{key} holds a password in a ConfigMap; give externalServices.{}.password or --external-secret so it can move to a Secret",
                        service.name()
                    )));
                };
                if !edits.remove_entry(text, k, v) {
                    return Err(NodeError::at(k, format!("{key}: cannot remove this password from the ConfigMap")));
                }
                notes.push(format!("removed {key} from the ConfigMap: it is read from Secret {secret} instead"));
            }
        }
        Ok(())
    }

    fn edit_container(&mut self, text: &str, container: &Node, edits: &mut Edits) -> Result<(), NodeError> {
        let names: Vec<String> = env_names(container).map(str::to_string).collect();
        let takes_passwords = Service::ALL.iter().any(|s| env_entry(container, s.password_env()).is_some());
        let mut vars = Vec::new();
        for external in &mut self.externals {
            let service = external.service;
            let configured_here = names.iter().any(|n| external.carries(n));
            if configured_here {
                external.carriers += 1;
                vars.extend(external.settings.iter().map(|(k, v)| (k.to_string(), EnvValue::Value(v.clone()))));
                for name in names.iter().filter(|n| service.owns(n) && n.ends_with("_URL")) {
                    if let Some(url) = env_value(container, name).and_then(|v| with_authority(v, &external.authority)) {
                        vars.push((name.clone(), EnvValue::Value(url)));
                    }
                }
            }
            if configured_here || takes_passwords {
                if let Some(reference) = password_ref(&self.secret, external) {
                    vars.push((service.password_env().to_string(), reference));
                }
            }
        }
        set_env(text, container, &vars, edits)
    }

    /// Errors for configurations Polyaxon cannot run, judged on what the chart rendered.
    fn check_availability(&self) -> Result<(), Error> {
        let external = |s: Service| self.externals.iter().any(|e| e.service == s);
        let in_cluster = |s: Service| self.builtins.iter().any(|b| b.service == s && !b.dropped);
        let available = |s: Service| external(s) || in_cluster(s);
        if !available(Service::Postgresql) && !self.legacy_postgres {
            let message = "Polyaxon has no database: the built-in postgresql is off and externalServices.postgresql.host is not set";
            return Err(match &self.postgres_disabled {
                Some(at) => Error::at(at.clone(), message),
                None => Error::new(message),
            });
        }
        if let Some((broker, at)) = &self.broker {
            if !available(*broker) {
                let other = if *broker == Service::Redis { Service::Rabbitmq } else { Service::Redis };
                let hint = if external(other) {
                    format!("; externalServices.{0} is set: did you mean `broker: {0}`?", other.name())
                } else {
                    String::new()
                };
                return Err(Error::at(
                    at.clone(),
                    format!(
                        "`broker` is {0} but no {0} is deployed or configured (enable the built-in one, or set externalServices.{0}.host){hint}",
                        broker.name()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The name of the Secret we emit, if we emit one.
    fn emitted_secret(&self) -> Option<&str> {
        match &self.secret {
            Some((name, true)) => Some(name),
            _ => None,
        }
    }

    /// `data` of our Secret: each password given in values, base64-encoded.
    fn secret_data(&self) -> Vec<(String, String)> {
        self.externals.iter().filter_map(|e| Some((e.service.secret_key().to_string(), base64(e.password.as_ref()?.as_bytes())))).collect()
    }

    fn secret_document(&self) -> Option<NewDocument> {
        let name = self.emitted_secret()?;
        let release = self.release.as_deref().unwrap_or_default();
        let data = self.secret_data().into_iter().map(|(k, v)| (k, Frag::str(&v))).collect();
        let labels = Frag::map([
            ("app.kubernetes.io/name", Frag::str(name)),
            ("app.kubernetes.io/instance", Frag::str(release)),
            ("app.kubernetes.io/managed-by", Frag::str("Helm")),
            ("app.kubernetes.io/component", Frag::str("polyaxon-pr")),
            ("release", Frag::str(release)),
            ("heritage", Frag::str("Helm")),
        ]);
        Some(NewDocument {
            source: "polyaxon-pr/external-services-secret.yaml".into(),
            object: Frag::map([
                ("apiVersion", Frag::str("v1")),
                ("kind", Frag::str("Secret")),
                ("metadata", Frag::map([("name", Frag::str(name)), ("labels", labels)])),
                ("type", Frag::str("Opaque")),
                ("data", Frag::Map(data)),
            ]),
        })
    }
}

/// Where a service's password env var should read from, if anywhere: the
/// emitted Secret holds only passwords given in values; an existing Secret
/// (`--external-secret`) is trusted to hold every password a service needs.
fn password_ref(secret: &Option<(String, bool)>, external: &External) -> Option<EnvValue> {
    let (name, emitted) = secret.as_ref()?;
    let wanted = if *emitted { external.password.is_some() } else { external.needs_password };
    wanted.then(|| EnvValue::SecretKey { secret: name.clone(), key: external.service.secret_key().to_string() })
}

fn external(values: &Values, service: Service) -> Result<Option<External>, Error> {
    let key = |k: &str| format!("externalServices.{}.{k}", service.name());
    let Some(host) = values.string(&key("host"))? else { return Ok(None) };
    let port = values.int(&key("port"))?;
    let password = values.scalar_text(&key("password"))?;
    let mut settings = Vec::new();
    let (default_port, needs_password) = match service {
        Service::Postgresql => (5432, true),
        Service::Redis => (6379, values.bool(&key("usePassword"))? == Some(true) || password.is_some()),
        Service::Rabbitmq => (5672, true),
    };
    let port = port.unwrap_or(default_port);
    match service {
        Service::Postgresql => {
            // With pgbouncer, the chart points Polyaxon at the pooler, which points at the host.
            let pgbouncer = values.get(&key("pgbouncer")).is_some_and(|f| f.node.entries().is_some_and(|e| !e.is_empty()));
            if !pgbouncer {
                settings.push(("POLYAXON_DB_HOST", host.clone()));
                settings.push(("POLYAXON_DB_PORT", port.to_string()));
            }
            if let Some(db) = values.string(&key("database"))? {
                settings.push(("POLYAXON_DB_NAME", db));
            }
            if let Some(user) = values.scalar_text(&key("user"))? {
                settings.push(("POLYAXON_DB_USER", user));
            }
            if let Some(age) = values.int(&key("connMaxAge"))? {
                settings.push(("POLYAXON_DB_CONN_MAX_AGE", age.to_string()));
            }
            if let Some(options) = values.get(&key("options")) {
                settings.push(("POLYAXON_DB_OPTIONS", options.node.to_json().to_string()));
            }
        }
        Service::Redis => {
            settings.push(("POLYAXON_REDIS_HOST", host.clone()));
            settings.push(("POLYAXON_REDIS_PORT", port.to_string()));
        }
        Service::Rabbitmq => {
            settings.push(("POLYAXON_AMQP_URL", format!("{host}:{port}")));
            if let Some(user) = values.scalar_text(&key("user"))? {
                settings.push(("POLYAXON_RABBITMQ_USER", user));
            }
        }
    }
    Ok(Some(External { service, settings, authority: format!("{host}:{port}"), password, needs_password, carriers: 0 }))
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
        let object = format!("{}/{}", doc.kind, workload::name(doc.root));
        self.builtins.push(Builtin { service, object, dropped });
        dropped.then(|| format!("--drop-builtin {}", service.name()))
    }

    fn edit(&mut self, doc: &Doc<'_>, edits: &mut Edits, notes: &mut Vec<String>) -> Result<(), NodeError> {
        if Self::builtin_of(doc).is_some() {
            // A kept built-in's own settings are its business.
            return Ok(());
        }
        if doc.kind == "Secret" && self.emitted_secret().is_some_and(|n| n == workload::name(doc.root)) {
            self.secret_in_stream = true;
            if let Some(data) = data_section(doc.root) {
                for (key, value) in self.secret_data() {
                    set_data(doc.text, data, &key, &value, edits);
                }
            }
            return Ok(());
        }
        if doc.kind == "ConfigMap" {
            return match data_section(doc.root) {
                Some(data) => self.edit_config_map(doc.text, data, edits, notes),
                None => Ok(()),
            };
        }
        for container in workload::pod_containers(doc.root, doc.kind) {
            self.edit_container(doc.text, container, edits)?;
        }
        Ok(())
    }

    fn finish(&mut self, notes: &mut Vec<String>) -> Result<Vec<NewDocument>, Error> {
        self.check_availability()?;
        for external in &self.externals {
            let name = external.service.name();
            let kept: Vec<&str> =
                self.builtins.iter().filter(|b| b.service == external.service && !b.dropped).map(|b| b.object.as_str()).collect();
            if !kept.is_empty() {
                notes.push(format!(
                    "externalServices.{name} is configured but the built-in {name} is still rendered ({}); set {name}.enabled=false, or pass --drop-builtin {name} (on an upgrade that deletes these objects, and their data, from the cluster)",
                    kept.join(", ")
                ));
            }
            if external.carriers == 0 {
                notes.push(format!(
                    "externalServices.{name} is configured but the chart renders no {name} connection settings (host, port or URLs) in this configuration, so Polyaxon is not pointed at it"
                ));
            }
            if external.password.is_some() && self.secret.as_ref().is_some_and(|(_, emitted)| !emitted) {
                notes.push(format!("externalServices.{name}.password is ignored: passwords come from --external-secret"));
            }
        }
        if self.secret_in_stream {
            return Ok(Vec::new());
        }
        Ok(self.secret_document().into_iter().collect())
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

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_one;

    const EXTERNAL: &str = "postgresql:\n  enabled: false\nexternalServices:\n  postgresql:\n    host: pg.example.internal\n    user: polyaxon\n    password: pg-secret\n    database: polyaxon\n  redis:\n    host: redis.example.internal\n    usePassword: true\n    password: r3d1s\n";

    fn build(values: &str, drop: &[&str], secret: Option<&str>) -> Result<Option<ExternalServices>, Error> {
        let mut v = Values::default();
        v.add_text("values.yaml", values).unwrap();
        ExternalServices::from_values(&v, &drop.iter().map(|d| d.to_string()).collect::<Vec<_>>(), secret, Some("pax"))
    }

    fn run(t: &mut ExternalServices, text: &str, source: Option<&str>) -> (String, Vec<String>, bool) {
        let root = parse_one(text).unwrap().unwrap();
        let kind = root.get("kind").and_then(Node::text).unwrap().to_string();
        let doc = Doc { text, root: &root, kind: &kind, source };
        if t.drops(&doc).is_some() {
            return (String::new(), Vec::new(), true);
        }
        let mut edits = Edits::default();
        let mut notes = Vec::new();
        t.edit(&doc, &mut edits, &mut notes).unwrap();
        (edits.apply(text), notes, false)
    }

    #[test]
    fn points_config_map_settings_and_redis_urls_at_the_external_services() {
        let mut t = build(EXTERNAL, &[], None).unwrap().unwrap();
        let cm = "kind: ConfigMap\ndata:\n  POLYAXON_DB_HOST: \"pax-postgresql\"\n  POLYAXON_DB_PORT: \"5432\"\n  POLYAXON_REDIS_SESSIONS_URL: redis://pax-redis:6379/5\n  POLYAXON_REDIS_HOST: pax-redis\n  POLYAXON_ADMIN_NAME: root\n";
        let (out, _, _) = run(&mut t, cm, None);
        assert_eq!(
            out,
            "kind: ConfigMap\ndata:\n  POLYAXON_DB_HOST: \"pg.example.internal\"\n  POLYAXON_DB_PORT: \"5432\"\n  POLYAXON_REDIS_SESSIONS_URL: \"redis://redis.example.internal:6379/5\"\n  POLYAXON_REDIS_HOST: \"redis.example.internal\"\n  POLYAXON_ADMIN_NAME: root\n  POLYAXON_DB_NAME: \"polyaxon\"\n  POLYAXON_DB_USER: \"polyaxon\"\n  POLYAXON_REDIS_PORT: \"6379\"\n"
        );
        let (again, _, _) = run(&mut t, &out, None);
        assert_eq!(again, out, "idempotent");
    }

    #[test]
    fn password_env_vars_read_from_the_emitted_secret() {
        let mut t = build(EXTERNAL, &[], None).unwrap().unwrap();
        let deploy = "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        env:\n        - name: POLYAXON_DB_PASSWORD\n          value: plain-text\n";
        let (out, _, _) = run(&mut t, deploy, None);
        assert!(!out.contains("plain-text"), "{out}");
        assert!(out.contains("- name: POLYAXON_DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: pax-polyaxon-external-services\n              key: postgres-password\n"), "{out}");
        assert!(out.contains("- name: POLYAXON_REDIS_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: pax-polyaxon-external-services\n              key: redis-password\n"), "{out}");
        let docs = t.finish(&mut Vec::new()).unwrap();
        let secret = docs[0].object.block();
        assert!(secret.contains("name: pax-polyaxon-external-services") && secret.contains("app.kubernetes.io/managed-by: Helm"), "{secret}");
        assert!(secret.contains(&format!("postgres-password: {}", base64(b"pg-secret"))) && !secret.contains("pg-secret\n"), "{secret}");
    }

    #[test]
    fn passwords_leave_config_maps_for_the_secret() {
        let mut t = build(EXTERNAL, &[], Some("db-creds")).unwrap().unwrap();
        let cm = "kind: ConfigMap\ndata:\n  POLYAXON_DB_HOST: pax-postgresql\n  POLYAXON_DB_PASSWORD: hunter2\n  POLYAXON_DB_PORT: \"5432\"\n";
        let (out, notes, _) = run(&mut t, cm, None);
        assert!(!out.contains("hunter2"), "{out}");
        assert_eq!(notes, ["removed POLYAXON_DB_PASSWORD from the ConfigMap: it is read from Secret db-creds instead"]);
        assert!(t.finish(&mut Vec::new()).unwrap().is_empty(), "--external-secret: nothing emitted");
    }

    #[test]
    fn builtins_are_dropped_only_when_asked_and_warned_about_otherwise() {
        let sts = "kind: StatefulSet\nmetadata:\n  name: pax-postgresql\n";
        let source = Some("polyaxon/charts/postgresql/templates/primary/statefulset.yaml");
        let mut keep = build(EXTERNAL, &[], None).unwrap().unwrap();
        assert!(!run(&mut keep, sts, source).2);
        let mut notes = Vec::new();
        keep.finish(&mut notes).unwrap();
        assert!(notes.iter().any(|n| n.contains("built-in postgresql is still rendered (StatefulSet/pax-postgresql)")), "{notes:?}");
        let mut drop = build(EXTERNAL, &["postgresql"], None).unwrap().unwrap();
        assert!(run(&mut drop, sts, source).2);
        // Without a source (a stream piped by hand), the chart label tells.
        let labelled = "kind: Service\nmetadata:\n  name: pax-redis-master\n  labels:\n    chart: redis-7.0.0\n";
        let mut drop = build(EXTERNAL, &["redis"], None).unwrap().unwrap();
        assert!(run(&mut drop, labelled, None).2);
    }

    #[test]
    fn contradictions_are_errors() {
        assert!(build(EXTERNAL, &["rabbitmq"], None).unwrap_err().to_string().contains("--drop-builtin rabbitmq needs externalServices.rabbitmq.host"));
        let mut t = build("postgresql:\n  enabled: false\n", &[], None).unwrap().unwrap();
        let err = t.finish(&mut Vec::new()).unwrap_err();
        assert_eq!(err.to_string(), "values.yaml:2:12: Polyaxon has no database: the built-in postgresql is off and externalServices.postgresql.host is not set");
        let mut t = build(&format!("{EXTERNAL}broker: rabbitmq\n"), &[], None).unwrap().unwrap();
        let err = t.finish(&mut Vec::new()).unwrap_err().to_string();
        assert!(err.starts_with("values.yaml:13:9: `broker` is rabbitmq but no rabbitmq is deployed or configured"), "{err}");
        assert!(err.ends_with("did you mean `broker: redis`?"), "{err}");
        assert!(build("broker: kafka\npostgresql:\n  enabled: false\n", &[], None).is_err());
        assert!(build("{}", &[], None).unwrap().is_none());
    }

    #[test]
    fn urls_and_base64() {
        assert_eq!(with_authority("redis://pax-redis:6379/0", "r:1"), Some("redis://r:1/0".into()));
        assert_eq!(with_authority("pax-redis-master:6379/1", "r:1"), Some("r:1/1".into()));
        assert_eq!(with_authority("redis://:pw@old:6379/2", "r:1"), Some("redis://:pw@r:1/2".into()));
        assert_eq!(with_authority("r:1/1", "r:1"), None);
        assert_eq!(base64(b"pg-secret-password"), "cGctc2VjcmV0LXBhc3N3b3Jk");
        assert_eq!(base64(b"ab"), "YWI=");
    }
}
