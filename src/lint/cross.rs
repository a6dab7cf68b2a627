//! Cross-field rules: configurations Polyaxon cannot run, as its own
//! validator judges them (no database, no broker, a broker that names an
//! unused service, in-cluster and external at once, and for charts 0.x no
//! redis). They decide on the settings model's [`Services`], read from the
//! file over the target version's defaults the way Helm reads it (the same
//! model the post-renderer reads from the merged values), and are reported
//! at the user's key.

use super::rules::*;
use super::written::{user, TopIndexed, Written};
use super::{At, Diagnostic, RuleContext};
use crate::knowledge::read_keys::{switches::BROKER, PERSISTENCE, PERSISTENCE_NAMED_VOLUMES};
use crate::knowledge::{Service, BROKER_CLIENTS};
use crate::values::settings::{Dependency, Services, Switch, Volume};
use crate::yaml::Node;

/// Where Helm and Polyaxon part on a switch: Polyaxon reads the string
/// "false" as false, Helm as true. Said in the message of a rule it drives
/// (nothing when the switch is not a string).
struct ReadAsTrue<'a>(Option<(&'a str, &'a str)>);

fn read_as_true<'a>(switch: &'a Switch<'_>) -> ReadAsTrue<'a> {
    ReadAsTrue(switch.string().map(|text| (&*switch.key, text)))
}

impl std::fmt::Display for ReadAsTrue<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some((path, text)) => write!(f, " (`{path}` is the string \"{text}\", which Helm reads as true)"),
            None => Ok(()),
        }
    }
}

/// A dependency's switch key.
fn key<'a>(d: &'a Dependency<'_>) -> &'a str {
    &d.switch.key
}

/// Where to report: the first of `paths` the user wrote, else the document's first key.
pub(super) fn locate(ctx: &RuleContext<'_>, doc: &Node, paths: &[&str]) -> At {
    for path in paths {
        if let Some((k, v)) = user(doc, path) {
            return (path.to_string(), ctx.span(k, v));
        }
    }
    let (k, _) = &doc.entries().unwrap_or_default()[0];
    (k.text().unwrap_or_default().to_string(), ctx.span(k, k))
}

pub fn check(ctx: &mut RuleContext<'_>, doc: &Node) {
    if doc.entries().is_none_or(|e| e.is_empty()) {
        return;
    }
    let written = TopIndexed::new(doc);
    let services = Services::read(&written, ctx.catalog, Some(ctx.target));
    let since = |ctx: &RuleContext<'_>, v: &str| ctx.target >= ctx.catalog.index_of(v);
    let Services { postgresql: postgres, redis, rabbitmq, .. } = &services;
    // Before 0.5 the external host lived under postgresql; later charts ignore it.
    let legacy_postgres = services.reads_legacy_postgres_host && services.legacy_postgres_host.is_some();
    if postgres.switched_off() && !postgres.external() && !legacy_postgres {
        ctx.push(no_database(locate(ctx, doc, &[key(postgres), "postgresql"])));
    }
    if !since(ctx, "1.0.0") {
        persistence(ctx, doc);
    }
    if !since(ctx, "0.5.0") {
        return;
    }
    let broker = services.broker.as_deref();
    // Charts 0.x always need redis, and rabbitmq unless redis is the broker.
    if !since(ctx, "1.0.0") {
        if redis.switched_off() && !redis.external() {
            ctx.push(no_redis(locate(ctx, doc, &[key(redis), "redis"])));
        }
        if rabbitmq.switched_off() && !rabbitmq.external() && broker != Some("redis") {
            ctx.push(no_broker(locate(ctx, doc, &[key(rabbitmq), BROKER]), NoBroker::Rabbitmq0x));
        }
    }
    let chart_1x = since(ctx, "1.0.0");
    for s in [postgres, redis, rabbitmq] {
        if s.in_cluster() && s.external() {
            let at = locate(ctx, doc, &[s.service.external_host_key(), key(s)]);
            // Polyaxon's validators reject it for redis and rabbitmq from 1.x; the chart uses the in-cluster one.
            let rejected = s.service != Service::Postgresql && chart_1x;
            ctx.push(in_cluster_and_external(at, s, read_as_true(&s.switch), rejected));
        }
    }
    // Broker rules hold from the charts that name a default broker (1.1);
    // earlier charts ran redis and rabbitmq side by side.
    if services.default_broker.is_none() {
        return;
    }
    let set_by_user = services.broker_set;
    let non_broker = services.redis_non_broker.renders_on_plain() == Some(true);
    let redis_is_broker = broker == Some("redis");
    if redis.used() && !redis_is_broker && !non_broker {
        let at = locate(ctx, doc, &[BROKER, redis.service.external_host_key(), key(redis)]);
        ctx.push(broker_mismatch(at, Service::Redis, broker, read_as_true(&redis.switch)));
    }
    if rabbitmq.used() && redis_is_broker {
        let at = locate(ctx, doc, &[BROKER, rabbitmq.service.external_host_key(), key(rabbitmq)]);
        ctx.push(if set_by_user {
            broker_mismatch(at, Service::Rabbitmq, broker, read_as_true(&rabbitmq.switch))
        } else {
            // Nothing breaks: the chart's default broker is redis and rabbitmq just idles.
            unused_rabbitmq(at)
        });
    }
    // Redis as the chart's default broker next to a configured rabbitmq: X006 above said it.
    let default_redis_broker = redis_is_broker && !set_by_user;
    if rabbitmq.used() && redis.used() && !non_broker && !default_redis_broker {
        let hosts = [redis.service.external_host_key(), key(redis), rabbitmq.service.external_host_key(), key(rabbitmq)];
        let at = locate(ctx, doc, &hosts);
        ctx.push(two_brokers(at, read_as_true(&redis.switch), read_as_true(&rabbitmq.switch)));
    }
    let needs_broker = BROKER_CLIENTS.iter().zip(&services.broker_clients).find(|(_, s)| s.renders_on_plain() == Some(true));
    // Without RabbitMQ (2.17 on) only a redis that is the broker is one.
    let rabbitmq_offered = rabbitmq.offered;
    let broker_there = if rabbitmq_offered { redis.used() || rabbitmq.used() } else { redis.used() && !non_broker };
    if let Some((client, enabled)) = needs_broker {
        if !broker_there {
            let at = locate(ctx, doc, &[&enabled.key, BROKER]);
            let why = read_as_true(enabled);
            let missing = if rabbitmq_offered {
                NoBroker::Neither { client, why, broker: broker.unwrap_or("redis") }
            } else if redis.used() {
                NoBroker::RedisNotBroker { client, version: ctx.version() }
            } else {
                NoBroker::NoRedis { client, why }
            };
            ctx.push(no_broker(at, missing));
        }
    }
}

/// Charts 0.x: each persistence entry is one of a claim, a host path or a
/// store. Judged on the user's own entries, as Polyaxon's validator does
/// (the chart's defaults give every entry a hostPath to be overridden).
fn persistence(ctx: &mut RuleContext<'_>, doc: &Node) {
    let Some((_, section)) = doc.entry(PERSISTENCE) else { return };
    let mut entries: Vec<(String, &Node)> = Vec::new();
    for (key, value) in section.entries().unwrap_or_default() {
        let name = key.text().unwrap_or_default();
        if PERSISTENCE_NAMED_VOLUMES.contains(&name) {
            entries.extend(
                value
                    .entries()
                    .unwrap_or_default()
                    .iter()
                    .map(|(k, v)| (format!("{PERSISTENCE}.{name}.{}", k.text().unwrap_or_default()), v)),
            );
        } else {
            entries.push((format!("{PERSISTENCE}.{name}"), value));
        }
    }
    for (path, entry) in entries {
        let written = Written(entry);
        let names: Vec<&str> = Volume::read(&written).named().collect();
        if let [_, second, ..] = names[..] {
            let (key, value) = entry.entry(second).expect("named: set");
            let at = (format!("{path}.{second}"), ctx.span(key, value));
            ctx.push(persistence_conflict(at, &path, &names));
        }
    }
}

// Each rule's diagnostic, made whole (message, help, severity) from where it
// points and the facts that decided it.

/// X001.
fn no_database(at: At) -> Diagnostic {
    let message = "Polyaxon has no database: the in-cluster postgresql is disabled and no external one is configured";
    Diagnostic::new(NO_DATABASE, at, message.into()).with_help("enable postgresql, or set externalServices.postgresql.host")
}

/// X007.
fn no_redis(at: At) -> Diagnostic {
    let message = "Polyaxon 0.x needs redis: the in-cluster redis is disabled and no external one is configured";
    Diagnostic::new(NO_REDIS, at, message.into()).with_help("enable redis, or set externalServices.redis.host")
}

/// Why no broker is there (X002).
enum NoBroker<'a> {
    /// Charts 0.x: rabbitmq off, none external, and `broker` is not redis.
    Rabbitmq0x,
    /// `client` is on, and neither redis nor rabbitmq is deployed or configured.
    Neither { client: &'a str, why: ReadAsTrue<'a>, broker: &'a str },
    /// A chart without RabbitMQ: `client` is on and redis is not deployed or configured.
    NoRedis { client: &'a str, why: ReadAsTrue<'a> },
    /// A chart without RabbitMQ: redis is there but marked redis.nonBroker.
    RedisNotBroker { client: &'a str, version: &'a str },
}

/// X002.
fn no_broker(at: At, missing: NoBroker<'_>) -> Diagnostic {
    let (message, help) = match missing {
        NoBroker::Rabbitmq0x => (
            "the in-cluster rabbitmq is disabled, no external one is configured, and `broker` is not redis".to_string(),
            "enable rabbitmq-ha, set externalServices.rabbitmq.host, or set `broker: redis`".to_string(),
        ),
        NoBroker::Neither { client, why, broker } => (
            format!("{client} needs a broker, but neither redis nor rabbitmq is deployed or configured{why}"),
            format!("enable the in-cluster {broker}, or set externalServices.{broker}.host"),
        ),
        NoBroker::NoRedis { client, why } => (
            format!("{client} needs a broker, but redis is not deployed or configured{why}"),
            "enable the in-cluster redis, or set externalServices.redis.host".to_string(),
        ),
        NoBroker::RedisNotBroker { client, version } => (
            format!("{client} needs a broker, and redis is marked redis.nonBroker: true (chart {version} has no RabbitMQ)"),
            "drop redis.nonBroker: redis is the only broker there is".to_string(),
        ),
    };
    Diagnostic::new(NO_BROKER, at, message).with_help(help)
}

/// X004: a warning where the chart just uses the in-cluster one and
/// Polyaxon's validator lets it through (`rejected` false).
fn in_cluster_and_external(at: At, s: &Dependency<'_>, why: ReadAsTrue<'_>, rejected: bool) -> Diagnostic {
    let message = format!("{} is enabled in-cluster and configured as an external service{why}", s.service.name());
    let d = Diagnostic::new(IN_CLUSTER_AND_EXTERNAL, at, message)
        .with_help(format!("set {}: false to use the external one, or remove it", s.switch.key));
    if rejected {
        return d;
    }
    Diagnostic { severity: Severity::Warning, message: format!("{}; the chart uses the in-cluster one", d.message), ..d }
}

/// X003: `used` (redis or rabbitmq) is deployed or configured, and `broker` names the other.
fn broker_mismatch(at: At, used: Service, broker: Option<&str>, why: ReadAsTrue<'_>) -> Diagnostic {
    let (message, help) = if used == Service::Redis {
        (
            format!("redis is used but `broker` is {}{why}", broker.unwrap_or("not redis")),
            "set `broker: redis`, drop redis, or mark it redis.nonBroker: true",
        )
    } else {
        (format!("rabbitmq is used but `broker` is redis{why}"), "set `broker: rabbitmq`, or drop rabbitmq")
    };
    Diagnostic::new(BROKER_MISMATCH, at, message).with_help(help)
}

/// X006: rabbitmq configured next to the chart's default broker, redis.
fn unused_rabbitmq(at: At) -> Diagnostic {
    let message = "rabbitmq is configured, but the broker is redis (the chart's default), so nothing uses it";
    Diagnostic::new(UNUSED_SERVICE, at, message.into()).with_help("set `broker: rabbitmq` to use it, or remove it")
}

/// X005.
fn two_brokers(at: At, redis_why: ReadAsTrue<'_>, rabbitmq_why: ReadAsTrue<'_>) -> Diagnostic {
    let message = format!("both rabbitmq and redis are deployed or configured as broker{redis_why}{rabbitmq_why}");
    Diagnostic::new(TWO_BROKERS, at, message).with_help("keep the one `broker` names")
}

/// X008: the entry at `path` sets each of `names`.
fn persistence_conflict(at: At, path: &str, names: &[&str]) -> Diagnostic {
    let message = format!("`{path}` sets {}: Polyaxon takes exactly one", names.join(" and "));
    Diagnostic::new(PERSISTENCE_CONFLICT, at, message).with_help("keep one of existingClaim, hostPath and store")
}

#[cfg(test)]
mod tests {
    use super::super::lint_text;
    use super::*;
    use crate::knowledge::catalog::Catalog;
    use crate::values::settings::Kind;

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

    #[test]
    fn the_model_reads_a_linted_document_as_it_reads_the_merged_values() {
        use crate::values::{HelmMajor, Values};
        let text = "postgresql:\n  enabled: \"false\"\nredis:\n  enabled: true\n  nonBroker: yes\nscheduler:\n  enabled: 1\nexternalServices:\n  rabbitmq:\n    host: q\nbroker: rabbitmq\n";
        let doc = crate::yaml::parse_all_resolved_and_plain(text).unwrap().0.remove(0);
        let mut values = Values::default();
        values.add_text("values.yaml", text, HelmMajor::V4).unwrap();
        let target = Catalog::get().resolve("2.15.1").unwrap();
        let written = Written(&doc);
        let (a, b) = (Services::read(&written, Catalog::get(), Some(target)), Services::read(&values, Catalog::get(), Some(target)));
        let facts = |s: &Services<'_>| {
            let deps = [&s.postgresql, &s.redis, &s.rabbitmq].map(|d| (d.in_cluster(), d.external(), d.switch.renders_on()));
            (deps, s.broker.as_deref().map(str::to_string), s.broker_set, s.redis_non_broker.renders_on(), s.scheduler.renders_on())
        };
        assert_eq!(facts(&a), facts(&b));
        // As written, 1 is an integer; Helm reads it as the float 1.
        assert_eq!(a.scheduler.held.as_ref().map(|h| h.kind), Some(Kind::Int(1)));
        assert_eq!(b.scheduler.held.as_ref().map(|h| h.kind), Some(Kind::Float(1.0)));
    }
}
