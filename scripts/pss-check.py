#!/usr/bin/env python3
"""An independent Pod Security Standards checker, for polyaxon-helm's tests.

Written from the published standard
(https://kubernetes.io/docs/concepts/security/pod-security-standards/), with
its checks named and grouped as kubernetes/pod-security-admission names them
(policy/check_*.go): a restricted check replaces the baseline check it
tightens (restrictedVolumes replaces hostPathVolumes, capabilities_restricted
replaces capabilities_baseline, seccompProfile_restricted replaces
seccompProfile_baseline). It shares no code with polyaxon-pr.

Usage: pss-check.py LEVEL < manifests.yaml
Prints one JSON object per line for each failed check of each pod template:
{"kind", "name", "owner": "polyaxon"|"subchart", "check", "detail"}.
"""
import json
import re
import sys

import yaml

BASELINE_CAPS = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                 "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes"}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}
POD_PATHS = {
    "Pod": ["spec"],
    "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "ReplicationController"}


def dig(obj, *keys):
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


def containers(pod):
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in pod.get(key) or []:
            yield c


def check_pod(pod, template_meta, level):
    """The failed checks of one pod spec: {check: detail}."""
    failed = {}
    psc = pod.get("securityContext") or {}
    cs = list(containers(pod))

    def fail(check, detail):
        failed.setdefault(check, []).append(detail)

    # Baseline.
    if dig(psc, "windowsOptions", "hostProcess") is True or any(
            dig(c, "securityContext", "windowsOptions", "hostProcess") is True for c in cs):
        fail("windowsHostProcess", "hostProcess")
    for ns in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(ns) is True:
            fail("hostNamespaces", ns)
    for c in cs:
        if dig(c, "securityContext", "privileged") is True:
            fail("privileged", c.get("name"))
    if level == "baseline":
        for c in cs:
            for cap in dig(c, "securityContext", "capabilities", "add") or []:
                if cap not in BASELINE_CAPS:
                    fail("capabilities_baseline", f"{c.get('name')} adds {cap}")
    hostpath = [v.get("name") for v in pod.get("volumes") or [] if "hostPath" in v]
    if level == "baseline":
        for name in hostpath:
            fail("hostPathVolumes", name)
    for c in cs:
        for p in c.get("ports") or []:
            if p.get("hostPort") not in (None, 0):
                fail("hostPorts", f"{c.get('name')}:{p.get('hostPort')}")
    for key, value in ((template_meta or {}).get("annotations") or {}).items():
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and not (
                value == "runtime/default" or value.startswith("localhost/")):
            fail("appArmorProfile", key)
    for sc in [psc] + [c.get("securityContext") or {} for c in cs]:
        t = dig(sc, "appArmorProfile", "type")
        if t is not None and t not in ("RuntimeDefault", "Localhost"):
            fail("appArmorProfile", t)
        se = sc.get("seLinuxOptions") or {}
        if (se.get("type") or "") not in SELINUX_TYPES or se.get("user") or se.get("role"):
            fail("seLinuxOptions", str(se))
    for c in cs:
        pm = dig(c, "securityContext", "procMount")
        if pm not in (None, "Default"):
            fail("procMount", pm)
    if level == "baseline":
        for sc in [psc] + [c.get("securityContext") or {} for c in cs]:
            if dig(sc, "seccompProfile", "type") == "Unconfined":
                fail("seccompProfile_baseline", "Unconfined")
    for s in psc.get("sysctls") or []:
        if s.get("name") not in SAFE_SYSCTLS:
            fail("sysctls", s.get("name"))
    if level != "restricted":
        return failed

    # Restricted.
    for v in pod.get("volumes") or []:
        sources = [k for k in v if k != "name"]
        for s in sources:
            if s not in RESTRICTED_VOLUMES:
                fail("restrictedVolumes", f"{v.get('name')}: {s}")
    for c in cs:
        if dig(c, "securityContext", "allowPrivilegeEscalation") is not False:
            fail("allowPrivilegeEscalation", c.get("name"))
    pod_nonroot = psc.get("runAsNonRoot")
    if pod_nonroot is False:
        fail("runAsNonRoot", "pod sets false")
    for c in cs:
        mine = dig(c, "securityContext", "runAsNonRoot")
        if mine is False or (mine is None and pod_nonroot is not True):
            fail("runAsNonRoot", c.get("name"))
    if psc.get("runAsUser") == 0:
        fail("runAsUser", "pod")
    for c in cs:
        if dig(c, "securityContext", "runAsUser") == 0:
            fail("runAsUser", c.get("name"))
    ok = ("RuntimeDefault", "Localhost")
    pod_seccomp = dig(psc, "seccompProfile", "type")
    if pod_seccomp is not None and pod_seccomp not in ok:
        fail("seccompProfile_restricted", f"pod {pod_seccomp}")
    for c in cs:
        t = dig(c, "securityContext", "seccompProfile", "type")
        if (t is not None and t not in ok) or (t is None and pod_seccomp is None):
            fail("seccompProfile_restricted", c.get("name"))
    for c in cs:
        caps = dig(c, "securityContext", "capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            fail("capabilities_restricted", f"{c.get('name')} does not drop ALL")
        for cap in caps.get("add") or []:
            if cap != "NET_BIND_SERVICE":
                fail("capabilities_restricted", f"{c.get('name')} adds {cap}")
    return failed


def documents(text):
    """(template source, object) for each document of the stream."""
    for chunk in re.split(r"(?m)^---[ \t]*$", text):
        source = re.search(r"(?m)^# Source: (.*)$", chunk)
        obj = yaml.safe_load(chunk)
        if isinstance(obj, dict):
            yield (source.group(1) if source else None), obj


def owner(source, obj):
    source = source or dig(obj, "metadata", "annotations", "postrenderer.helm.sh/postrender-filename")
    if source:
        return "subchart" if "/charts/" in source else "polyaxon"
    chart = dig(obj, "metadata", "labels", "helm.sh/chart") or dig(obj, "metadata", "labels", "chart") or ""
    return "polyaxon" if not chart or chart.startswith(("polyaxon-", "agent-")) else "subchart"


def main():
    level = sys.argv[1]
    assert level in ("baseline", "restricted"), level
    for source, obj in documents(sys.stdin.read()):
        kind = obj.get("kind")
        if kind not in WORKLOADS:
            continue
        path = POD_PATHS.get(kind, ["spec", "template", "spec"])
        pod = dig(obj, *path)
        if not isinstance(pod, dict):
            continue
        meta = dig(obj, "metadata") if kind == "Pod" else dig(obj, *path[:-1], "metadata")
        for check, details in sorted(check_pod(pod, meta, level).items()):
            print(json.dumps({"kind": kind, "name": dig(obj, "metadata", "name"), "owner": owner(source, obj),
                              "check": check, "detail": "; ".join(map(str, details))}))


if __name__ == "__main__":
    main()
