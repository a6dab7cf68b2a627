//! The values keys polyaxon-pr reads, each written once, grouped by the
//! concern of the settings model ([`crate::values::settings`]) that reads
//! them. [`POST_RENDER_KEYS`] is their list: the linter, the `schema`
//! command and the post-renderer's key warnings know them from it.

/// Declares each concern's keys as constants, and the list of them all in
/// the order declared.
macro_rules! read_keys {
    ($($(#[$doc:meta])* $module:ident { $($name:ident = $key:literal),* $(,)? })*) => {
        $(
            $(#[$doc])*
            pub mod $module {
                $(pub const $name: &str = $key;)*
            }
        )*
        /// Keys polyaxon-pr itself reads from the values (the chart may no longer
        /// read some of them: `dirs` and `mountPaths` left it in 1.0).
        pub const POST_RENDER_KEYS: &[&str] = &[$($($key,)*)*];
    };
}

read_keys! {
    /// `securityContext`, as each chart version means it.
    security_context {
        ENABLED = "securityContext.enabled",
        USER = "securityContext.user",
        GROUP = "securityContext.group",
        RUN_AS_USER = "securityContext.runAsUser",
        RUN_AS_GROUP = "securityContext.runAsGroup",
        FS_GROUP = "securityContext.fsGroup",
        FS_GROUP_CHANGE_POLICY = "securityContext.fsGroupChangePolicy",
        RUN_AS_NON_ROOT = "securityContext.runAsNonRoot",
        ALLOW_PRIVILEGE_ESCALATION = "securityContext.allowPrivilegeEscalation",
    }
    /// The NVIDIA driver's host paths (lib, bin, libcuda), under [`NVIDIA_DIRS`].
    nvidia_dirs { LIB = "dirs.nvidia.lib", BIN = "dirs.nvidia.bin", LIBCUDA = "dirs.nvidia.libcuda" }
    /// Where containers see them, under [`NVIDIA_MOUNTS`].
    nvidia_mounts { LIB = "mountPaths.nvidia.lib", BIN = "mountPaths.nvidia.bin", LIBCUDA = "mountPaths.nvidia.libcuda" }
    /// Polyaxon's DNS settings.
    dns { BACKEND = "dns.backend", PREFIX = "dns.prefix", CUSTOM_CLUSTER = "dns.customCluster" }
    /// An external PostgreSQL.
    postgresql {
        HOST = "externalServices.postgresql.host",
        PORT = "externalServices.postgresql.port",
        USER = "externalServices.postgresql.user",
        PASSWORD = "externalServices.postgresql.password",
        DATABASE = "externalServices.postgresql.database",
        CONN_MAX_AGE = "externalServices.postgresql.connMaxAge",
        OPTIONS = "externalServices.postgresql.options",
        PGBOUNCER = "externalServices.postgresql.pgbouncer",
    }
    /// An external Redis.
    redis {
        HOST = "externalServices.redis.host",
        PORT = "externalServices.redis.port",
        PASSWORD = "externalServices.redis.password",
        USE_PASSWORD = "externalServices.redis.usePassword",
    }
    /// An external RabbitMQ.
    rabbitmq {
        HOST = "externalServices.rabbitmq.host",
        PORT = "externalServices.rabbitmq.port",
        USER = "externalServices.rabbitmq.user",
        PASSWORD = "externalServices.rabbitmq.password",
    }
    /// The switches of the built-in services, the scheduler (the broker's user) and the broker.
    switches {
        POSTGRESQL_ENABLED = "postgresql.enabled",
        REDIS_ENABLED = "redis.enabled",
        RABBITMQ_ENABLED = "rabbitmq.enabled",
        RABBITMQ_HA_ENABLED = "rabbitmq-ha.enabled",
        SCHEDULER_ENABLED = "scheduler.enabled",
        BROKER = "broker",
    }
}

/// The sections holding the NVIDIA paths, read whole for the 0.x ConfigMap.
pub const NVIDIA_DIRS: &str = "dirs.nvidia";
pub const NVIDIA_MOUNTS: &str = "mountPaths.nvidia";
/// The paths of each, in `lib`, `bin`, `libcuda` order.
pub const NVIDIA_DIR_KEYS: [&str; 3] = [nvidia_dirs::LIB, nvidia_dirs::BIN, nvidia_dirs::LIBCUDA];
pub const NVIDIA_MOUNT_KEYS: [&str; 3] = [nvidia_mounts::LIB, nvidia_mounts::BIN, nvidia_mounts::LIBCUDA];

/// Keys read for what they tell, not as settings polyaxon-pr writes: where
/// the artifacts store and connections are set (hints of `--pod-security`),
/// the 0.4 charts' external PostgreSQL host, and a Redis that is no broker.
pub const ARTIFACTS_STORE: &str = "artifactsStore";
pub const ARTIFACTS_STORE_NAME: &str = "artifactsStore.name";
pub const CONNECTIONS: &str = "connections";
pub const LEGACY_POSTGRES_HOST: &str = "postgresql.externalPostgresHost";
pub const REDIS_NON_BROKER: &str = "redis.nonBroker";

/// Charts 0.x: `persistence`, its sections of one volume each, its sections
/// of named volumes, and where a volume comes from (Polyaxon takes exactly
/// one; with neither a claim nor a store the chart renders a host path).
pub const PERSISTENCE: &str = "persistence";
pub const PERSISTENCE_VOLUMES: [&str; 3] = ["logs", "repos", "upload"];
pub const PERSISTENCE_NAMED_VOLUMES: [&str; 2] = ["data", "outputs"];
pub const PERSISTENCE_SOURCES: [&str; 3] = ["existingClaim", "hostPath", "store"];

/// Whether polyaxon-pr reads `path` or something under it.
pub fn read_by_post_renderer(path: &str) -> bool {
    POST_RENDER_KEYS.iter().any(|k| *k == path || k.strip_prefix(path).is_some_and(|rest| rest.starts_with('.')))
}
