//! Type and value rules: a value whose YAML type differs from the chart's
//! default for the key, a value outside the key's allowed set, and booleans
//! written as strings (which Helm templates read as true).

use super::rules::*;
use super::Ctx;
use crate::knowledge::catalog::{Kind, Range};
use crate::yaml::{Node, Scalar, Style, Value};

/// Keys that take one of a known set of values. Polyaxon's validator rejects
/// the first kind (errors); the second it lets through though the deployment
/// cannot work with them (warnings).
const ALLOWED: &[(&str, &[&str], Severity)] = &[
    ("broker", &["redis", "rabbitmq"], Severity::Error),
    ("deploymentType", &["kubernetes", "minikube", "microk8s", "docker-compose", "docker", "heroku"], Severity::Error),
    ("*.imagePullPolicy", &["Always", "IfNotPresent", "Never"], Severity::Error),
    ("imagePullPolicy", &["Always", "IfNotPresent", "Never"], Severity::Error),
    ("dns.backend", &["kube-dns", "coredns"], Severity::Warning),
    ("securityContext.fsGroupChangePolicy", &["Always", "OnRootMismatch"], Severity::Warning),
];

/// Strings Polyaxon's validator reads as booleans.
const BOOLEAN_STRINGS: &[&str] = &["true", "false", "yes", "no", "on", "off", "1", "0", "t", "f", "y", "n"];

pub fn check(ctx: &mut Ctx<'_>, path: &str, range: &Range, key: &Node, value: &Node) {
    if value.is_null() {
        return;
    }
    let span = ctx.span(key, value);
    let found = value.type_name();
    let wrong = |expected: &str| format!("`{path}` expects {expected}, found {found}");
    let scalar = value.scalar();
    let message = match (range.2, &value.value, scalar) {
        (Kind::Int, _, Some(Scalar::Int(_))) => None,
        (Kind::Int, _, _) => Some(wrong("an integer")),
        (Kind::Float, _, Some(Scalar::Int(_) | Scalar::Float(_))) => None,
        (Kind::Float, _, _) => Some(wrong("a number")),
        (Kind::Bool, _, Some(Scalar::Bool(_))) | (Kind::Bool, _, Some(Scalar::Int(0 | 1))) => None,
        (Kind::Bool, Value::Scalar { style: Style::Quoted, .. }, Some(Scalar::Str(s)))
            if BOOLEAN_STRINGS.contains(&s.to_lowercase().as_str()) =>
        {
            let d = ctx.report(QUOTED_BOOLEAN, path, span, format!("`{path}` is the string \"{s}\", which Helm templates read as true"));
            d.help = Some(format!("write it unquoted: {s}"));
            None
        }
        (Kind::Bool, _, _) => Some(wrong("a boolean")),
        (Kind::Str, _, Some(Scalar::Str(_))) => None,
        (Kind::Str, Value::Scalar { text, .. }, Some(_)) => {
            let d = ctx.report(WRONG_TYPE, path, span, wrong("a string"));
            let leaf = path.rsplit('.').next().unwrap_or(path);
            d.help = Some(if crate::secrets::sensitive(leaf) { "quote it".into() } else { format!("quote it: \"{text}\"") });
            None
        }
        (Kind::Str, _, _) => Some(wrong("a string")),
        (Kind::Map | Kind::Loose, Value::Map { .. }, _) => None,
        (Kind::Map | Kind::Loose, _, _) => Some(wrong("a mapping")),
        (Kind::List, Value::Seq { .. }, _) => None,
        (Kind::List, _, _) => Some(wrong("a list")),
        (Kind::Open | Kind::Subchart | Kind::Any, _, _) => None,
    };
    if let Some(message) = message {
        ctx.report(WRONG_TYPE, path, span, message);
        return;
    }
    check_allowed(ctx, path, key, value);
}

fn check_allowed(ctx: &mut Ctx<'_>, path: &str, key: &Node, value: &Node) {
    let Some(Scalar::Str(given)) = value.scalar() else {
        return;
    };
    let rule = ALLOWED.iter().find(|(pattern, _, _)| match pattern.strip_prefix("*.") {
        Some(leaf) => path.ends_with(&format!(".{leaf}")),
        None => *pattern == path,
    });
    let Some((_, allowed, severity)) = rule else {
        return;
    };
    if allowed.contains(&given) {
        return;
    }
    let span = ctx.span(key, value);
    let d = ctx.report(INVALID_VALUE, path, span, format!("`{path}` must be one of {}, found `{given}`", allowed.join(", ")));
    d.severity = *severity;
    if let Some(close) = allowed.iter().find(|a| a.eq_ignore_ascii_case(given)) {
        d.help = Some(format!("write `{close}`"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{lint_text, Diagnostic};
    use super::*;
    use crate::knowledge::catalog::Catalog;

    fn lint(text: &str) -> Vec<Diagnostic> {
        lint_text(text, Catalog::get().newest()).unwrap()
    }

    fn found(d: &[Diagnostic]) -> Vec<(&str, usize, usize, Severity)> {
        d.iter().map(|d| (d.code, d.span.line, d.span.col, d.severity)).collect()
    }

    #[test]
    fn strings_where_numbers_or_booleans_belong() {
        let d = lint("email:\n  port: \"25\"\n  host: 25\nlimitResources: 5\ningress:\n  tls: yes\n");
        assert_eq!(
            found(&d),
            [
                ("T001", 2, 3, Severity::Error),
                ("T001", 3, 3, Severity::Error),
                ("T001", 4, 1, Severity::Error),
                ("T001", 6, 3, Severity::Error)
            ]
        );
        assert_eq!(d[0].message, "`email.port` expects an integer, found a string");
        assert_eq!(d[1].help.as_deref(), Some("quote it: \"25\""));
        assert_eq!(d[3].message, "`ingress.tls` expects a list, found a boolean");
    }

    #[test]
    fn mapping_where_a_list_belongs_and_the_reverse() {
        let d = lint("ingress:\n  - a\nimagePullSecrets:\n  a: b\n");
        assert_eq!(found(&d), [("T001", 1, 1, Severity::Error), ("T001", 3, 1, Severity::Error)]);
    }

    #[test]
    fn quoted_booleans_warn() {
        let d = lint("ingress:\n  enabled: \"false\"\n");
        assert_eq!(found(&d), [("T003", 2, 3, Severity::Warning)]);
        assert!(lint("ingress:\n  enabled: false\n").is_empty());
    }

    #[test]
    fn values_outside_the_allowed_set() {
        let d = lint("broker: kafka\ndeploymentType: Kubernetes\ngateway:\n  imagePullPolicy: Sometimes\ndns:\n  backend: bind\n");
        assert_eq!(
            found(&d),
            [
                ("T002", 1, 1, Severity::Error),
                ("T002", 2, 1, Severity::Error),
                ("T002", 4, 3, Severity::Error),
                ("T002", 6, 3, Severity::Warning)
            ]
        );
        assert_eq!(d[1].help.as_deref(), Some("write `kubernetes`"));
        assert!(lint("broker: rabbitmq\nrabbitmq:\n  enabled: true\n").is_empty());
    }
}
