//! The one home of Polyaxon knowledge: which chart versions exist, what
//! their values hold and their templates read ([`catalog`], generated from
//! the corpus), and what each version means by the settings polyaxon-pr
//! acts on (below, each fact read off the chart's own templates and checked
//! against its renders by the chart-oracle test). The transforms, the
//! linter and the docs all read it from here.

pub mod catalog;

/// A key's description in the chart references (v1 over v0.5 over v0.4), if they have one.
pub fn description(key: &str) -> Option<&'static str> {
    let table = catalog_data::DESCRIPTIONS;
    table.binary_search_by(|(k, _)| (*k).cmp(key)).ok().map(|i| table[i].1)
}
#[rustfmt::skip]
pub mod catalog_data;
pub mod deploy_schema;
pub mod key_rows;
mod path_index;
pub mod pod_security;
pub mod read_keys;
pub mod setting_names;
pub mod storage;

use std::fmt;
use std::str::FromStr;

use catalog::Catalog;
pub use path_index::Fnv;
use read_keys::switches;
pub use read_keys::{read_by_post_renderer, POST_RENDER_KEYS};

/// A built-in dependency that an external service can replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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

    /// Subchart names that provide the built-in service (rabbitmq-ha before chart 1.21).
    pub fn subcharts(self) -> &'static [&'static str] {
        match self {
            Service::Postgresql => &["postgresql"],
            Service::Redis => &["redis"],
            Service::Rabbitmq => &["rabbitmq", "rabbitmq-ha"],
        }
    }

    /// When and why the chart stopped offering the service (RabbitMQ: Polyaxon
    /// 2.17), from the key history; the linter, migrate, the JSON Schema and
    /// the post-renderer all ask here.
    pub fn removal(self) -> Option<&'static catalog::Change> {
        Catalog::get().change_of(self.name()).filter(|c| c.kind == catalog::ChangeKind::Removed)
    }

    /// Whether chart version `version` (a platform catalog index) offers the service.
    pub fn offered(self, version: usize) -> bool {
        self.removal().is_none_or(|c| version < Catalog::get().index_of(c.since))
    }

    /// The values key that turns the built-in on, for a chart version.
    pub fn enabled_key(self, version: Option<usize>) -> &'static str {
        match self {
            Service::Postgresql => switches::POSTGRESQL_ENABLED,
            Service::Redis => switches::REDIS_ENABLED,
            Service::Rabbitmq => match version {
                Some(v) if Catalog::get().at(switches::RABBITMQ_ENABLED, v).is_none() => switches::RABBITMQ_HA_ENABLED,
                _ => switches::RABBITMQ_ENABLED,
            },
        }
    }

    /// The key of the password in the chart's Secret for the external
    /// service: `postgresql-password` in charts 0.6.0 to 1.20.x (the bitnami
    /// postgresql 8 naming), `postgres-password` before and after.
    pub fn secret_key(self, chart: Option<&ChartVersion>) -> &'static str {
        match self {
            Service::Postgresql if chart.is_some_and(|c| c.at_least("0.6.0") && !c.at_least("1.21.0")) => "postgresql-password",
            Service::Postgresql => "postgres-password",
            Service::Redis => "redis-password",
            Service::Rabbitmq => "rabbitmq-password",
        }
    }

    /// The values key of the external service's host.
    pub fn external_host_key(self) -> &'static str {
        match self {
            Service::Postgresql => read_keys::postgresql::HOST,
            Service::Redis => read_keys::redis::HOST,
            Service::Rabbitmq => read_keys::rabbitmq::HOST,
        }
    }

    pub fn password_env(self) -> &'static str {
        match self {
            Service::Postgresql => "POLYAXON_DB_PASSWORD",
            Service::Redis => "POLYAXON_REDIS_PASSWORD",
            Service::Rabbitmq => "POLYAXON_RABBITMQ_PASSWORD",
        }
    }

    /// The settings that say where Polyaxon finds the service (a host or
    /// URLs), the first the chart renders telling which one it points at.
    pub fn address_settings(self) -> &'static [&'static str] {
        match self {
            Service::Postgresql => &[setting_names::DB_HOST],
            Service::Redis => &[
                setting_names::REDIS_HOST,
                "POLYAXON_REDIS_SESSIONS_URL",
                "POLYAXON_REDIS_CELERY_BROKER_URL",
                "POLYAXON_REDIS_HEARTBEAT_URL",
            ],
            Service::Rabbitmq => &[setting_names::AMQP_URL],
        }
    }

    /// The setting that names the Secret holding the password, for the runs
    /// Polyaxon starts (charts 0.x).
    pub fn secret_name_setting(self) -> &'static str {
        match self {
            Service::Postgresql => "POLYAXON_K8S_DB_SECRET_NAME",
            Service::Redis => "POLYAXON_K8S_REDIS_SECRET_NAME",
            Service::Rabbitmq => "POLYAXON_K8S_RABBITMQ_SECRET_NAME",
        }
    }

    pub fn default_port(self) -> i64 {
        match self {
            Service::Postgresql => 5432,
            Service::Redis => 6379,
            Service::Rabbitmq => 5672,
        }
    }

    /// Whether a Polyaxon setting belongs to this service.
    pub fn owns(self, key: &str) -> bool {
        match self {
            Service::Postgresql => key.starts_with("POLYAXON_DB_"),
            Service::Redis => key.starts_with("POLYAXON_REDIS_"),
            Service::Rabbitmq => key == setting_names::AMQP_URL || key.starts_with("POLYAXON_RABBITMQ_"),
        }
    }

    /// Whether a setting with this value is a URL of this service (charts
    /// 0.4 name some Redis URLs without the prefix: `POLYAXON_HEARTBEAT_URL`).
    pub fn owns_url(self, key: &str, value: &str) -> bool {
        key.ends_with("_URL")
            && (self.owns(key)
                || match self {
                    Service::Redis => value.starts_with("redis://") || value.starts_with("rediss://"),
                    Service::Rabbitmq => value.starts_with("amqp://") || value.starts_with("amqps://"),
                    Service::Postgresql => value.starts_with("postgres://") || value.starts_with("postgresql://"),
                })
    }

    pub fn is_password(self, key: &str) -> bool {
        self.owns(key) && key.contains("PASSWORD")
    }

    /// The Secret the chart renders for the external service's password:
    /// `<fullname>-postgresql-secret` (`-postgres-secret` before chart
    /// 0.6.0), `<fullname>-redis-secret`, `<fullname>-rabbitmq-secret`.
    pub fn chart_secret(self, fullname: &str, chart: Option<&ChartVersion>) -> String {
        let name = match self {
            Service::Postgresql if chart.is_some_and(|c| !c.at_least("0.6.0")) => "postgres",
            other => other.name(),
        };
        format!("{fullname}-{name}-secret")
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Service {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Service::ALL
            .into_iter()
            .find(|s| s.subcharts().contains(&name))
            .ok_or_else(|| format!("`{name}` is not a built-in service: expected postgresql, redis or rabbitmq"))
    }
}

/// Which Polyaxon chart rendered a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartName {
    Platform,
    Agent,
}

/// A chart and its version, as its `chart:` label gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartVersion {
    pub name: ChartName,
    /// (major, minor, patch).
    pub version: (u64, u64, u64),
}

impl ChartVersion {
    /// `polyaxon-2.15.1`, `agent-1.10.1` (pre-release suffixes ignored).
    pub fn from_label(label: &str) -> Option<ChartVersion> {
        let (name, version) = if let Some(v) = label.strip_prefix("polyaxon-") {
            (ChartName::Platform, v)
        } else if let Some(v) = label.strip_prefix("agent-") {
            (ChartName::Agent, v)
        } else {
            return None;
        };
        Some(ChartVersion { name, version: parse_version(version)? })
    }

    pub fn at_least(&self, version: &str) -> bool {
        parse_version(version).is_some_and(|v| self.version >= v)
    }

    /// The newest version of a chart the catalog knows.
    pub fn newest(name: ChartName) -> ChartVersion {
        ChartVersion::at(Catalog::of(name), Catalog::of(name).newest())
    }

    /// The chart version at `index` of a chart's catalog.
    pub fn at(catalog: &Catalog, index: usize) -> ChartVersion {
        ChartVersion { name: catalog.chart, version: parse_version(catalog.version(index)).expect("catalog versions parse") }
    }

    /// The platform catalog's index of this version (or of the newest one
    /// before it): the transforms read the platform chart's keys.
    pub fn catalog_index(&self) -> Option<usize> {
        self.index_in(Catalog::get())
    }

    /// `catalog`'s index of this version (or of the newest one before it).
    pub fn index_in(&self, catalog: &Catalog) -> Option<usize> {
        (0..catalog.versions.len()).rev().find(|&i| parse_version(catalog.version(i)).is_some_and(|v| v <= self.version))
    }
}

impl fmt::Display for ChartVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b, c) = self.version;
        let name = match self.name {
            ChartName::Platform => "polyaxon",
            ChartName::Agent => "agent",
        };
        write!(f, "{name} {a}.{b}.{c}")
    }
}

/// `key` compared with the concatenation of `parts`, as strings compare.
fn cmp_joined(key: &str, parts: &[&str]) -> std::cmp::Ordering {
    let mut key = key.as_bytes();
    for part in parts {
        let part = part.as_bytes();
        let n = key.len().min(part.len());
        match key[..n].cmp(&part[..n]) {
            std::cmp::Ordering::Equal if n < part.len() => return std::cmp::Ordering::Less,
            std::cmp::Ordering::Equal => key = &key[n..],
            other => return other,
        }
    }
    if key.is_empty() {
        std::cmp::Ordering::Equal
    } else {
        std::cmp::Ordering::Greater
    }
}

/// `1.10.1`, `v1.10.1`, `0.4.3rc1` -> (1, 10, 1).
pub fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    // Byte by byte (the image trap parses thousands): as `splitn(3, '.')`
    // and `str::parse::<u64>` of the first two parts, the patch's leading digits.
    let mut rest = text.trim_start_matches('v').as_bytes();
    let mut part = || {
        let end = memchr::memchr(b'.', rest)?;
        let (digits, after) = (&rest[..end], &rest[end + 1..]);
        rest = after;
        number(digits.strip_prefix(b"+").unwrap_or(digits))
    };
    let (major, minor) = (part()?, part()?);
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    Some((major, minor, number(&rest[..digits])?))
}

/// A u64 of one or more ASCII digits (None on anything else, or overflow).
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| if b.is_ascii_digit() { n.checked_mul(10)?.checked_add(u64::from(b - b'0')) } else { None })
}

/// What `securityContext` makes a chart version render on Polyaxon's own
/// workloads (read off `partials/_securityContext.tpl` and the common
/// ConfigMap of each version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityModel {
    /// Before 0.5.0 the chart has no `securityContext`.
    None,
    /// 0.5.0 to 1.12.x: only `fsGroup: <group>` on pods, and
    /// `POLYAXON_SECURITY_CONTEXT_USER/GROUP` (from `user`/`group`) for the
    /// runs Polyaxon starts. The platform images start as root and drop
    /// privileges themselves, so nothing forces a uid on them.
    FsGroup,
    /// 1.13.0 on: pods get `runAsUser` (`user` wins over `runAsUser`),
    /// `runAsGroup` (likewise `group`), `fsGroup`, `fsGroupChangePolicy`;
    /// containers `allowPrivilegeEscalation` and `runAsNonRoot`; the
    /// ConfigMap gets `POLYAXON_SECURITY_CONTEXT_USER/GROUP` from `runAsUser`/`runAsGroup`.
    Full,
}

impl SecurityModel {
    pub fn of(chart: &ChartVersion) -> SecurityModel {
        if chart.at_least("1.13.0") {
            SecurityModel::Full
        } else if chart.at_least("0.5.0") {
            SecurityModel::FsGroup
        } else {
            SecurityModel::None
        }
    }
}

/// Polyaxon components whose pods the chart version renders without its
/// security context: the 0.x resources DaemonSet, which watches the node.
pub fn security_skipped_components(chart: &ChartVersion) -> &'static [&'static str] {
    if chart.at_least("1.0.0") {
        &[]
    } else {
        &["resources"]
    }
}

/// The components that need a broker when they are enabled.
pub const BROKER_CLIENTS: &[&str] = &["scheduler", "compiler", "worker", "beat"];
/// Values `dns.backend` may take.
pub const DNS_BACKENDS: &[&str] = &["kube-dns", "coredns"];
/// Values `securityContext.fsGroupChangePolicy` may take (Kubernetes').
pub const FS_GROUP_CHANGE_POLICIES: &[&str] = &["Always", "OnRootMismatch"];
/// Values a Service's `type` may take (Kubernetes'; Polyaxon checks `gateway.service.type`).
pub const SERVICE_TYPES: &[&str] = &["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
/// The service a `broker` value names, when chart version `version` no
/// longer offers it (`broker: rabbitmq` from 2.17).
pub fn broker_removed(value: &str, version: usize) -> Option<&'static catalog::Change> {
    let service = value.parse::<Service>().ok().filter(|s| *s != Service::Postgresql)?;
    (!service.offered(version)).then(|| service.removal()).flatten()
}
/// Strings Polyaxon's validators read as booleans: the true ones, then the false ones.
const TRUE_STRINGS: &[&str] = &["true", "yes", "on", "1", "t", "y"];
const FALSE_STRINGS: &[&str] = &["false", "no", "off", "0", "f", "n"];

/// Every spelling of a boolean Polyaxon's validators accept, in lower case.
pub fn boolean_strings() -> impl Iterator<Item = &'static str> {
    TRUE_STRINGS.iter().chain(FALSE_STRINGS).copied()
}

/// The boolean Polyaxon's validators read a string as (any case).
pub fn boolean_string(s: &str) -> Option<bool> {
    let lower = s.to_lowercase();
    if TRUE_STRINGS.contains(&lower.as_str()) {
        Some(true)
    } else {
        FALSE_STRINGS.contains(&lower.as_str()).then_some(false)
    }
}

/// The user and group id (and fsGroup) the chart's securityContext runs
/// Polyaxon as where the values set none.
pub const DEFAULT_SECURITY_ID: i64 = 2222;

/// The name the chart gives the artifacts store (and its volume in every
/// pod) where the values set none.
pub const DEFAULT_ARTIFACTS_STORE: &str = "default-artifacts-store";

/// What the chart appends to the release's full name for its PgBouncer
/// pooler (`externalServices.postgresql.pgbouncer`), whose Service Polyaxon
/// then connects to.
pub const POOLER_SUFFIX: &str = "-pgbouncer";

/// The resource NVIDIA's device plugin offers: a container that requests
/// it gets the driver's host mounts.
pub const GPU_RESOURCE: &str = "nvidia.com/gpu";

/// The cluster domain Kubernetes uses unless told otherwise.
pub const DEFAULT_CLUSTER_DOMAIN: &str = "cluster.local";

/// Whether the chart version writes Polyaxon's DNS settings as container
/// env (0.4.3 to 0.6.x) rather than ConfigMap data (1.0 on).
pub fn dns_in_env(chart: &ChartVersion) -> bool {
    !chart.at_least("1.0.0")
}

/// The Polyaxon components whose main container gets the DNS env in
/// charts that write it as env (`config.dns` in 0.4.3 to 0.6.x).
pub fn dns_env_components(chart: &ChartVersion) -> &'static [&'static str] {
    if !chart.at_least("0.4.3") {
        &[]
    } else if chart.at_least("0.5.0") {
        &["api", "scheduler"]
    } else {
        &["api"]
    }
}

/// Chart versions up to 0.6.x mount the NVIDIA driver themselves, given
/// `dirs.nvidia.{lib,bin,libcuda}`, into these components, and describe it
/// to Polyaxon in the ConfigMap (`POLYAXON_DIRS_NVIDIA`,
/// `POLYAXON_MOUNT_PATHS_NVIDIA`, `LD_LIBRARY_PATH`).
pub fn gpu_native_components(chart: &ChartVersion) -> &'static [&'static str] {
    if chart.at_least("1.0.0") {
        &[]
    } else {
        &["api", "scheduler", "resources"]
    }
}

/// The data key that marks Polyaxon's main ConfigMap in every chart version.
pub const CONFIG_MAP_MARKER: &str = "POLYAXON_K8S_NAMESPACE";

/// The sections each transform reads: a misspelt key there can leave it off.
pub const TRANSFORM_SECTIONS: &[(&str, &str)] = &[
    ("securityContext", "security-context"),
    ("dirs", "gpu"),
    ("mountPaths", "gpu"),
    ("dns", "dns"),
    ("externalServices", "external-services"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_labels_and_versions() {
        let c = ChartVersion::from_label("polyaxon-1.10.1").unwrap();
        assert_eq!((c.name, c.version), (ChartName::Platform, (1, 10, 1)));
        assert!(c.at_least("1.10.1") && !c.at_least("1.13.0"));
        assert_eq!(ChartVersion::from_label("agent-2.15.1").unwrap().name, ChartName::Agent);
        assert_eq!(parse_version("0.4.3rc1"), Some((0, 4, 3)));
        assert!(ChartVersion::from_label("redis-7.0.0").is_none());
        let index = c.catalog_index().unwrap();
        assert_eq!(Catalog::get().version(index), "1.10.1");
    }

    #[test]
    fn versions_parse_as_split_and_str_parse_would() {
        let reference = |text: &str| -> Option<(u64, u64, u64)> {
            let mut parts = text.trim_start_matches('v').splitn(3, '.');
            let major = parts.next()?.parse().ok()?;
            let minor = parts.next()?.parse().ok()?;
            let rest = parts.next()?;
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            Some((major, minor, rest[..digits].parse().ok()?))
        };
        for text in [
            "2.15.1",
            "v2.15.1",
            "vv1.2.3",
            "1.2",
            "1",
            "",
            "1.2.",
            "1..3",
            ".1.2",
            "+1.+2.3",
            "++1.2.3",
            "-1.2.3",
            "1.2.+3",
            "1.2.3.4",
            "1.2.3rc1",
            "latest",
            "1.2.x",
            "18446744073709551615.0.0",
            "18446744073709551616.0.0",
            "1.2.99999999999999999999",
            "１.2.3",
        ] {
            assert_eq!(parse_version(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn security_models_follow_the_templates() {
        let model = |l: &str| SecurityModel::of(&ChartVersion::from_label(l).unwrap());
        assert_eq!(model("polyaxon-0.4.4"), SecurityModel::None);
        assert_eq!(model("polyaxon-0.5.6"), SecurityModel::FsGroup);
        assert_eq!(model("polyaxon-1.12.2"), SecurityModel::FsGroup);
        assert_eq!(model("polyaxon-1.13.0"), SecurityModel::Full);
    }

    #[test]
    fn services_parse_by_subchart_name() {
        assert_eq!("rabbitmq-ha".parse::<Service>(), Ok(Service::Rabbitmq));
        assert!("mysql".parse::<Service>().is_err());
        assert_eq!(Service::Postgresql.chart_secret("pax-polyaxon", None), "pax-polyaxon-postgresql-secret");
        assert_eq!(
            Service::Postgresql.chart_secret("pax-polyaxon", ChartVersion::from_label("polyaxon-0.5.6").as_ref()),
            "pax-polyaxon-postgres-secret"
        );
        assert_eq!(Service::Postgresql.secret_key(ChartVersion::from_label("polyaxon-1.10.1").as_ref()), "postgresql-password");
        assert_eq!(Service::Postgresql.secret_key(ChartVersion::from_label("polyaxon-2.15.1").as_ref()), "postgres-password");
    }

    #[test]
    fn post_render_keys_are_known_to_the_catalog_or_marked_as_ours() {
        let catalog = Catalog::get();
        for key in POST_RENDER_KEYS {
            assert!(catalog.knows(key), "{key} is read by polyaxon-pr but no chart version knows it");
        }
    }
}
