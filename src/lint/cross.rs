//! Cross-field rules: configurations Polyaxon cannot run, as its own
//! validator judges them (no database, no broker, a broker that names an
//! unused service, in-cluster and external at once). They are judged on the
//! file merged over the target version's defaults, and reported at the
//! user's key.

use super::rules::*;
use super::{Ctx, Span};
use crate::knowledge::catalog::Default;
use crate::yaml::{Node, Scalar};

/// The user's value at a dotted path (the last of duplicate keys, as Helm).
fn user<'a>(doc: &'a Node, path: &str) -> Option<(&'a Node, &'a Node)> {
    let mut node = doc;
    let mut found = None;
    for part in path.split('.') {
        let (k, v) = node.entry(part)?;
        found = Some((k, v));
        node = v;
    }
    found.filter(|(_, v)| !v.is_null())
}

/// The file's value over the chart default.
enum Merged<'a> {
    User(&'a Node),
    Default(Default),
    Unset,
}

fn merged<'a>(ctx: &'a Ctx<'_>, doc: &'a Node, path: &str) -> Merged<'a> {
    match (user(doc, path), ctx.catalog.default(path, ctx.target)) {
        (Some((_, v)), _) => Merged::User(v),
        (None, d) if d != Default::None && d != Default::Hidden => Merged::Default(d),
        _ => Merged::Unset,
    }
}

fn is_true(ctx: &Ctx<'_>, doc: &Node, path: &str) -> bool {
    match merged(ctx, doc, path) {
        Merged::User(v) => matches!(v.scalar(), Some(Scalar::Bool(true))),
        Merged::Default(d) => d.as_bool() == Some(true),
        Merged::Unset => false,
    }
}

/// Explicitly false: charts before 0.1.5 had no `postgresql.enabled`, and
/// Polyaxon only treats an explicit `false` as disabled.
fn is_false(ctx: &Ctx<'_>, doc: &Node, path: &str) -> bool {
    match merged(ctx, doc, path) {
        Merged::User(v) => matches!(v.scalar(), Some(Scalar::Bool(false))),
        Merged::Default(d) => d.as_bool() == Some(false),
        Merged::Unset => false,
    }
}

fn text(ctx: &Ctx<'_>, doc: &Node, path: &str) -> Option<String> {
    match merged(ctx, doc, path) {
        Merged::User(v) => v.text().map(str::to_string),
        Merged::Default(d) => d.as_str().map(str::to_string),
        Merged::Unset => None,
    }
    .filter(|s| !s.is_empty())
}

/// Where to report: the first of `paths` the user wrote, else the document's first key.
fn locate(ctx: &Ctx<'_>, doc: &Node, paths: &[&str]) -> (String, Span) {
    for path in paths {
        if let Some((k, v)) = user(doc, path) {
            return (path.to_string(), ctx.span(k, v));
        }
    }
    let (k, _) = &doc.entries().unwrap_or_default()[0];
    (k.text().unwrap_or_default().to_string(), ctx.span(k, k))
}

struct Service {
    name: &'static str,
    enabled_key: &'static str,
    host_key: &'static str,
    in_cluster: bool,
    external: bool,
}

impl Service {
    fn used(&self) -> bool {
        self.in_cluster || self.external
    }
}

fn service(ctx: &Ctx<'_>, doc: &Node, name: &'static str) -> Service {
    // rabbitmq-ha before chart 1.21, rabbitmq since.
    let enabled_key = match name {
        "rabbitmq" if ctx.catalog.at("rabbitmq.enabled", ctx.target).is_none() => "rabbitmq-ha.enabled",
        "rabbitmq" => "rabbitmq.enabled",
        "redis" => "redis.enabled",
        _ => "postgresql.enabled",
    };
    let host_key = match name {
        "rabbitmq" => "externalServices.rabbitmq.host",
        "redis" => "externalServices.redis.host",
        _ => "externalServices.postgresql.host",
    };
    Service { name, enabled_key, host_key, in_cluster: is_true(ctx, doc, enabled_key), external: text(ctx, doc, host_key).is_some() }
}

pub fn check(ctx: &mut Ctx<'_>, doc: &Node) {
    if doc.entries().is_none_or(|e| e.is_empty()) {
        return;
    }
    let since = |ctx: &Ctx<'_>, v: &str| ctx.target >= ctx.catalog.index_of(v);
    let postgres = service(ctx, doc, "postgresql");
    // Before 0.5 the external host lived under postgresql; later charts ignore it.
    let legacy_postgres = ctx.target < ctx.catalog.index_of("0.5.0") && text(ctx, doc, "postgresql.externalPostgresHost").is_some();
    if is_false(ctx, doc, postgres.enabled_key) && !postgres.external && !legacy_postgres {
        let (key, span) = locate(ctx, doc, &["postgresql.enabled", "postgresql"]);
        let d = ctx.report(
            NO_DATABASE,
            &key,
            span,
            "Polyaxon has no database: the in-cluster postgresql is disabled and no external one is configured".into(),
        );
        d.help = Some("enable postgresql, or set externalServices.postgresql.host".into());
    }
    if !since(ctx, "0.5.0") {
        return;
    }
    let redis = service(ctx, doc, "redis");
    let rabbitmq = service(ctx, doc, "rabbitmq");
    for s in [&postgres, &redis, &rabbitmq] {
        if s.in_cluster && s.external {
            let (key, span) = locate(ctx, doc, &[s.host_key, s.enabled_key]);
            let enabled_key = s.enabled_key;
            let d = ctx.report(
                IN_CLUSTER_AND_EXTERNAL,
                &key,
                span,
                format!("{} is enabled in-cluster and configured as an external service", s.name),
            );
            d.help = Some(format!("set {enabled_key}: false to use the external one, or remove it"));
            if s.name == "postgresql" {
                // Polyaxon's validator accepts it; the chart uses the in-cluster one.
                d.severity = Severity::Warning;
                d.message.push_str("; the chart uses the in-cluster one");
            }
        }
    }
    // Broker rules hold from the charts that name a default broker (1.1);
    // earlier charts ran redis and rabbitmq side by side.
    if ctx.catalog.default("broker", ctx.target) == Default::None {
        return;
    }
    let broker = text(ctx, doc, "broker");
    let non_broker = is_true(ctx, doc, "redis.nonBroker");
    let redis_is_broker = broker.as_deref() == Some("redis");
    if redis.used() && !redis_is_broker && !non_broker {
        let (key, span) = locate(ctx, doc, &["broker", redis.host_key, redis.enabled_key]);
        let d =
            ctx.report(BROKER_MISMATCH, &key, span, format!("redis is used but `broker` is {}", broker.as_deref().unwrap_or("not redis")));
        d.help = Some("set `broker: redis`, drop redis, or mark it redis.nonBroker: true".into());
    }
    if rabbitmq.used() && redis_is_broker {
        let (key, span) = locate(ctx, doc, &["broker", rabbitmq.host_key, rabbitmq.enabled_key]);
        let d = ctx.report(BROKER_MISMATCH, &key, span, "rabbitmq is used but `broker` is redis".into());
        d.help = Some("set `broker: rabbitmq`, or drop rabbitmq".into());
    }
    if rabbitmq.used() && redis.used() && !non_broker {
        let (key, span) = locate(ctx, doc, &[redis.host_key, redis.enabled_key, rabbitmq.host_key, rabbitmq.enabled_key]);
        let d = ctx.report(TWO_BROKERS, &key, span, "both rabbitmq and redis are deployed or configured as broker".into());
        d.help = Some("keep the one `broker` names".into());
    }
    let needs_broker = ["scheduler", "compiler", "worker", "beat"].into_iter().find(|s| is_true(ctx, doc, &format!("{s}.enabled")));
    if let Some(service) = needs_broker {
        if !redis.used() && !rabbitmq.used() {
            let enabled = format!("{service}.enabled");
            let (key, span) = locate(ctx, doc, &[enabled.as_str(), "broker"]);
            let broker = broker.unwrap_or_else(|| "redis".into());
            let d = ctx.report(
                NO_BROKER,
                &key,
                span,
                format!("{service} needs a broker, but neither redis nor rabbitmq is deployed or configured"),
            );
            d.help = Some(format!("enable the in-cluster {broker}, or set externalServices.{broker}.host"));
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
        d.iter().map(|d| (d.code, d.span.line, d.key.as_str())).collect()
    }

    #[test]
    fn no_database() {
        assert_eq!(found(&lint("postgresql:\n  enabled: false\n", "2.15.1")), [("X001", 2, "postgresql.enabled")]);
        assert!(lint("postgresql:\n  enabled: false\nexternalServices:\n  postgresql:\n    host: db\n", "2.15.1").is_empty());
        // 0.4: the external host lived under postgresql.
        assert!(lint("postgresql:\n  enabled: false\n  externalPostgresHost: db\n", "0.4.4").is_empty());
    }

    #[test]
    fn broker_rules_on_the_file_merged_over_defaults() {
        // 2.15.1 defaults: broker redis, redis disabled.
        assert_eq!(found(&lint("scheduler:\n  enabled: true\n", "2.15.1")), [("X002", 2, "scheduler.enabled")]);
        assert!(lint("scheduler:\n  enabled: true\nredis:\n  enabled: true\n", "2.15.1").is_empty());
        let d = lint("broker: rabbitmq\nexternalServices:\n  redis:\n    host: r\n", "2.15.1");
        assert_eq!(found(&d), [("X003", 1, "broker")]);
        assert!(lint("broker: rabbitmq\nredis:\n  nonBroker: true\nexternalServices:\n  redis:\n    host: r\n", "2.15.1").is_empty());
        let d = lint("rabbitmq:\n  enabled: true\nredis:\n  enabled: true\n", "2.15.1");
        assert_eq!(found(&d), [("X003", 2, "rabbitmq.enabled"), ("X005", 4, "redis.enabled")]);
    }

    #[test]
    fn in_cluster_and_external() {
        let d = lint("redis:\n  enabled: true\nexternalServices:\n  redis:\n    host: r\n", "2.15.1");
        assert_eq!(found(&d), [("X004", 5, "externalServices.redis.host")]);
        let d = lint("postgresql:\n  enabled: true\nexternalServices:\n  postgresql:\n    host: db\n", "2.15.1");
        assert_eq!(found(&d), [("X004", 5, "externalServices.postgresql.host")]);
        assert_eq!(d[0].severity, Severity::Warning);
        // Before 1.21 the in-cluster rabbitmq is rabbitmq-ha.
        let d = lint("rabbitmq-ha:\n  enabled: true\nexternalServices:\n  rabbitmq:\n    host: q\n", "1.10.1");
        assert_eq!(found(&d), [("X004", 5, "externalServices.rabbitmq.host")]);
    }
}
