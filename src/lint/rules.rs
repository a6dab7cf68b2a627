//! The linter's rules: stable codes, names, default severities and the
//! explanation `polyaxon-pr explain CODE` prints. Codes never change meaning;
//! retired codes are not reused.
//!
//! Families: `K` keys, `T` types and values, `X` cross-field contradictions,
//! `V` version traps.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares the rules: `CODE CONSTANT { name, severity, summary, explanation, fix }` each.
macro_rules! rules {
    ($($code:ident $constant:ident { $($field:ident: $value:expr),* $(,)? })*) => {
        /// A rule's stable code: the family letter and a number.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($code),* }

        impl Code {
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code)),* }
            }
        }

        $(pub const $constant: Code = Code::$code;)*

        pub const RULES: &[Rule] = &[$(Rule { code: Code::$code, $($field: $value),* }),*];
    };
}

pub struct Rule {
    pub code: Code,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub explanation: &'static str,
    pub fix: FixAvailability,
}

impl Code {
    pub fn rule(self) -> &'static Rule {
        RULES.iter().find(|r| r.code == self).expect("every code has a rule")
    }

    /// The family: `K` keys, `T` types and values, `X` cross-field, `V` version traps.
    pub fn family(self) -> char {
        self.as_str().as_bytes()[0] as char
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Whether a fix may be applied without review (ruff's fix safety).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    /// Helm reads the same values after it, but where the fix says.
    Safe,
    /// A guess or a choice: applied with `--unsafe-fixes`.
    Unsafe,
    /// Said, never applied: the change needs a person (the title says why).
    DisplayOnly,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// Whether a rule's diagnostics come with a fix (a replacement key or
/// value `lint` can print and `migrate` can apply), as in ruff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    Never,
    Sometimes,
    Always,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::Never => "never",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Always => "always",
        }
    }
}

// Each rule once: its code, the constant the checks report it by, and its
// table entry. The macro makes the `Code` enum, the constants and `RULES`.
rules! {
    K001 REMOVED_KEY {
        name: "removed-key",
        severity: Severity::Error,
        summary: "the target chart version no longer reads this key",
        explanation: "The key was read by earlier chart versions and the target version no longer reads it, with no replacement. Helm ignores keys the templates do not read, so the setting silently has no effect; an error where Polyaxon's own validator rejects the file too, a warning where it lets the key through. Remove the key; the message names the last chart version that read it and, where the migration notes say, what took its place.",
        fix: FixAvailability::Sometimes,
    }
    K002 RENAMED_KEY {
        name: "renamed-key",
        severity: Severity::Error,
        summary: "the key was renamed",
        explanation: "The chart renamed this key and the target version reads only the new name (for example securityContext.user became securityContext.runAsUser in 1.13.0, rabbitmq-ha became rabbitmq in 1.21.0, postgresql.postgresqlUsername became postgresql.auth.username in 1.21.0). The old name is ignored, so the value you set is lost (a warning rather than an error where Polyaxon's validator still accepts the old name). The fix is to rename the key and keep the value; the replacement is given with the diagnostic.",
        fix: FixAvailability::Always,
    }
    K003 MOVED_KEY {
        name: "moved-key",
        severity: Severity::Error,
        summary: "the setting moved out of the values file",
        explanation: "The setting no longer lives in the Helm values: v0.5 moved integrations, auth providers, notebook and tensorboard images, kaniko, dockerizer, per-primitive node selectors, tolerations and affinity, secret and config map refs, private registries and the repos access token to the web UI settings page; v1 moved persistence to the artifacts store and connections; v2 merged api and streams into gateway. The diagnostic says where the setting went. `migrate` and `lint --fix` carry what has a new home there (api settings into gateway, 0.x persistence into the artifacts store and connections) and comment the rest out under a note.",
        fix: FixAvailability::Sometimes,
    }
    K004 DEPRECATED_KEY {
        name: "deprecated-key",
        severity: Severity::Warning,
        summary: "an old spelling the target still accepts",
        explanation: "The key was renamed, but the target chart version still reads the old spelling (for example securityContext.user on charts 1.13 to 1.x). It works today and stops working on a later chart, and Polyaxon's own validator for the newest chart rejects it. Rename it to the replacement given.",
        fix: FixAvailability::Always,
    }
    K005 UNKNOWN_KEY {
        name: "unknown-key",
        severity: Severity::Error,
        summary: "neither the target chart nor Polyaxon reads this key",
        explanation: "Neither the target chart nor Polyaxon's schema for it knows this key, so Helm ignores it. It is an error where Polyaxon's validator rejects the file too, and a warning where the enclosing section drops or keeps keys it does not declare (the dns section in 2.x, for instance). It is most often a typo or wrong capitalisation; the diagnostic suggests the closest key the target version knows (for example email.useTLS -> email.useTls). Keys below free-form maps (annotations, labels, nodeSelector, affinity, resources) and below subchart sections (postgresql, redis, rabbitmq) are not judged, since the subchart or Kubernetes owns them.",
        fix: FixAvailability::Sometimes,
    }
    K006 DUPLICATE_KEY {
        name: "duplicate-key",
        severity: Severity::Error,
        summary: "a key appears twice in one mapping",
        explanation: "The same key appears twice in one mapping. Helm's YAML parser keeps the last occurrence and silently drops the first, so whatever you set first is lost. Merge the two entries; both locations are shown. `migrate` and `lint --fix` comment the earlier one out, so the file says what Helm reads and nothing is lost.",
        fix: FixAvailability::Sometimes,
    }
    K007 KEY_TOO_NEW {
        name: "key-too-new",
        severity: Severity::Error,
        summary: "the key is only read by later chart versions",
        explanation: "The key exists, but only in chart versions newer than the target, so the target ignores it. Either target a newer chart (--chart-version) or use the older spelling the diagnostic gives (for example securityContext.user instead of securityContext.runAsUser before 1.13.0).",
        fix: FixAvailability::Sometimes,
    }
    K008 IGNORED_KEY {
        name: "ignored-key",
        severity: Severity::Warning,
        summary: "Polyaxon accepts the key, but the target chart does not read it",
        explanation: "Polyaxon's own deploy schema for this version declares the key (so `polyaxon admin deploy` accepts the file), but the chart's templates never read it, so with Helm it has no effect: releaseName (read by the CLI), gateway.scheme, gateway.service.externalPort, or a Python spelling such as security_context that Polyaxon maps onto securityContext while the chart reads only the latter. Remove it, or use the spelling and place the chart reads.",
        fix: FixAvailability::Sometimes,
    }
    K009 POST_RENDERER_KEY {
        name: "post-renderer-key",
        severity: Severity::Info,
        summary: "read by polyaxon-pr, not by the chart",
        explanation: "The chart version no longer reads the key, but polyaxon-pr's post-renderer does (dirs.nvidia and mountPaths.nvidia for the GPU driver mounts). It is fine when you render through polyaxon-pr; Polyaxon's own validator, which knows nothing of the post-renderer, rejects it, so keep such keys in a values file given to Helm and polyaxon-pr only.",
        fix: FixAvailability::Never,
    }
    K010 SUBCHART_KEY_TYPO {
        name: "subchart-key-typo",
        severity: Severity::Warning,
        summary: "a misspelt key the chart reads in a subchart section",
        explanation: "Subchart sections (postgresql, redis, rabbitmq) belong to the subchart, which takes any key, but the Polyaxon chart itself reads a few of them: `enabled` (the dependency condition) and the settings it passes to Polyaxon. A key one or two letters from one of those (`postgresql.enabeld`) is almost surely that key misspelt: the subchart ignores it and the chart keeps its default, so the built-in stays on. Fix the spelling.",
        fix: FixAvailability::Always,
    }
    K011 PLATFORM_KEY_ON_AGENT {
        name: "platform-key-on-agent",
        severity: Severity::Error,
        summary: "a control-plane setting in an agent deployment",
        explanation: "The file deploys the agent chart (deploymentChart: agent), and the key configures the control plane: its database, broker, API, scheduler, workers, email, LDAP, secrets. The agent chart ignores it, and Polyaxon's validator rejects an agent deployment that sets it. Move it to the control plane's values, or delete it.",
        fix: FixAvailability::Never,
    }
    T001 WRONG_TYPE {
        name: "wrong-type",
        severity: Severity::Error,
        summary: "the value has the wrong type",
        explanation: "The value's YAML type does not match what the chart expects: a string where it expects a number or a boolean (`port: \"5432\"`), a number where it expects a string (`imageTag: 2.15`, read as a float), a map where it expects a list, and so on. Templates render such values in surprising ways and Polyaxon's validator rejects them. Write the value in the expected type; quote version-like strings.",
        fix: FixAvailability::Sometimes,
    }
    T002 INVALID_VALUE {
        name: "invalid-value",
        severity: Severity::Error,
        summary: "the value is not one of those the key allows",
        explanation: "The key takes one of a known set of values: broker (redis, rabbitmq), deploymentType (kubernetes, minikube, microk8s, docker-compose, docker, heroku), any imagePullPolicy (Always, IfNotPresent, Never), and, as warnings because Polyaxon's validator lets them through but the deployment will not work, dns.backend (kube-dns, coredns) and securityContext.fsGroupChangePolicy (Always, OnRootMismatch).",
        fix: FixAvailability::Sometimes,
    }
    T003 QUOTED_BOOLEAN {
        name: "quoted-boolean",
        severity: Severity::Warning,
        summary: "a boolean written as a string",
        explanation: "A boolean key holds a quoted string such as \"false\". Polyaxon's validator converts it, but Helm templates test truthiness, and any non-empty string, \"false\" included, is true: `enabled: \"false\"` turns the feature on. Write the value unquoted.",
        fix: FixAvailability::Always,
    }
    X001 NO_DATABASE {
        name: "no-database",
        severity: Severity::Error,
        summary: "no postgres at all",
        explanation: "The in-cluster postgresql is disabled and no external one is configured (externalServices.postgresql.host, or postgresql.externalPostgresHost before 0.5). Polyaxon cannot start without a database, and its validator rejects this configuration. Enable postgresql or configure the external instance.",
        fix: FixAvailability::Never,
    }
    X002 NO_BROKER {
        name: "no-broker",
        severity: Severity::Error,
        summary: "services that need a broker, and no broker",
        explanation: "The scheduler, compiler, worker or beat is enabled, and these need a message broker, but neither redis nor rabbitmq is deployed in-cluster or configured externally. Enable the one `broker` names, or configure it under externalServices.",
        fix: FixAvailability::Never,
    }
    X003 BROKER_MISMATCH {
        name: "broker-mismatch",
        severity: Severity::Error,
        summary: "a broker service is used but `broker` names the other one",
        explanation: "Redis or rabbitmq is deployed or configured, but `broker` names the other one, so the service is unused and the broker Polyaxon will look for is missing. Set `broker` to the service you run; if redis is there for other purposes than the broker, say so with redis.nonBroker: true.",
        fix: FixAvailability::Never,
    }
    X004 IN_CLUSTER_AND_EXTERNAL {
        name: "in-cluster-and-external",
        severity: Severity::Error,
        summary: "the same service in-cluster and external",
        explanation: "A dependency is enabled in-cluster and also configured as an external service. For redis and rabbitmq Polyaxon's validator rejects this; for postgresql the chart uses the in-cluster database and ignores the external one, which is reported as a warning. Disable the one you do not want (`<service>.enabled: false` to use the external one).",
        fix: FixAvailability::Never,
    }
    X005 TWO_BROKERS {
        name: "two-brokers",
        severity: Severity::Error,
        summary: "both redis and rabbitmq as broker",
        explanation: "Both rabbitmq and redis are deployed or configured and redis is not marked as a non-broker, so two brokers are running where Polyaxon uses one. Drop the one `broker` does not name, or set redis.nonBroker: true if redis serves other purposes.",
        fix: FixAvailability::Never,
    }
    X006 UNUSED_SERVICE {
        name: "unused-service",
        severity: Severity::Warning,
        summary: "a service that is configured but nothing uses",
        explanation: "A broker service (redis or rabbitmq) is deployed or configured, but `broker` names the other one and nothing else uses it, so it runs or is configured for nothing. It does no harm; remove it, or set `broker` to it.",
        fix: FixAvailability::Never,
    }
    X007 NO_REDIS {
        name: "no-redis",
        severity: Severity::Error,
        summary: "charts 0.x need a redis",
        explanation: "Polyaxon 0.x keeps its sessions, heartbeats and statuses in redis: the in-cluster redis is disabled and no external one is configured (externalServices.redis.host), and Polyaxon's validator rejects this configuration. Enable redis or configure the external instance.",
        fix: FixAvailability::Never,
    }
    X008 PERSISTENCE_CONFLICT {
        name: "persistence-conflict",
        severity: Severity::Error,
        summary: "charts 0.x: one persistence set two ways",
        explanation: "On charts 0.x each persistence (persistence.logs, repos, upload, and each named entry of persistence.data and persistence.outputs) is an existing claim, a host path or an object store, exactly one: Polyaxon's validator rejects an entry that sets more than one of existingClaim, hostPath and store, and the chart silently picks one. Keep the one you mean.",
        fix: FixAvailability::Never,
    }
    X009 POD_SECURITY_BLOCKER {
        name: "pod-security-blocker",
        severity: Severity::Error,
        summary: "with --pod-security, a value that makes a pod inadmissible",
        explanation: "Only with `lint --pod-security baseline|restricted`: the value makes the chart version (or polyaxon-pr's GPU transform) render a pod that no namespace enforcing that Pod Security Standards level admits, and that `polyaxon-pr --pod-security` therefore refuses: a host_path artifacts store (on charts 1.0 on also no artifactsStore at all, since the default store is a host path), a host_path connection, dirs.nvidia (the driver mounts are host paths), on charts 0.x a persistence volume without existingClaim or store; and at restricted, with securityContext.enabled, user id 0, runAsNonRoot: false or allowPrivilegeEscalation: true. Use a volume_claim store or connection (or an object store), an existingClaim, the NVIDIA device plugin instead of dirs.nvidia, a non-root user.",
        fix: FixAvailability::Never,
    }
    V001 DNS_PREFIX_DROPPED {
        name: "dns-prefix-dropped",
        severity: Severity::Warning,
        summary: "the target chart drops dns.prefix",
        explanation: "Chart versions 0.4.3 to 1.12.2 test dns.POLYAXON_DNS_PREFIX instead of dns.prefix before rendering POLYAXON_DNS_PREFIX, so a dns.prefix you set never reaches Polyaxon. Run the chart through polyaxon-pr, whose DNS transform puts it back, or upgrade the chart.",
        fix: FixAvailability::Never,
    }
    V002 IMAGE_OF_ANOTHER_MAJOR {
        name: "image-of-another-major",
        severity: Severity::Warning,
        summary: "a Polyaxon image of another chart version than the target",
        explanation: "An imageTag such as gateway.imageTag: 1.20.0 left in a values file upgraded to chart 2.x runs a 1.x image under 2.x templates, which pass settings, arguments and a database schema the old code does not know (and the other way round). Likewise an image left at an older chart's default name: the v1 gateway ran polyaxon/polyaxon-gateway, the v2 gateway runs polyaxon/polyaxon-api. Polyaxon's own validator accepts both, so nothing else warns. Delete the key to get the chart's own image, or set one of the chart's major version. migrate comments it out with --unsafe-fixes (pinning may be deliberate, for a staged upgrade).",
        fix: FixAvailability::Sometimes,
    }
}

/// A rule by code (`K005`) or name (`unknown-key`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code.as_str().eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name))
}

/// The text `explain` prints: the rule, and where the knowledge it judges by comes from.
pub fn explain(rule: &Rule) -> String {
    let catalog = crate::knowledge::catalog::Catalog::get();
    let inferred: Vec<String> = (0..catalog.versions.len())
        .filter_map(|i| catalog.inferred(i).map(|source| format!("  {}: {source}", catalog.version(i))))
        .collect();
    format!(
        "{} ({}): {}\ndefault severity: {}; fix: {}\n\n{}\n\nKnowledge: each chart version's own values and templates; these versions' charts are not public, so their facts are inferred:\n{}\n",
        rule.code,
        rule.name,
        rule.summary,
        rule.severity,
        rule.fix.as_str(),
        rule.explanation,
        inferred.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        for (i, a) in RULES.iter().enumerate() {
            assert!(a.code.as_str().len() == 4 && "KTXV".contains(a.code.family()), "{}", a.code);
            assert!(!a.explanation.is_empty() && a.summary.len() < 80, "{}", a.code);
            assert!(a.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", a.name);
            for b in &RULES[i + 1..] {
                assert!(a.code != b.code && a.name != b.name, "{} / {}", a.code, b.code);
            }
        }
        assert_eq!(find("unknown-key").unwrap().code, "K005");
        assert_eq!(find("k005").unwrap().name, "unknown-key");
        assert!(find("Z999").is_none());
    }
}
