//! Type and value rules: a value whose YAML type differs from what the chart
//! (its default) or Polyaxon's schema expects, a list where a mapping belongs
//! and the reverse, a value outside the key's allowed set, and booleans
//! written as strings (which Helm templates read as true).

use super::rules::*;
use super::{At, Diagnostic, RuleContext};
use crate::knowledge::catalog::{Change, Kind};
use crate::knowledge::deploy_schema::{SType, SchemaEntry};
use crate::knowledge::{boolean_string, broker_removed, DNS_BACKENDS, FS_GROUP_CHANGE_POLICIES, SERVICE_TYPES};
use crate::yaml::{Node, Scalar, Style, Value};

/// Keys (or key endings) whose allowed values Polyaxon's schema does not
/// restrict: a Service type Kubernetes refuses is an error; the others
/// leave a deployment that does not work as meant, warnings.
const ALLOWED_BY_KNOWLEDGE: &[(&str, &[&str], Severity)] = &[
    (".service.type", SERVICE_TYPES, Severity::Error),
    ("dns.backend", DNS_BACKENDS, Severity::Warning),
    ("securityContext.fsGroupChangePolicy", FS_GROUP_CHANGE_POLICIES, Severity::Warning),
];

/// What a key's value should be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Expected {
    Str,
    Int,
    Number,
    Bool,
    List,
    Map,
    Scalar,
}

impl Expected {
    fn of(chart: Option<Kind>, schema: Option<&SchemaEntry>) -> Option<Expected> {
        let by_chart = match chart {
            Some(Kind::Str) => Some(Expected::Str),
            Some(Kind::Int) => Some(Expected::Int),
            Some(Kind::Float) => Some(Expected::Number),
            Some(Kind::Bool) => Some(Expected::Bool),
            Some(Kind::List) => Some(Expected::List),
            Some(Kind::Map | Kind::Open | Kind::Whole) => Some(Expected::Map),
            Some(Kind::Subchart | Kind::Any | Kind::Null) | None => None,
        };
        by_chart.or(match schema.map(|s| s.ty) {
            Some(SType::Str) => Some(Expected::Str),
            Some(SType::Int) => Some(Expected::Int),
            Some(SType::Float) => Some(Expected::Number),
            Some(SType::Bool) => Some(Expected::Bool),
            Some(SType::List) => Some(Expected::List),
            Some(SType::Dict | SType::Object) => Some(Expected::Map),
            Some(SType::Scalar) => Some(Expected::Scalar),
            Some(SType::Any) | None => None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Expected::Str => "a string",
            Expected::Int => "an integer",
            Expected::Number => "a number",
            Expected::Bool => "a boolean",
            Expected::List => "a list",
            Expected::Map => "a mapping",
            Expected::Scalar => "a single value",
        }
    }
}

/// What a key takes: the type that fits (none: any), and the near misses
/// that pass with a warning. The linter's checks and the values JSON
/// Schema both read it.
#[derive(Clone, Copy, Debug)]
pub struct Accepts {
    pub expected: Option<Expected>,
    /// A number or boolean where a string belongs: Polyaxon does not type
    /// the key, the chart renders it as text (a warning).
    pub scalars_as_text: bool,
    /// A numeric string where a number belongs: Polyaxon converts it (1.x)
    /// or does not look (a warning).
    pub numeric_strings: bool,
    /// null: Helm takes it as unset; refused where Polyaxon's schema says
    /// so, unless the chart's own default is null.
    pub null: bool,
}

pub fn accepts(chart: Option<Kind>, schema: Option<&SchemaEntry>) -> Accepts {
    Accepts {
        expected: Expected::of(chart, schema),
        scalars_as_text: schema.map(|s| s.ty) != Some(SType::Str),
        numeric_strings: schema.is_none_or(|e| !e.strict && matches!(e.ty, SType::Int | SType::Float)),
        null: chart == Some(Kind::Null) || schema.is_none_or(|s| s.nullable),
    }
}

/// A key's allowed values, where something restricts them: Polyaxon's
/// schema (errors) or what Kubernetes and the chart accept.
pub fn allowed(path: &str, schema: Option<&SchemaEntry>) -> Option<(&'static [&'static str], Severity)> {
    match schema.filter(|s| !s.values.is_empty()) {
        Some(entry) => Some((entry.values, Severity::Error)),
        None => {
            ALLOWED_BY_KNOWLEDGE.iter().find(|(k, _, _)| path == *k || (k.starts_with('.') && path.ends_with(k))).map(|(_, a, s)| (*a, *s))
        }
    }
}

pub fn check(ctx: &mut RuleContext<'_>, path: &str, chart: Option<Kind>, schema: Option<&SchemaEntry>, key: &Node, value: &Node) {
    // Resolved once (resolving allocates for numbers); what the key accepts
    // besides its type, spans and messages only for what is reported.
    let scalar = value.scalar();
    if scalar == Some(Scalar::Null) {
        if !accepts(chart, schema).null {
            ctx.push(null_refused((path.to_string(), ctx.span(key, value))));
        }
        return;
    }
    if check_allowed(ctx, path, schema, key, value, scalar.as_ref().and(value.text())) {
        return;
    }
    let Some(expected) = Expected::of(chart, schema) else { return };
    let quoted = matches!(value.value, Value::Scalar { style: Style::Quoted, .. });
    let fits = matches!(
        (expected, &value.value, &scalar),
        (Expected::Int, _, Some(Scalar::Int(_)))
            | (Expected::Number, _, Some(Scalar::Int(_) | Scalar::Float(_)))
            | (Expected::Bool, _, Some(Scalar::Bool(_) | Scalar::Int(0 | 1)))
            | (Expected::Str, _, Some(Scalar::Str(_)))
            | (Expected::List, Value::Seq { .. }, _)
            | (Expected::Map, Value::Map { .. }, _)
            | (Expected::Scalar, _, Some(_))
    );
    if fits {
        return;
    }
    let accepts = accepts(chart, schema);
    let at = (path.to_string(), ctx.span(key, value));
    // A quoted boolean: the validators convert it, Helm templates take any non-empty string for true.
    if let (Expected::Bool, true, Some(Scalar::Str(s))) = (expected, quoted, &scalar) {
        if boolean_string(s).is_some() {
            ctx.push(quoted_boolean(at, s));
            return;
        }
    }
    let mistake = match (expected, &scalar, value.text()) {
        (Expected::Str, Some(_), Some(text)) => {
            Mistyped::Unquoted { text, credential: crate::secrets::credential_path(path), as_text: accepts.scalars_as_text }
        }
        (Expected::Int | Expected::Number, Some(Scalar::Str(s)), _) if is_numeric(s) => Mistyped::QuotedNumber {
            text: s,
            lenient: accepts.numeric_strings.then_some(if schema.is_some() { Lenient::Converted } else { Lenient::Unchecked }),
        },
        _ => Mistyped::Plain,
    };
    ctx.push(wrong_type(at, expected, value.type_name(), mistake));
}

/// T001: null where Polyaxon's schema refuses it.
fn null_refused(at: At) -> Diagnostic {
    let message = format!("`{}` may not be null: Polyaxon rejects it", at.0);
    Diagnostic::new(WRONG_TYPE, at, message).with_help("give it a value, or delete the key")
}

/// T003: the boolean `text` written as a string.
fn quoted_boolean(at: At, text: &str) -> Diagnostic {
    let message = format!("`{}` is the string \"{text}\", which Helm templates read as true", at.0);
    Diagnostic::new(QUOTED_BOOLEAN, at, message).with_help(format!("write it unquoted: {text}"))
}

/// What a value of the wrong type is, beyond its type (T001).
enum Mistyped<'a> {
    Plain,
    /// A number or boolean where a string belongs (`as_text`: the chart renders it as text, a warning).
    Unquoted {
        text: &'a str,
        credential: bool,
        as_text: bool,
    },
    /// A number written as a string, where something lets it through.
    QuotedNumber {
        text: &'a str,
        lenient: Option<Lenient>,
    },
}

/// Who lets a numeric string through where a number belongs.
enum Lenient {
    /// Polyaxon's schema converts it.
    Converted,
    /// Nothing checks it.
    Unchecked,
}

/// T001: `found` (a YAML type) where `expected` belongs.
fn wrong_type(at: At, expected: Expected, found: &str, mistake: Mistyped<'_>) -> Diagnostic {
    let message = format!("`{}` expects {}, found {found}", at.0, expected.name());
    let d = Diagnostic::new(WRONG_TYPE, at, message);
    let (help, lenient) = match mistake {
        Mistyped::Plain => return d,
        Mistyped::Unquoted { text, credential, as_text } => (
            if credential { "quote it".to_string() } else { format!("quote it: \"{text}\"") },
            as_text.then_some("; the chart renders it as text, which can differ from what you wrote (1.10 becomes 1.1)"),
        ),
        Mistyped::QuotedNumber { text, lenient } => (
            format!("write it unquoted: {text}"),
            lenient.map(|l| match l {
                Lenient::Converted => "; Polyaxon converts it, but the chart renders the string as it is",
                Lenient::Unchecked => "; Polyaxon does not check it, and a template that copies it into a Kubernetes object gives a string where a number belongs",
            }),
        ),
    };
    let d = d.with_help(help);
    match lenient {
        Some(why) => Diagnostic { severity: Severity::Warning, message: format!("{}{why}", d.message), ..d },
        None => d,
    }
}

/// A string Polyaxon's validators and Go read as a number.
pub(super) fn is_numeric(s: &str) -> bool {
    s.trim().parse::<f64>().is_ok()
}

/// A scalar (`given`, its text) outside the key's allowed set (of any type:
/// `type: 12345` too); true when reported.
fn check_allowed(
    ctx: &mut RuleContext<'_>,
    path: &str,
    schema: Option<&SchemaEntry>,
    key: &Node,
    value: &Node,
    given: Option<&str>,
) -> bool {
    let Some(given) = given else { return false };
    let Some((allowed, severity)) = allowed(path, schema) else { return false };
    if allowed.contains(&given) {
        return false;
    }
    let at = (path.to_string(), ctx.span(key, value));
    let removal = (path == "broker").then(|| broker_removed(given, ctx.target)).flatten();
    let shown = if crate::secrets::credential_path(path) { "another value" } else { given };
    let removed = removal.map(|r| (ctx.version(), r));
    ctx.push(invalid_value(at, allowed, severity, (given, shown), removed));
    true
}

/// T002: `given` (shown as `shown`: a credential's value is not) is not one
/// of `allowed`; `removed`: a broker chart `version` no longer has.
fn invalid_value(
    at: At,
    allowed: &[&str],
    severity: Severity,
    (given, shown): (&str, &str),
    removed: Option<(&str, &Change)>,
) -> Diagnostic {
    let message = format!("`{}` must be one of {}, found `{shown}`", at.0, allowed.join(", "));
    let mut d = Diagnostic { severity, ..Diagnostic::new(INVALID_VALUE, at, message) };
    if let Some(close) = allowed.iter().find(|a| a.eq_ignore_ascii_case(given)) {
        d.help = Some(format!("write `{close}`"));
    }
    if let Some((version, removal)) = removed {
        d.message.push_str(&format!(": chart {version} has no {given} (removed in {})", removal.since));
        d.help = Some(format!("set `broker: redis`; {}", removal.note.unwrap_or_default()));
    }
    d
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
        d.iter().map(|d| (d.code.as_str(), d.span.line, d.span.col, d.severity)).collect()
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
    fn keys_typed_only_by_the_schema_and_list_map_mistakes() {
        let d = lint("encryptionSecret: 123\nenvironment: 1.5\ntolerations: {key: dedicated}\nnodeSelector: []\nallowedHosts: {a: b}\n");
        assert_eq!(
            found(&d).iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(),
            [("T001", 1), ("T001", 2), ("T001", 3), ("T001", 4), ("T001", 5)]
        );
    }

    #[test]
    fn numeric_strings_are_warnings_where_polyaxon_converts_them() {
        let d = lint_text("email:\n  port: \"25\"\n", Catalog::get().resolve("1.20.0").unwrap()).unwrap();
        assert_eq!(found(&d), [("T001", 2, 3, Severity::Warning)]);
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
        let at = |v: &str| Catalog::get().resolve(v).unwrap();
        assert!(lint_text("broker: rabbitmq\nrabbitmq:\n  enabled: true\n", at("2.16.4")).unwrap().is_empty());
        // Polyaxon 2.17 removed RabbitMQ: the error says so and what to do.
        let d = lint_text("broker: rabbitmq\n", at("2.17.0")).unwrap();
        assert!(d[0].message.ends_with("chart 2.17.0 has no rabbitmq (removed in 2.17.0)"), "{}", d[0].message);
        assert!(d[0].help.as_deref().unwrap().starts_with("set `broker: redis`"));
    }
}
