//! Cross-field rules: configurations Polyaxon cannot run, as its own
//! validator judges them (no database, no broker, a broker that names an
//! unused service, in-cluster and external at once, and for charts 0.x no
//! redis). They are judged on the file merged over the target version's
//! defaults, read the way Helm reads them, and reported at the user's key.

use super::rules::*;
use super::{RuleContext, Span};
use crate::knowledge::catalog::DefaultValue;
use crate::knowledge::read_keys::{switches::BROKER, LEGACY_POSTGRES_HOST};
use crate::knowledge::{Service, BROKER_CLIENTS};
use crate::yaml::{Node, Scalar};

/// The user's value at a dotted path (the last of duplicate keys, as Helm).
pub(super) fn user<'a>(doc: &'a Node, path: &str) -> Option<(&'a Node, &'a Node)> {
    let mut node = doc;
    let mut found = None;
    for part in path.split('.') {
        let (k, v) = node.entry(part)?;
        found = Some((k, v));
        node = v;
    }
    found.filter(|(_, v)| !v.is_null())
}

/// A switch as Helm reads it, over the chart's default. Templates
/// (`{{ if .Values.scheduler.enabled }}`) take any non-empty string for
/// true, `"false"` included; a subchart's dependency condition
/// (`postgresql.enabled`) takes only booleans, and with anything else Helm
/// keeps the subchart on (and the templates take the string for true).
fn switch(ctx: &RuleContext<'_>, doc: &Node, path: &str) -> Option<bool> {
    let condition = Service::ALL.iter().any(|s| s.subcharts().iter().any(|c| path == format!("{c}.enabled")));
    let by_user = user(doc, path).and_then(|(_, v)| match v.scalar() {
        Some(Scalar::Bool(b)) => Some(b),
        Some(_) if condition => Some(true),
        Some(Scalar::Int(n)) => Some(n != 0),
        Some(Scalar::Str(s)) => Some(!s.is_empty()),
        _ => None,
    });
    by_user.or(match ctx.catalog.default(path, ctx.target) {
        DefaultValue::Bool(b) => Some(b),
        _ => None,
    })
}

/// Where Helm and Polyaxon part on a switch: Polyaxon reads the string
/// "false" as false, Helm as true. Said in the message of a rule it drives.
fn read_as_true(doc: &Node, path: &str) -> String {
    match user(doc, path) {
        Some((_, v)) if matches!(v.scalar(), Some(Scalar::Str(_))) => {
            format!(" (`{path}` is the string \"{}\", which Helm reads as true)", v.text().unwrap_or_default())
        }
        _ => String::new(),
    }
}

fn text(ctx: &RuleContext<'_>, doc: &Node, path: &str) -> Option<String> {
    let value = match user(doc, path) {
        Some((_, v)) => v.text().map(str::to_string),
        None => ctx.catalog.default(path, ctx.target).as_str().map(str::to_string),
    };
    value.filter(|s| !s.is_empty())
}

/// Where to report: the first of `paths` the user wrote, else the document's first key.
pub(super) fn locate(ctx: &RuleContext<'_>, doc: &Node, paths: &[&str]) -> (String, Span) {
    for path in paths {
        if let Some((k, v)) = user(doc, path) {
            return (path.to_string(), ctx.span(k, v));
        }
    }
    let (k, _) = &doc.entries().unwrap_or_default()[0];
    (k.text().unwrap_or_default().to_string(), ctx.span(k, k))
}

/// How one built-in dependency stands in the merged values.
struct Dependency {
    service: Service,
    enabled_key: &'static str,
    host_key: &'static str,
    in_cluster: bool,
    /// Explicitly switched off (charts before 0.1.5 had no switch).
    off: bool,
    external: bool,
}

impl Dependency {
    /// How the service stands; one the chart version no longer offers
    /// (RabbitMQ from 2.17) is neither deployed nor configured: its keys
    /// are removed keys (K001), judged there.
    fn of(ctx: &RuleContext<'_>, doc: &Node, service: Service) -> Dependency {
        let enabled_key = service.enabled_key(Some(ctx.target));
        let host_key = service.external_host_key();
        let offered = service.offered(ctx.target);
        let enabled = switch(ctx, doc, enabled_key).filter(|_| offered);
        Dependency {
            service,
            enabled_key,
            external: offered && text(ctx, doc, host_key).is_some(),
            host_key,
            in_cluster: enabled == Some(true),
            off: enabled == Some(false),
        }
    }

    fn used(&self) -> bool {
        self.in_cluster || self.external
    }
}

pub fn check(ctx: &mut RuleContext<'_>, doc: &Node) {
    if doc.entries().is_none_or(|e| e.is_empty()) {
        return;
    }
    let since = |ctx: &RuleContext<'_>, v: &str| ctx.target >= ctx.catalog.index_of(v);
    let postgres = Dependency::of(ctx, doc, Service::Postgresql);
    // Before 0.5 the external host lived under postgresql; later charts ignore it.
    let legacy_postgres = !since(ctx, "0.5.0") && text(ctx, doc, LEGACY_POSTGRES_HOST).is_some();
    if postgres.off && !postgres.external && !legacy_postgres {
        let (key, span) = locate(ctx, doc, &[postgres.enabled_key, "postgresql"]);
        let d = ctx.report(
            NO_DATABASE,
            &key,
            span,
            "Polyaxon has no database: the in-cluster postgresql is disabled and no external one is configured".into(),
        );
        d.help = Some("enable postgresql, or set externalServices.postgresql.host".into());
    }
    if !since(ctx, "1.0.0") {
        persistence(ctx, doc);
    }
    if !since(ctx, "0.5.0") {
        return;
    }
    let redis = Dependency::of(ctx, doc, Service::Redis);
    let rabbitmq = Dependency::of(ctx, doc, Service::Rabbitmq);
    let broker = text(ctx, doc, BROKER);
    // Charts 0.x always need redis, and rabbitmq unless redis is the broker.
    if !since(ctx, "1.0.0") {
        if redis.off && !redis.external {
            let (key, span) = locate(ctx, doc, &[redis.enabled_key, "redis"]);
            let d = ctx.report(
                NO_REDIS,
                &key,
                span,
                "Polyaxon 0.x needs redis: the in-cluster redis is disabled and no external one is configured".into(),
            );
            d.help = Some("enable redis, or set externalServices.redis.host".into());
        }
        if rabbitmq.off && !rabbitmq.external && broker.as_deref() != Some("redis") {
            let (key, span) = locate(ctx, doc, &[rabbitmq.enabled_key, BROKER]);
            let d = ctx.report(
                NO_BROKER,
                &key,
                span,
                "the in-cluster rabbitmq is disabled, no external one is configured, and `broker` is not redis".into(),
            );
            d.help = Some("enable rabbitmq-ha, set externalServices.rabbitmq.host, or set `broker: redis`".into());
        }
    }
    let chart_1x = since(ctx, "1.0.0");
    for s in [&postgres, &redis, &rabbitmq] {
        if s.in_cluster && s.external {
            let (key, span) = locate(ctx, doc, &[s.host_key, s.enabled_key]);
            let name = s.service.name();
            let d = ctx.report(
                IN_CLUSTER_AND_EXTERNAL,
                &key,
                span,
                format!("{name} is enabled in-cluster and configured as an external service{}", read_as_true(doc, s.enabled_key)),
            );
            d.help = Some(format!("set {}: false to use the external one, or remove it", s.enabled_key));
            // Polyaxon's validators reject it for redis and rabbitmq from 1.x; the chart uses the in-cluster one.
            if s.service == Service::Postgresql || !chart_1x {
                d.severity = Severity::Warning;
                d.message.push_str("; the chart uses the in-cluster one");
            }
        }
    }
    // Broker rules hold from the charts that name a default broker (1.1);
    // earlier charts ran redis and rabbitmq side by side.
    if ctx.catalog.default(BROKER, ctx.target) == DefaultValue::None {
        return;
    }
    let set_by_user = user(doc, BROKER).is_some();
    let non_broker = switch(ctx, doc, "redis.nonBroker") == Some(true);
    let redis_is_broker = broker.as_deref() == Some("redis");
    if redis.used() && !redis_is_broker && !non_broker {
        let (key, span) = locate(ctx, doc, &[BROKER, redis.host_key, redis.enabled_key]);
        let d = ctx.report(
            BROKER_MISMATCH,
            &key,
            span,
            format!("redis is used but `broker` is {}{}", broker.as_deref().unwrap_or("not redis"), read_as_true(doc, redis.enabled_key)),
        );
        d.help = Some("set `broker: redis`, drop redis, or mark it redis.nonBroker: true".into());
    }
    if rabbitmq.used() && redis_is_broker {
        let (key, span) = locate(ctx, doc, &[BROKER, rabbitmq.host_key, rabbitmq.enabled_key]);
        if set_by_user {
            let d = ctx.report(
                BROKER_MISMATCH,
                &key,
                span,
                format!("rabbitmq is used but `broker` is redis{}", read_as_true(doc, rabbitmq.enabled_key)),
            );
            d.help = Some("set `broker: rabbitmq`, or drop rabbitmq".into());
        } else {
            // Nothing breaks: the chart's default broker is redis and rabbitmq just idles.
            let d = ctx.report(
                UNUSED_SERVICE,
                &key,
                span,
                "rabbitmq is configured, but the broker is redis (the chart's default), so nothing uses it".into(),
            );
            d.help = Some("set `broker: rabbitmq` to use it, or remove it".into());
        }
    }
    // Redis as the chart's default broker next to a configured rabbitmq: X006 above said it.
    let default_redis_broker = redis_is_broker && !set_by_user;
    if rabbitmq.used() && redis.used() && !non_broker && !default_redis_broker {
        let (key, span) = locate(ctx, doc, &[redis.host_key, redis.enabled_key, rabbitmq.host_key, rabbitmq.enabled_key]);
        let d = ctx.report(
            TWO_BROKERS,
            &key,
            span,
            format!(
                "both rabbitmq and redis are deployed or configured as broker{}{}",
                read_as_true(doc, redis.enabled_key),
                read_as_true(doc, rabbitmq.enabled_key)
            ),
        );
        d.help = Some("keep the one `broker` names".into());
    }
    let needs_broker = BROKER_CLIENTS.iter().find(|s| switch(ctx, doc, &format!("{s}.enabled")) == Some(true));
    // Without RabbitMQ (2.17 on) only a redis that is the broker is one.
    let broker_there = if Service::Rabbitmq.offered(ctx.target) { redis.used() || rabbitmq.used() } else { redis.used() && !non_broker };
    if let Some(service) = needs_broker {
        if !broker_there {
            let enabled = format!("{service}.enabled");
            let (key, span) = locate(ctx, doc, &[enabled.as_str(), BROKER]);
            let message = if Service::Rabbitmq.offered(ctx.target) {
                format!("{service} needs a broker, but neither redis nor rabbitmq is deployed or configured{}", read_as_true(doc, &enabled))
            } else if redis.used() {
                format!("{service} needs a broker, and redis is marked redis.nonBroker: true (chart {} has no RabbitMQ)", ctx.version())
            } else {
                format!("{service} needs a broker, but redis is not deployed or configured{}", read_as_true(doc, &enabled))
            };
            let broker = broker.filter(|b| Service::Rabbitmq.offered(ctx.target) || b == "redis").unwrap_or_else(|| "redis".into());
            let nothing_but_redis = !Service::Rabbitmq.offered(ctx.target) && redis.used();
            let d = ctx.report(NO_BROKER, &key, span, message);
            d.help = Some(if nothing_but_redis {
                "drop redis.nonBroker: redis is the only broker there is".to_string()
            } else {
                format!("enable the in-cluster {broker}, or set externalServices.{broker}.host")
            });
        }
    }
}

/// Charts 0.x: each persistence entry is one of a claim, a host path or a
/// store. Judged on the user's own entries, as Polyaxon's validator does
/// (the chart's defaults give every entry a hostPath to be overridden).
fn persistence(ctx: &mut RuleContext<'_>, doc: &Node) {
    let Some((_, section)) = doc.entry("persistence") else { return };
    let named = |k: &str| matches!(k, "data" | "outputs");
    let mut entries: Vec<(String, &Node)> = Vec::new();
    for (key, value) in section.entries().unwrap_or_default() {
        let name = key.text().unwrap_or_default();
        if named(name) {
            entries.extend(
                value
                    .entries()
                    .unwrap_or_default()
                    .iter()
                    .map(|(k, v)| (format!("persistence.{name}.{}", k.text().unwrap_or_default()), v)),
            );
        } else {
            entries.push((format!("persistence.{name}"), value));
        }
    }
    for (path, entry) in entries {
        let set: Vec<&(Node, Node)> = ["existingClaim", "hostPath", "store"]
            .iter()
            .filter_map(|k| entry.entry(k))
            .filter(|(_, v)| !v.is_null() && v.text().is_some_and(|t| !t.is_empty()))
            .collect();
        if let [_, (key, value), ..] = set[..] {
            let names: Vec<&str> = set.iter().filter_map(|(k, _)| k.text()).collect();
            let span = ctx.span(key, value);
            let key = format!("{path}.{}", key.text().unwrap_or_default());
            let d =
                ctx.report(PERSISTENCE_CONFLICT, &key, span, format!("`{path}` sets {}: Polyaxon takes exactly one", names.join(" and ")));
            d.help = Some("keep one of existingClaim, hostPath and store".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{lint_text, Diagnostic};
    use super::*;
    use crate::knowledge::catalog::Catalog;

    fn lint(text: &str, version: &str) -> Vec<Diagnostic> {
        lint_text(text, Catalog::get().resolve(version).unwrap()).unwrap()
    }

    fn found(d: &[Diagnostic]) -> Vec<(&str, usize, &str)> {
        d.iter().map(|d| (d.code.as_str(), d.span.line, d.key.as_str())).collect()
    }

    #[test]
    fn no_database() {
        assert_eq!(found(&lint("postgresql:\n  enabled: false\n", "2.15.1")), [("X001", 2, "postgresql.enabled")]);
        assert!(lint("postgresql:\n  enabled: false\nexternalServices:\n  postgresql:\n    host: db\n", "2.15.1").is_empty());
        // 0.4: the external host lived under postgresql.
        assert!(lint("postgresql:\n  enabled: false\n  externalPostgresHost: db\n", "0.4.4").is_empty());
        // A dependency condition takes only booleans: "false" leaves the built-in on.
        assert!(lint("postgresql:\n  enabled: \"false\"\n", "2.15.1").iter().all(|d| d.code != "X001"));
    }

    #[test]
    fn broker_rules_on_the_file_merged_over_defaults() {
        // 2.15.1 defaults: broker redis, redis disabled.
        assert_eq!(found(&lint("scheduler:\n  enabled: true\n", "2.15.1")), [("X002", 2, "scheduler.enabled")]);
        // Templates take the string "true" for true.
        assert_eq!(found(&lint("scheduler:\n  enabled: \"true\"\n", "2.15.1")).iter().filter(|f| f.0 == "X002").count(), 1);
        assert!(lint("scheduler:\n  enabled: true\nredis:\n  enabled: true\n", "2.15.1").is_empty());
        let d = lint("broker: rabbitmq\nexternalServices:\n  redis:\n    host: r\n", "2.15.1");
        assert_eq!(found(&d), [("X003", 1, "broker")]);
        assert!(lint("broker: rabbitmq\nredis:\n  nonBroker: true\nexternalServices:\n  redis:\n    host: r\n", "2.15.1").is_empty());
        let d = lint("rabbitmq:\n  enabled: true\nredis:\n  enabled: true\nbroker: redis\n", "2.15.1");
        assert_eq!(found(&d), [("X005", 4, "redis.enabled"), ("X003", 5, "broker")]);
    }

    #[test]
    fn an_unused_rabbitmq_next_to_the_default_broker_is_a_warning() {
        let d = lint("externalServices:\n  rabbitmq:\n    host: q\n", "2.15.1");
        assert_eq!(found(&d), [("X006", 3, "externalServices.rabbitmq.host")]);
        assert_eq!(d[0].severity, Severity::Warning);
    }

    #[test]
    fn charts_0x_need_redis_and_a_broker() {
        assert_eq!(found(&lint("redis:\n  enabled: false\n", "0.5.6")), [("X007", 2, "redis.enabled")]);
        assert_eq!(found(&lint("rabbitmq-ha:\n  enabled: false\n", "0.5.6")), [("X002", 2, "rabbitmq-ha.enabled")]);
        assert!(lint("rabbitmq-ha:\n  enabled: false\nbroker: redis\n", "0.5.6").is_empty());
    }

    #[test]
    fn charts_0x_persistence_is_one_thing() {
        let d = lint(
            "persistence:\n  upload:\n    existingClaim: pvc\n    hostPath: /tmp\n  data:\n    d1:\n      store: s3\n      bucket: b\n",
            "0.6.1",
        );
        assert_eq!(found(&d), [("X008", 4, "persistence.upload.hostPath")]);
        assert!(lint("persistence:\n  upload:\n    existingClaim: pvc\n    hostPath: null\n", "0.6.1").is_empty());
    }

    #[test]
    fn in_cluster_and_external() {
        let d = lint("redis:\n  enabled: true\nexternalServices:\n  redis:\n    host: r\n", "2.15.1");
        assert_eq!(found(&d), [("X004", 5, "externalServices.redis.host")]);
        let d = lint("postgresql:\n  enabled: true\nexternalServices:\n  postgresql:\n    host: db\n", "2.15.1");
        assert_eq!(found(&d), [("X004", 5, "externalServices.postgresql.host")]);
        assert_eq!(d[0].severity, Severity::Warning);
        // Before 1.21 the in-cluster rabbitmq is rabbitmq-ha.
        let d = lint("rabbitmq-ha:\n  enabled: true\nexternalServices:\n  rabbitmq:\n    host: q\nbroker: rabbitmq\n", "1.10.1");
        assert_eq!(found(&d), [("X004", 5, "externalServices.rabbitmq.host")]);
    }
}
