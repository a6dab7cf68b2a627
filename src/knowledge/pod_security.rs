//! The Kubernetes Pod Security Standards, as published at
//! <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
//! (and implemented by kubernetes/pod-security-admission, `policy/check_*.go`):
//! what each level forbids and what it requires a pod to say, and which
//! Polyaxon values lead to what no level-conforming pod may hold. The
//! post-renderer's `pod-security` transform and lint rule P001 read them here.

use std::fmt;
use std::str::FromStr;

use super::ChartVersion;

/// A Pod Security Standards level (`privileged` asks for nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            other => Err(format!("`{other}` is not a Pod Security Standards level polyaxon-pr enforces (baseline, restricted)")),
        }
    }
}

/// Baseline, "Host Namespaces": these pod fields must be unset or false.
pub const HOST_NAMESPACES: [&str; 3] = ["hostNetwork", "hostPID", "hostIPC"];

/// Baseline, "Capabilities": what `capabilities.add` may hold.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Restricted, "Capabilities": `drop` must hold `ALL`, `add` at most these.
pub const RESTRICTED_CAPABILITIES: &[&str] = &["NET_BIND_SERVICE"];

/// Baseline, "Sysctls": the safe set (Kubernetes 1.29 on).
pub const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/// Baseline, "SELinux": the `seLinuxOptions.type` values allowed (besides unset).
pub const SELINUX_TYPES: &[&str] = &["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

/// Baseline, "AppArmor": the `appArmorProfile.type` values allowed (besides unset).
pub const APPARMOR_TYPES: &[&str] = &["RuntimeDefault", "Localhost"];

/// Seccomp: baseline forbids `Unconfined`; restricted requires one of these,
/// on the pod or on every container.
pub const SECCOMP_TYPES: &[&str] = &["RuntimeDefault", "Localhost"];

/// Restricted, "Volume Types": the only volume sources allowed.
pub const RESTRICTED_VOLUMES: &[&str] =
    &["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

/// What the pod-security transform fills in where the chart left it out,
/// per level: (pod `securityContext` fields, container `securityContext`
/// fields). `runAsNonRoot` goes only where the effective user is not root.
pub struct Fill {
    pub seccomp_runtime_default: bool,
    pub drop_all: bool,
    pub no_privilege_escalation: bool,
    pub run_as_non_root: bool,
}

impl Level {
    /// Baseline allows the default (unset) settings: it fills nothing.
    pub fn fill(self) -> Fill {
        let on = self == Level::Restricted;
        Fill { seccomp_runtime_default: on, drop_all: on, no_privilege_escalation: on, run_as_non_root: on }
    }
}

/// The Polyaxon values that make a workload hold what no level allows, and
/// what to write instead. Each names a values key (`artifactsStore`) and
/// whether the chart version renders a `hostPath` from it.
#[derive(Debug)]
pub struct ValuesCause {
    pub key: &'static str,
    pub problem: &'static str,
    pub instead: &'static str,
}

/// The artifacts store: `kind: host_path` (and, on charts 1.0 on, no
/// `artifactsStore` at all: the default store is a host path).
pub const HOST_PATH_STORE: ValuesCause = ValuesCause {
    key: "artifactsStore",
    problem: "a host_path artifacts store is a hostPath volume, which the baseline and restricted levels forbid",
    instead: "use a volume_claim artifacts store (kind: volume_claim, schema: {volumeClaim: <claim>, mountPath: <path>}) or an object store (s3, gcs, wasb)",
};

/// A connection of kind `host_path` mounted into Polyaxon's pods.
pub const HOST_PATH_CONNECTION: ValuesCause = ValuesCause {
    key: "connections",
    problem: "a host_path connection is a hostPath volume, which the baseline and restricted levels forbid",
    instead: "make it a volume_claim connection (schema: {volumeClaim: <claim>, mountPath: <path>})",
};

/// The NVIDIA driver mounts polyaxon-pr (and charts before 1.0) add.
pub const NVIDIA_DIRS: ValuesCause = ValuesCause {
    key: "dirs.nvidia",
    problem: "the NVIDIA driver mounts are hostPath volumes, which the baseline and restricted levels forbid",
    instead: "remove dirs.nvidia and let the NVIDIA device plugin or GPU operator provide the driver",
};

/// A 0.x `persistence` volume without `existingClaim` or `store`.
pub const HOST_PATH_PERSISTENCE: ValuesCause = ValuesCause {
    key: "persistence",
    problem: "a persistence volume without existingClaim or store is a hostPath volume, which the baseline and restricted levels forbid",
    instead: "give it an existingClaim (a PersistentVolumeClaim) or a store",
};

/// `securityContext.runAsUser: 0` (or `user: 0`): root.
pub const ROOT_USER: ValuesCause = ValuesCause {
    key: "securityContext.runAsUser",
    problem: "user id 0 runs Polyaxon as root, which the restricted level forbids (runAsUser: 0, and runAsNonRoot cannot hold)",
    instead: "set another user id (the chart's default is 2222)",
};

/// `securityContext.runAsNonRoot: false` or `allowPrivilegeEscalation: true`
/// rendered by the chart on every Polyaxon container.
pub const LOOSE_CONTAINER: ValuesCause = ValuesCause {
    key: "securityContext",
    problem: "the restricted level requires runAsNonRoot: true and allowPrivilegeEscalation: false on every container",
    instead: "unset it, or set what the level needs (runAsNonRoot: true, allowPrivilegeEscalation: false)",
};

/// Whether the chart version renders the default artifacts store as a
/// `hostPath` volume when the values set no `artifactsStore` (1.0 on:
/// `defaultArtifactsStore`, `kind: host_path`, `/tmp/artifactsStore`).
pub fn default_store_is_host_path(chart: &ChartVersion) -> bool {
    chart.at_least("1.0.0")
}

/// Whether the chart version has `persistence` (0.x), whose volumes
/// without `existingClaim` or `store` are host paths.
pub fn has_persistence(chart: &ChartVersion) -> bool {
    !chart.at_least("1.0.0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_fill() {
        assert_eq!("restricted".parse::<Level>(), Ok(Level::Restricted));
        assert!("privileged".parse::<Level>().is_err());
        assert!(Level::Restricted.fill().drop_all && !Level::Baseline.fill().seccomp_runtime_default);
        assert!(Level::Baseline < Level::Restricted);
        let c = |l: &str| ChartVersion::from_label(l).unwrap();
        assert!(default_store_is_host_path(&c("polyaxon-2.15.1")) && !default_store_is_host_path(&c("polyaxon-0.5.6")));
        assert!(has_persistence(&c("polyaxon-0.4.4")));
    }
}
