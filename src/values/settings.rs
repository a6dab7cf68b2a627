//! The Polyaxon settings polyaxon-pr acts on, one typed concern each
//! (security context, GPU, DNS, external services, storage), read from the
//! merged values over the chart version's defaults, each problem located at
//! the file:line:col or flag that set the value. The transforms read these
//! instead of the values; the keys come from
//! [`crate::knowledge::read_keys`], the facts and defaults from
//! [`crate::knowledge`].
//!
//! A concern is read when its transform is built, in the transforms'
//! order, so the first problem reported is the one the first transform
//! meets, and a concern that stays off never reports its keys' problems.

use std::borrow::Cow;

use super::{ValueData, Values};
use crate::error::{Error, Location};
use crate::knowledge::catalog::Catalog;
use crate::knowledge::read_keys::{
    dns, postgresql, rabbitmq, redis, security_context as sc, switches, ARTIFACTS_STORE, ARTIFACTS_STORE_NAME, CONNECTIONS,
    LEGACY_POSTGRES_HOST, NVIDIA_DIRS, NVIDIA_DIR_KEYS, NVIDIA_MOUNTS, NVIDIA_MOUNT_KEYS, PERSISTENCE_SOURCES, REDIS_NON_BROKER,
};
use crate::knowledge::{
    ChartVersion, SecurityModel, Service, BROKER_CLIENTS, DEFAULT_ARTIFACTS_STORE, DEFAULT_SECURITY_ID, DNS_BACKENDS,
    FS_GROUP_CHANGE_POLICIES,
};
use crate::text::sanitize;

/// The values as Polyaxon settings, for one chart version.
pub struct Settings<'v> {
    values: &'v Values,
    pub chart: Option<ChartVersion>,
    /// The platform catalog's index of the chart version, when the stream names one.
    pub version: Option<usize>,
    /// The built-in and external services and the broker (what the linter's cross-field rules judge too).
    pub services: Services<'v>,
}

/// `securityContext` as the chart version renders it.
#[derive(Debug, Clone, PartialEq)]
pub enum SecurityContext {
    /// Before 0.5.0: the chart has none.
    Absent,
    /// 0.5.0 to 1.12.x: `fsGroup: group` on pods, `user`/`group` for the runs.
    FsGroup { user: i64, group: i64 },
    /// 1.13.0 on.
    Full(FullSecurityContext),
}

/// What chart 1.13.0 on renders from `securityContext`.
#[derive(Debug, Clone, PartialEq)]
pub struct FullSecurityContext {
    /// The pods' user and group (`user`/`group` win when set).
    pub uid: i64,
    pub gid: i64,
    /// `runAsUser`/`runAsGroup`, given to the runs Polyaxon starts.
    pub run_as_user: i64,
    pub run_as_group: i64,
    pub fs_group: i64,
    pub fs_group_change_policy: Option<String>,
    pub run_as_non_root: bool,
    pub allow_privilege_escalation: bool,
}

/// The NVIDIA driver paths, in `lib`, `bin`, `libcuda` order.
#[derive(Debug, Clone, PartialEq)]
pub struct Gpu {
    /// Host paths.
    pub dirs: [String; 3],
    /// Container paths (a host path where no mount path is set).
    pub mounts: [String; 3],
    /// `dirs.nvidia` as the chart's `toJson` renders it.
    pub dirs_json: String,
    /// `mountPaths.nvidia` likewise, when all three mount paths are set.
    pub mounts_json: Option<String>,
}

/// `dns.*`, each set to a non-empty string.
#[derive(Debug, Clone, PartialEq)]
pub struct Dns {
    pub backend: Option<String>,
    pub custom_cluster: Option<String>,
    pub prefix: Option<String>,
}

/// An external service, `externalServices.<service>` with a host.
#[derive(Debug, Clone, PartialEq)]
pub struct External {
    pub service: Service,
    pub host: String,
    pub port: i64,
    pub password: Option<String>,
    pub user: Option<String>,
    /// PostgreSQL only.
    pub database: Option<String>,
    pub conn_max_age: Option<i64>,
    /// `options` as the chart's `toJson` renders it, when set.
    pub options_json: Option<String>,
    pub pgbouncer: bool,
    /// Redis: `usePassword`; the others always take one.
    pub use_password: bool,
}

/// What `broker` names.
#[derive(Debug, Clone, PartialEq)]
pub enum Broker {
    /// A service the chart version offers.
    Offered(Service, Location),
    /// A service the chart version no longer offers (RabbitMQ from 2.17).
    Retired(Service, Location),
}

/// Where the volumes of Polyaxon's storage come from, for hints at the values to change.
#[derive(Debug, Clone, PartialEq)]
pub struct Storage {
    /// The artifacts store's volume name, and where `artifactsStore` is set.
    pub artifacts_store: (String, Option<Location>),
    /// Each named connection, where it is set.
    pub connections: Vec<(String, Location)>,
    /// Where each `dirs.nvidia` path is set.
    pub nvidia_dirs: [Option<Location>; 3],
    /// `securityContext.user` or `runAsUser` set to 0 (root), and where.
    pub root_user: Option<(&'static str, Location)>,
}

impl<'v> Settings<'v> {
    pub fn new(values: &'v Values, chart: Option<ChartVersion>) -> Self {
        let version = chart.and_then(|c| c.catalog_index());
        Settings { values, chart, version, services: Services::read(values, Catalog::get(), version) }
    }

    fn at(&self, key: &str) -> Option<Location> {
        self.values.get(key).map(|f| f.location())
    }

    /// A string the templates test for truth: an empty one is unset.
    fn non_empty(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(self.values.string(key)?.filter(|s| !s.is_empty()))
    }

    fn truthy(&self, key: &str) -> bool {
        self.values.truthy(key) == Some(true)
    }

    /// `None` unless `securityContext.enabled` is on (as Helm's templates test it).
    pub fn security_context(&self) -> Result<Option<SecurityContext>, Error> {
        if !self.truthy(sc::ENABLED) {
            return Ok(None);
        }
        let catalog = Catalog::get();
        let version = self.version.unwrap_or_else(|| catalog.newest());
        let int = |key: &str| -> Result<Option<i64>, Error> { Ok(self.values.int(key)?.or(catalog.default(key, version).as_int())) };
        let id = |key: &str| -> Result<i64, Error> { Ok(int(key)?.unwrap_or(DEFAULT_SECURITY_ID)) };
        let bool_or = |key: &str, fallback: bool| -> Result<bool, Error> {
            Ok(self.values.bool(key)?.or(catalog.default(key, version).as_bool()).unwrap_or(fallback))
        };
        Ok(Some(match self.chart.as_ref().map_or(SecurityModel::Full, SecurityModel::of) {
            SecurityModel::None => SecurityContext::Absent,
            SecurityModel::FsGroup => SecurityContext::FsGroup { user: id(sc::USER)?, group: id(sc::GROUP)? },
            SecurityModel::Full => {
                let run_as_user = id(sc::RUN_AS_USER)?;
                let run_as_group = id(sc::RUN_AS_GROUP)?;
                // The templates test `user`/`group` for truth first (`{{ if .Values.securityContext.user }}`).
                let uid = if self.truthy(sc::USER) { int(sc::USER)?.unwrap_or(run_as_user) } else { run_as_user };
                let gid = if self.truthy(sc::GROUP) { int(sc::GROUP)?.unwrap_or(run_as_group) } else { run_as_group };
                let run_as_non_root = bool_or(sc::RUN_AS_NON_ROOT, true)?;
                if run_as_non_root && uid == 0 {
                    let key = if self.truthy(sc::USER) { sc::USER } else { sc::RUN_AS_USER };
                    let message = "runAsNonRoot is true but the user id is 0 (root): the kubelet refuses to start such pods; set runAsNonRoot: false or another user id";
                    return Err(match self.at(key) {
                        Some(at) => Error::at(at, message),
                        None => Error::new(message),
                    });
                }
                let fs_group = id(sc::FS_GROUP)?;
                let fs_group_change_policy = if self.truthy(sc::FS_GROUP_CHANGE_POLICY) {
                    let policy = self.values.string(sc::FS_GROUP_CHANGE_POLICY)?.unwrap_or_default();
                    if !FS_GROUP_CHANGE_POLICIES.contains(&policy.as_str()) {
                        let at = self.at(sc::FS_GROUP_CHANGE_POLICY).expect("just read");
                        let message =
                            format!("`{}` must be Always or OnRootMismatch, found `{}`", sc::FS_GROUP_CHANGE_POLICY, sanitize(&policy));
                        return Err(Error::at(at, message));
                    }
                    Some(policy)
                } else {
                    None
                };
                let allow_privilege_escalation = bool_or(sc::ALLOW_PRIVILEGE_ESCALATION, false)?;
                SecurityContext::Full(FullSecurityContext {
                    uid,
                    gid,
                    run_as_user,
                    run_as_group,
                    fs_group,
                    fs_group_change_policy,
                    run_as_non_root,
                    allow_privilege_escalation,
                })
            }
        }))
    }

    /// `None` when no `dirs.nvidia` path is set; a mount path without them,
    /// a missing or relative path is an error.
    pub fn gpu(&self) -> Result<Option<Gpu>, Error> {
        let mut dirs = Vec::new();
        for key in NVIDIA_DIR_KEYS {
            dirs.push(self.non_empty(key)?);
        }
        if dirs.iter().all(Option::is_none) {
            for key in NVIDIA_MOUNT_KEYS {
                if self.non_empty(key)?.is_some() {
                    let at = self.at(key).expect("just read");
                    return Err(Error::at(at, format!("{key} is set but dirs.nvidia is not: there is nothing to mount")));
                }
            }
            return Ok(None);
        }
        for (key, dir) in NVIDIA_DIR_KEYS.iter().zip(&dirs) {
            match dir {
                None => {
                    let at = self.at(NVIDIA_DIRS).expect("a path below it is set");
                    return Err(Error::at(at, format!("{key} is missing: dirs.nvidia.lib, bin and libcuda go together")));
                }
                Some(d) if !d.starts_with('/') => {
                    let at = self.at(key).expect("just read");
                    return Err(Error::at(at, format!("{key} must be an absolute host path, found `{}`", sanitize(d))));
                }
                Some(_) => {}
            }
        }
        let dirs: [String; 3] = dirs.into_iter().map(Option::unwrap_or_default).collect::<Vec<_>>().try_into().expect("three parts");
        let mut mounts = dirs.clone();
        let mut all_mounts = true;
        for (i, key) in NVIDIA_MOUNT_KEYS.iter().enumerate() {
            match self.non_empty(key)? {
                Some(m) if !m.starts_with('/') => {
                    let at = self.at(key).expect("just read");
                    return Err(Error::at(at, format!("{key} must be an absolute container path, found `{}`", sanitize(&m))));
                }
                Some(m) => mounts[i] = m,
                None => all_mounts = false,
            }
        }
        let dirs_json = self.values.json(NVIDIA_DIRS).unwrap_or_default();
        let mounts_json = all_mounts.then(|| self.values.json(NVIDIA_MOUNTS).unwrap_or_default());
        Ok(Some(Gpu { dirs, mounts, dirs_json, mounts_json }))
    }

    /// `None` when no `dns.*` key is set; a backend Polyaxon does not know is an error.
    pub fn dns(&self) -> Result<Option<Dns>, Error> {
        let backend = self.non_empty(dns::BACKEND)?;
        if let Some(b) = backend.as_ref().filter(|b| !DNS_BACKENDS.contains(&b.as_str())) {
            let at = self.at(dns::BACKEND).expect("just read");
            return Err(Error::at(at, format!("`{}` must be kube-dns or coredns, found `{}`", dns::BACKEND, sanitize(b))));
        }
        let dns = Dns { backend, custom_cluster: self.non_empty(dns::CUSTOM_CLUSTER)?, prefix: self.non_empty(dns::PREFIX)? };
        Ok((dns.backend.is_some() || dns.custom_cluster.is_some() || dns.prefix.is_some()).then_some(dns))
    }

    /// The external service, when its host is set.
    pub fn external(&self, service: Service) -> Result<Option<External>, Error> {
        let v = self.values;
        let Some(host) = self.non_empty(service.external_host_key())? else {
            return Ok(None);
        };
        let (port, password, user) = match service {
            Service::Postgresql => (postgresql::PORT, postgresql::PASSWORD, Some(postgresql::USER)),
            Service::Redis => (redis::PORT, redis::PASSWORD, None),
            Service::Rabbitmq => (rabbitmq::PORT, rabbitmq::PASSWORD, Some(rabbitmq::USER)),
        };
        let port = v.int(port)?.unwrap_or(service.default_port());
        let password = v.scalar_text(password)?.filter(|p| !p.is_empty());
        let postgres = service == Service::Postgresql;
        let database = if postgres { v.scalar_text(postgresql::DATABASE)? } else { None };
        let user = match user {
            Some(key) => v.scalar_text(key)?,
            None => None,
        };
        let conn_max_age = if postgres { v.int(postgresql::CONN_MAX_AGE)? } else { None };
        let options_json = (postgres && self.truthy(postgresql::OPTIONS)).then(|| v.json(postgresql::OPTIONS).unwrap_or_default());
        Ok(Some(External {
            service,
            host,
            port,
            password,
            user,
            database,
            conn_max_age,
            options_json,
            pgbouncer: postgres && self.truthy(postgresql::PGBOUNCER),
            use_password: service != Service::Redis || self.truthy(redis::USE_PASSWORD),
        }))
    }

    /// Where the values switch the in-cluster PostgreSQL off, if they do (as
    /// the templates read the switch: they render Polyaxon's settings for it).
    pub fn postgres_disabled(&self) -> Option<Location> {
        let switch = &self.services.postgresql.switch;
        switch.set_off().then(|| self.at(&switch.key)).flatten()
    }

    /// What `broker` names, if set; a service that is no broker is an error.
    pub fn broker(&self) -> Result<Option<Broker>, Error> {
        let Some(b) = self.values.string(switches::BROKER)? else {
            return Ok(None);
        };
        let at = self.at(switches::BROKER).expect("just read");
        match b.parse::<Service>().ok().filter(|s| *s != Service::Postgresql) {
            Some(service) if self.version.is_some_and(|v| !service.offered(v)) => Ok(Some(Broker::Retired(service, at))),
            Some(service) => Ok(Some(Broker::Offered(service, at))),
            None => Err(Error::at(at, format!("`{}` must be redis or rabbitmq, found `{}`", switches::BROKER, sanitize(&b)))),
        }
    }

    /// Whether the scheduler runs (the values, else the chart version's default).
    pub fn scheduler(&self) -> bool {
        self.services.scheduler.renders_on() == Some(true)
    }

    /// The chart version's default broker.
    pub fn default_broker(&self) -> Option<&'static str> {
        self.services.default_broker
    }

    /// Charts before 0.5 take the external PostgreSQL's host under
    /// `postgresql`: set (a string; the model takes any scalar's text for
    /// the linter, whatever the chart version: a stream may name none).
    pub fn legacy_postgres(&self) -> Result<bool, Error> {
        self.values.string(LEGACY_POSTGRES_HOST)?;
        Ok(self.services.legacy_postgres_host.is_some())
    }

    /// Where the volumes the chart renders from the values are set (read
    /// leniently: only hints at what to change come from here).
    pub fn storage(&self) -> Storage {
        let v = self.values;
        let name = v.string(ARTIFACTS_STORE_NAME).ok().flatten().unwrap_or_else(|| DEFAULT_ARTIFACTS_STORE.into());
        let mut connections = Vec::new();
        if let Some(ValueData::List(items)) = v.get(CONNECTIONS).map(|f| &f.val.data) {
            for item in items {
                let ValueData::Map(entries) = &item.data else { continue };
                if let Some((_, ValueData::Str(name))) = entries.iter().map(|(k, v)| (k, &v.data)).find(|(k, _)| *k == "name") {
                    connections.push((name.clone(), item.origin.location()));
                }
            }
        }
        Storage {
            artifacts_store: (name, self.at(ARTIFACTS_STORE)),
            connections,
            nvidia_dirs: NVIDIA_DIR_KEYS.map(|k| self.at(k)),
            root_user: RunAs::read(v).root_users().next().and_then(|k| self.at(k).map(|at| (k, at))),
        }
    }
}

/// A tree the settings model reads: the merged values (post-render), or one
/// document of a values file as written (lint). A null value is unset.
pub trait Source {
    /// The value at a dotted path.
    fn held(&self, key: &str) -> Option<Held<'_>>;
}

/// What a value is, as far as the settings model tells values apart, and
/// its text (a scalar's; empty for a list or mapping).
#[derive(Debug, Clone, PartialEq)]
pub struct Held<'a> {
    pub kind: Kind,
    pub text: Cow<'a, str>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Bool(bool),
    /// An integer as written in the linted file, or from `--set`; Helm
    /// reads a file's numbers as floats, so the merged values hold those as
    /// [`Kind::Float`].
    Int(i64),
    Float(f64),
    Str,
    /// A list or a mapping, and whether it holds anything.
    Collection {
        empty: bool,
    },
}

impl Held<'_> {
    /// As Helm's templates test it (`{{ if .Values.x }}`): false, 0, "" and
    /// empty collections are false, anything else true.
    pub fn truthy(&self) -> bool {
        match self.kind {
            Kind::Bool(b) => b,
            Kind::Int(n) => n != 0,
            Kind::Float(f) => f != 0.0,
            Kind::Str => !self.text.is_empty(),
            Kind::Collection { empty } => !empty,
        }
    }

    /// The text of a scalar, unless empty (an empty string is unset to the templates).
    fn scalar_text(&self) -> Option<&str> {
        (!matches!(self.kind, Kind::Collection { .. }) && !self.text.is_empty()).then_some(&*self.text)
    }
}

impl Source for Values {
    fn held(&self, key: &str) -> Option<Held<'_>> {
        let (kind, text) = match &self.get(key)?.val.data {
            ValueData::Null => return None,
            ValueData::Bool(b) => (Kind::Bool(*b), Cow::Owned(b.to_string())),
            ValueData::Int(n) => (Kind::Int(*n), Cow::Owned(n.to_string())),
            ValueData::Float(f) => (Kind::Float(*f), Cow::Owned(super::go_format_float(*f))),
            ValueData::Str(s) => (Kind::Str, Cow::Borrowed(s.as_str())),
            ValueData::List(l) => (Kind::Collection { empty: l.is_empty() }, Cow::Borrowed("")),
            ValueData::Map(m) => (Kind::Collection { empty: m.is_empty() }, Cow::Borrowed("")),
        };
        Some(Held { kind, text })
    }
}

/// A switch (`postgresql.enabled`, `scheduler.enabled`) as the values set
/// it, over the chart version's default. Helm reads a subchart's switch
/// twice: as the dependency's `condition` (does the subchart deploy?) and,
/// in the main chart's templates, for truth (what does the chart render
/// for it?); the two part on values that are not booleans.
#[derive(Debug, Clone, PartialEq)]
pub struct Switch<'a> {
    pub key: Cow<'static, str>,
    /// What the values set, if anything.
    pub held: Option<Held<'a>>,
    /// The chart version's default, when it is a boolean.
    pub default: Option<bool>,
}

impl<'a> Switch<'a> {
    fn read(source: &'a dyn Source, key: impl Into<Cow<'static, str>>, defaults: Option<(&Catalog, usize)>) -> Switch<'a> {
        let key = key.into();
        let default = defaults.and_then(|(catalog, version)| catalog.default(&key, version).as_bool());
        Switch { held: source.held(&key), key, default }
    }

    /// As Helm reads a dependency `condition`: a boolean decides; any other
    /// scalar is ignored, and the subchart (on unless its condition says
    /// otherwise) deploys; a list or a mapping leaves the chart's default.
    pub fn deploys(&self) -> Option<bool> {
        match self.held.as_ref().map(|h| h.kind) {
            Some(Kind::Bool(b)) => Some(b),
            Some(Kind::Collection { .. }) | None => self.default,
            Some(_) => Some(true),
        }
    }

    /// As the templates test it (`{{ if .Values.postgresql.enabled }}`), over the chart's default.
    pub fn renders_on(&self) -> Option<bool> {
        self.held.as_ref().map(Held::truthy).or(self.default)
    }

    /// [`Switch::renders_on`] for a boolean, an integer or a string; a float,
    /// a list or a mapping is left to the chart's default, as the linter's
    /// cross-field rules judge it (its type rules report such a value).
    pub fn renders_on_plain(&self) -> Option<bool> {
        match self.held.as_ref() {
            Some(h) if matches!(h.kind, Kind::Bool(_) | Kind::Int(_) | Kind::Str) => Some(h.truthy()),
            _ => self.default,
        }
    }

    /// Whether the values set it, to a value the templates take for false
    /// (the chart's default aside).
    pub fn set_off(&self) -> bool {
        self.held.as_ref().is_some_and(|h| !h.truthy())
    }

    /// Its text, when the values set it to a string: where Helm and Polyaxon
    /// part (Polyaxon reads "false" as false, Helm as true).
    pub fn string(&self) -> Option<&str> {
        self.held.as_ref().filter(|h| h.kind == Kind::Str).map(|h| &*h.text)
    }
}

/// A setting read for its text (a host, the broker): a scalar's text as
/// written, unless empty; a list or mapping is none; where unset, the chart
/// version's string default.
fn text<'a>(source: &'a dyn Source, key: &str, defaults: Option<(&Catalog, usize)>) -> Option<Cow<'a, str>> {
    match source.held(key) {
        Some(h) => h.scalar_text().is_some().then_some(h.text),
        None => defaults.and_then(|(catalog, version)| catalog.default(key, version).as_str()).filter(|s| !s.is_empty()).map(Cow::Borrowed),
    }
}

/// How one built-in service stands: deployed in-cluster, replaced by an
/// external one, or neither. A service the chart version no longer offers
/// (RabbitMQ from 2.17) is neither: its keys are removed keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency<'a> {
    pub service: Service,
    /// `<subchart>.enabled` for the chart version (`rabbitmq-ha.enabled` before 1.21).
    pub switch: Switch<'a>,
    /// `externalServices.<service>.host` (the text of any scalar: its type
    /// is judged where the host is used).
    pub external_host: Option<Cow<'a, str>>,
    pub offered: bool,
}

impl Dependency<'_> {
    /// The subchart deploys (its condition, over the chart's default).
    pub fn in_cluster(&self) -> bool {
        self.offered && self.switch.deploys() == Some(true)
    }

    /// The subchart's condition turns it off.
    pub fn switched_off(&self) -> bool {
        self.offered && self.switch.deploys() == Some(false)
    }

    pub fn external(&self) -> bool {
        self.offered && self.external_host.is_some()
    }

    /// Deployed or configured.
    pub fn used(&self) -> bool {
        self.in_cluster() || self.external()
    }
}

/// The built-in services, the external ones that replace them, the broker
/// and the components that need one: what decides whether Polyaxon has a
/// database and a broker.
#[derive(Debug, Clone, PartialEq)]
pub struct Services<'a> {
    pub postgresql: Dependency<'a>,
    pub redis: Dependency<'a>,
    pub rabbitmq: Dependency<'a>,
    /// `broker` as written (any scalar's text), else the chart's default.
    pub broker: Option<Cow<'a, str>>,
    /// The values set `broker`.
    pub broker_set: bool,
    /// The chart version names a default broker (1.1 on).
    pub default_broker: Option<&'static str>,
    /// `redis.nonBroker`.
    pub redis_non_broker: Switch<'a>,
    /// `scheduler.enabled`: the scheduler is the broker's user the chart wires a password for.
    pub scheduler: Switch<'a>,
    /// `<component>.enabled` of each component that needs a broker, in [`BROKER_CLIENTS`] order.
    pub broker_clients: Vec<Switch<'a>>,
    /// `postgresql.externalPostgresHost`, which charts before 0.5 read for the external PostgreSQL.
    pub legacy_postgres_host: Option<Cow<'a, str>>,
    /// The chart version reads [`Services::legacy_postgres_host`].
    pub reads_legacy_postgres_host: bool,
}

impl<'a> Services<'a> {
    /// Read from `source` over the defaults of `catalog`'s chart `version`
    /// (none when the version is unknown).
    pub fn read(source: &'a dyn Source, catalog: &Catalog, version: Option<usize>) -> Services<'a> {
        let defaults = version.map(|v| (catalog, v));
        let dependency = |service: Service| {
            let offered = version.is_none_or(|v| service.offered(v));
            let switch = Switch::read(source, service.enabled_key(version), defaults);
            Dependency { service, switch, external_host: text(source, service.external_host_key(), defaults), offered }
        };
        let before = |v: &str| version.is_some_and(|version| version < catalog.index_of(v));
        Services {
            postgresql: dependency(Service::Postgresql),
            redis: dependency(Service::Redis),
            rabbitmq: dependency(Service::Rabbitmq),
            broker: text(source, switches::BROKER, defaults),
            broker_set: source.held(switches::BROKER).is_some(),
            default_broker: defaults.and_then(|(catalog, v)| catalog.default(switches::BROKER, v).as_str()),
            redis_non_broker: Switch::read(source, REDIS_NON_BROKER, defaults),
            scheduler: Switch::read(source, switches::SCHEDULER_ENABLED, defaults),
            broker_clients: BROKER_CLIENTS.iter().map(|c| Switch::read(source, format!("{c}.enabled"), defaults)).collect(),
            legacy_postgres_host: text(source, LEGACY_POSTGRES_HOST, defaults),
            reads_legacy_postgres_host: before("0.5.0"),
        }
    }
}

impl Held<'_> {
    /// An integer as Helm's templates compare it: a whole float is one
    /// (Helm reads a file's numbers as floats).
    pub fn int(&self) -> Option<i64> {
        match self.kind {
            Kind::Int(n) => Some(n),
            Kind::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }
}

/// A 0.x persistence volume (`persistence.logs`, an entry of
/// `persistence.data`): where the chart takes it from.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume<'a> {
    /// `existingClaim`, `hostPath` and `store`, in that order.
    pub sources: [(&'static str, Option<Held<'a>>); 3],
}

impl<'a> Volume<'a> {
    /// One volume's settings, from the mapping that holds them.
    pub fn read(entry: &'a dyn Source) -> Volume<'a> {
        Volume { sources: PERSISTENCE_SOURCES.map(|key| (key, entry.held(key))) }
    }

    /// The sources it names (a scalar with text; Polyaxon takes exactly one).
    pub fn named(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.sources.iter().filter(|(_, h)| h.as_ref().is_some_and(|h| h.scalar_text().is_some())).map(|(key, _)| *key)
    }

    /// The chart renders it as a `hostPath`: neither a claim nor a store is set.
    pub fn host_path(&self) -> bool {
        self.sources.iter().all(|(key, h)| *key == PERSISTENCE_SOURCES[1] || h.is_none())
    }
}

/// Who the pods run as, and with what privileges, as `securityContext` sets it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunAs<'a> {
    pub enabled: Option<Held<'a>>,
    /// `securityContext.user` and `runAsUser`, in that order.
    pub users: [(&'static str, Option<Held<'a>>); 2],
    pub run_as_non_root: Option<Held<'a>>,
    pub allow_privilege_escalation: Option<Held<'a>>,
}

impl<'a> RunAs<'a> {
    pub fn read(source: &'a dyn Source) -> RunAs<'a> {
        RunAs {
            enabled: source.held(sc::ENABLED),
            users: [sc::USER, sc::RUN_AS_USER].map(|key| (key, source.held(key))),
            run_as_non_root: source.held(sc::RUN_AS_NON_ROOT),
            allow_privilege_escalation: source.held(sc::ALLOW_PRIVILEGE_ESCALATION),
        }
    }

    /// The user keys set to 0 (root) as the templates compare them.
    pub fn root_users(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.users.iter().filter(|(_, h)| h.as_ref().and_then(Held::int) == Some(0)).map(|(key, _)| *key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::HelmMajor;

    fn services(text: &str, version: &str) -> (Values, usize) {
        let mut values = Values::default();
        values.add_text("values.yaml", text, HelmMajor::V4).unwrap();
        (values, Catalog::get().resolve(version).unwrap())
    }

    #[test]
    fn a_subchart_switch_is_read_as_its_condition_and_as_the_templates_read_it() {
        let (values, v) = services("postgresql:\n  enabled: 0\nredis:\n  enabled: \"false\"\nrabbitmq:\n  enabled: []\n", "2.15.1");
        let s = Services::read(&values, Catalog::get(), Some(v));
        // Helm ignores a condition that is not a boolean: the subchart deploys; the templates take 0 for false.
        assert_eq!((s.postgresql.switch.deploys(), s.postgresql.switch.renders_on()), (Some(true), Some(false)));
        assert!(s.postgresql.in_cluster() && s.postgresql.switch.set_off());
        assert_eq!(
            (s.redis.switch.deploys(), s.redis.switch.renders_on(), s.redis.switch.string()),
            (Some(true), Some(true), Some("false"))
        );
        // A list leaves the condition to the chart's default (off in 2.15.1); the templates take an empty one for false.
        assert_eq!((s.rabbitmq.switch.deploys(), s.rabbitmq.switch.renders_on()), (Some(false), Some(false)));
    }

    #[test]
    fn floats_and_collections_are_left_to_the_default_by_the_plain_reading() {
        let (values, v) = services("scheduler:\n  enabled: 1.5\nredis:\n  nonBroker: {a: 1}\n", "2.15.1");
        let s = Services::read(&values, Catalog::get(), Some(v));
        assert_eq!((s.scheduler.renders_on(), s.scheduler.renders_on_plain()), (Some(true), s.scheduler.default));
        assert_eq!(s.redis_non_broker.renders_on(), Some(true));
        assert_eq!(s.redis_non_broker.renders_on_plain(), None);
    }

    #[test]
    fn hosts_and_the_broker_are_any_scalars_text() {
        let (values, v) = services("externalServices:\n  postgresql:\n    host: 10\n  redis:\n    host: ''\nbroker: rabbitmq\n", "0.4.4");
        let s = Services::read(&values, Catalog::get(), Some(v));
        assert_eq!(s.postgresql.external_host.as_deref(), Some("10"));
        assert!(!s.redis.external() && s.broker_set && s.broker.as_deref() == Some("rabbitmq"));
        assert!(s.reads_legacy_postgres_host && s.default_broker.is_none());
        // Where the values say nothing, the chart version's default broker.
        let (values, v) = services("{}\n", "2.15.1");
        let s = Services::read(&values, Catalog::get(), Some(v));
        assert_eq!((s.broker.as_deref(), s.broker_set, s.reads_legacy_postgres_host), (Some("redis"), false, false));
    }

    #[test]
    fn volumes_and_root_users() {
        // A volume's own mapping: the sources it names, and whether the chart renders a host path.
        let (entry, _) = services("existingClaim: c\nhostPath: /h\nstore: ''\n", "0.6.1");
        let volume = Volume::read(&entry);
        assert_eq!((volume.named().collect::<Vec<_>>(), volume.host_path()), (vec!["existingClaim", "hostPath"], false));
        let (entry, _) = services("hostPath: /h\nstore: ~\n", "0.6.1");
        assert!(Volume::read(&entry).host_path());
        // A file's numbers are floats to Helm: 0.0 is root too.
        let (values, _) = services("securityContext:\n  user: 0\n  runAsUser: 0.0\n", "2.15.1");
        assert_eq!(RunAs::read(&values).root_users().collect::<Vec<_>>(), [sc::USER, sc::RUN_AS_USER]);
    }
}
