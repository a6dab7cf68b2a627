//! The names of Polyaxon's own settings: the `POLYAXON_*` environment
//! variables its services read, which the charts render as keys of a
//! ConfigMap's `data` (1.x and 2.x) or as a container's `env` (0.x). Those
//! of one service (its host, URLs, password, Secret) are
//! [`super::Service`]'s.

/// What every Polyaxon setting's name starts with.
pub const PREFIX: &str = "POLYAXON_";

/// `dns.*`: the DNS settings (all of them start with [`DNS_PREFIX`]).
pub const DNS_PREFIX: &str = "POLYAXON_DNS_";
pub const DNS_BACKEND: &str = "POLYAXON_DNS_BACKEND";
pub const DNS_CUSTOM_CLUSTER: &str = "POLYAXON_DNS_CUSTOM_CLUSTER";
pub const DNS_PREFIX_SETTING: &str = "POLYAXON_DNS_PREFIX";

/// `dirs.nvidia` and `mountPaths.nvidia`, as JSON.
pub const DIRS_NVIDIA: &str = "POLYAXON_DIRS_NVIDIA";
pub const MOUNT_PATHS_NVIDIA: &str = "POLYAXON_MOUNT_PATHS_NVIDIA";

/// The user and group of the runs Polyaxon starts.
pub const SECURITY_CONTEXT_USER: &str = "POLYAXON_SECURITY_CONTEXT_USER";
pub const SECURITY_CONTEXT_GROUP: &str = "POLYAXON_SECURITY_CONTEXT_GROUP";

/// Where Polyaxon finds its database.
pub const DB_HOST: &str = "POLYAXON_DB_HOST";
pub const DB_PORT: &str = "POLYAXON_DB_PORT";
pub const DB_NAME: &str = "POLYAXON_DB_NAME";
pub const DB_USER: &str = "POLYAXON_DB_USER";
pub const DB_CONN_MAX_AGE: &str = "POLYAXON_DB_CONN_MAX_AGE";
/// Rendered only when `externalServices.postgresql.options` is set.
pub const DB_OPTIONS: &str = "POLYAXON_DB_OPTIONS";

/// Where Polyaxon finds Redis and RabbitMQ.
pub const REDIS_HOST: &str = "POLYAXON_REDIS_HOST";
pub const REDIS_PORT: &str = "POLYAXON_REDIS_PORT";
pub const AMQP_URL: &str = "POLYAXON_AMQP_URL";
pub const RABBITMQ_USER: &str = "POLYAXON_RABBITMQ_USER";
