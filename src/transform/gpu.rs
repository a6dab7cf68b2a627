//! NVIDIA host driver mounts for containers that use GPUs, from
//! `dirs.nvidia.*` (host paths) and `mountPaths.nvidia.*` (container paths).
//!
//! Chart 0.x rendered these for a few workloads; 1.x and 2.x dropped the keys,
//! but GPU nodes without the NVIDIA device plugin's runtime hooks still need
//! the driver mounted.

use super::settings::{env_entry, set_env, EnvValue};
use super::{Doc, NodeError, Transform};
use crate::edit::{Edits, Frag};
use crate::glob::glob;
use crate::error::Error;
use crate::values::Values;
use crate::workload;
use crate::yaml::{Node, Scalar};

const PARTS: [&str; 3] = ["lib", "bin", "libcuda"];
/// PATH of Debian and most images, kept when a container sets none of its own.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const GPU_RESOURCE: &str = "nvidia.com/gpu";

#[derive(Debug)]
pub struct Gpu {
    /// Host paths, in `PARTS` order.
    dirs: [String; 3],
    /// Container paths, in `PARTS` order.
    mounts: [String; 3],
    targets: Vec<(String, String)>,
}

impl Gpu {
    /// `None` when no `dirs.nvidia` key is set.
    pub fn from_values(values: &Values, targets: &[String]) -> Result<Option<Self>, Error> {
        let mut dirs = Vec::new();
        for part in PARTS {
            dirs.push(values.string(&format!("dirs.nvidia.{part}"))?);
        }
        if dirs.iter().all(Option::is_none) {
            for part in PARTS {
                if let Some(found) = values.get(&format!("mountPaths.nvidia.{part}")) {
                    return Err(Error::at(found.location(), format!("mountPaths.nvidia.{part} is set but dirs.nvidia is not: there is nothing to mount")));
                }
            }
            if !targets.is_empty() {
                return Err(Error::new("--gpu-target needs dirs.nvidia.lib, dirs.nvidia.bin and dirs.nvidia.libcuda in the values"));
            }
            return Ok(None);
        }
        let section = values.get("dirs.nvidia").expect("a key below it is set").location();
        for (part, dir) in PARTS.iter().zip(&dirs) {
            match dir {
                None => {
                    return Err(Error::at(section, format!("dirs.nvidia.{part} is missing: dirs.nvidia.lib, bin and libcuda go together")))
                }
                Some(d) if !d.starts_with('/') => {
                    let at = values.get(&format!("dirs.nvidia.{part}")).expect("just read").location();
                    return Err(Error::at(at, format!("dirs.nvidia.{part} must be an absolute host path, found `{d}`")));
                }
                Some(_) => {}
            }
        }
        let dirs: [String; 3] = dirs.into_iter().map(Option::unwrap_or_default).collect::<Vec<_>>().try_into().expect("three parts");
        let mut mounts = dirs.clone();
        for (i, part) in PARTS.iter().enumerate() {
            let key = format!("mountPaths.nvidia.{part}");
            if let Some(m) = values.string(&key)? {
                if !m.starts_with('/') {
                    let at = values.get(&key).expect("just read").location();
                    return Err(Error::at(at, format!("{key} must be an absolute container path, found `{m}`")));
                }
                mounts[i] = m;
            }
        }
        let targets = targets
            .iter()
            .map(|t| match t.split_once('/') {
                Some((kind, name)) if !kind.is_empty() && !name.is_empty() => Ok((kind.to_string(), name.to_string())),
                _ => Err(Error::new(format!("--gpu-target `{t}`: expected KIND/NAME, e.g. DaemonSet/pax-polyaxon-resources or Deployment/*-gpu-*"))),
            })
            .collect::<Result<_, _>>()?;
        Ok(Some(Gpu { dirs, mounts, targets }))
    }

    fn selected(&self, kind: &str, name: &str) -> bool {
        self.targets.iter().any(|(k, n)| k.eq_ignore_ascii_case(kind) && glob(n, name))
    }

    /// The volumes to mount, by name, adding those the pod lacks.
    fn volumes(&self, text: &str, pod: &Node, edits: &mut Edits) -> [String; 3] {
        let existing = pod.get("volumes").and_then(Node::items).unwrap_or_default();
        let mut names: [String; 3] = Default::default();
        let mut missing = Vec::new();
        for (i, part) in PARTS.iter().enumerate() {
            let name = format!("nvidia-{part}");
            // A volume of the same name, or one for the same host path, is reused.
            let same = existing.iter().find(|v| {
                v.get("name").and_then(Node::text) == Some(&name)
                    || v.path(&["hostPath", "path"]).and_then(Node::text) == Some(&self.dirs[i])
            });
            match same.and_then(|v| v.get("name")).and_then(Node::text) {
                Some(found) => names[i] = found.to_string(),
                None => {
                    let kind = if *part == "libcuda" { "File" } else { "Directory" };
                    missing.push(Frag::map([
                        ("name", Frag::str(&name)),
                        ("hostPath", Frag::map([("path", Frag::str(&self.dirs[i])), ("type", Frag::str(kind))])),
                    ]));
                    names[i] = name;
                }
            }
        }
        add_to_list(text, pod, "volumes", missing, edits);
        names
    }

    fn mount(&self, text: &str, container: &Node, volumes: &[String; 3], edits: &mut Edits) -> Result<(), NodeError> {
        let existing = container.get("volumeMounts").and_then(Node::items).unwrap_or_default();
        let missing: Vec<Frag> = (0..3)
            .filter(|&i| {
                !existing.iter().any(|m| {
                    m.get("name").and_then(Node::text) == Some(&volumes[i]) || m.get("mountPath").and_then(Node::text) == Some(&self.mounts[i])
                })
            })
            .map(|i| {
                Frag::map([("name", Frag::str(&volumes[i])), ("mountPath", Frag::str(&self.mounts[i])), ("readOnly", Frag::bool(true))])
            })
            .collect();
        add_to_list(text, container, "volumeMounts", missing, edits);

        let libcuda_dir = parent(&self.mounts[2]);
        let mut vars = Vec::new();
        for (var, parts, default_tail) in
            [("LD_LIBRARY_PATH", vec![self.mounts[0].as_str(), libcuda_dir], None), ("PATH", vec![self.mounts[1].as_str()], Some(DEFAULT_PATH))]
        {
            let current = match env_entry(container, var) {
                Some(entry) if entry.get("valueFrom").is_some() => {
                    return Err(NodeError::at(entry, format!("{var} is set from valueFrom; polyaxon-pr cannot extend it with the NVIDIA paths")))
                }
                Some(entry) => Some(entry.get("value").and_then(Node::scalar).map_or(String::new(), scalar_text)),
                None => None,
            };
            if let Some(value) = extend_path_list(current.as_deref(), &parts, default_tail) {
                vars.push((var.to_string(), EnvValue::Value(value)));
            }
        }
        set_env(text, container, &vars, edits)
    }
}

impl Transform for Gpu {
    fn name(&self) -> &'static str {
        "gpu"
    }

    fn applies_to(&self, kind: &str) -> bool {
        workload::is_workload(kind)
    }

    fn edit(&mut self, doc: &Doc<'_>, edits: &mut Edits, _notes: &mut Vec<String>) -> Result<(), NodeError> {
        let Some((pod, path)) = workload::pod_spec(doc.root, doc.kind) else { return Ok(()) };
        let all = self.selected(doc.kind, workload::name(doc.root));
        let targets: Vec<&Node> =
            workload::containers(pod, &path).into_iter().map(|(c, _)| c).filter(|c| all || uses_gpu(c)).collect();
        if targets.is_empty() {
            return Ok(());
        }
        let volumes = self.volumes(doc.text, pod, edits);
        for container in targets {
            self.mount(doc.text, container, &volumes, edits)?;
        }
        Ok(())
    }
}

/// Whether a container requests or limits `nvidia.com/gpu` (to a non-zero amount).
fn uses_gpu(container: &Node) -> bool {
    ["requests", "limits"].iter().any(|section| {
        container.path(&["resources", section, GPU_RESOURCE]).is_some_and(|n| !matches!(n.scalar(), Some(Scalar::Int(0))) && !n.is_null())
    })
}

/// Appends items to `parent.<key>`, creating the list when it is missing.
fn add_to_list(text: &str, parent: &Node, key: &str, items: Vec<Frag>, edits: &mut Edits) {
    if items.is_empty() {
        return;
    }
    match parent.entry(key) {
        Some((_, list)) if list.items().is_some() => edits.add_items(text, list, items),
        Some((k, v)) if v.is_null() => edits.fill_null(text, k, v, &Frag::Seq(items)),
        _ => edits.add_entries(text, parent, vec![(key.to_string(), Frag::Seq(items))]),
    }
}

/// A colon-separated path list with `parts` added (those it lacks), or
/// `None` when it already has them all.
fn extend_path_list(current: Option<&str>, parts: &[&str], default_tail: Option<&str>) -> Option<String> {
    let mut list: Vec<&str> = match current {
        Some(c) => c.split(':').filter(|p| !p.is_empty()).collect(),
        None => Vec::new(),
    };
    let before = list.len();
    for part in parts {
        if !list.contains(part) {
            list.push(part);
        }
    }
    if current.is_some() && list.len() == before {
        return None;
    }
    let mut value = list.join(":");
    if current.is_none() {
        if let Some(tail) = default_tail {
            value = format!("{value}:{tail}");
        }
    }
    Some(value)
}

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => path,
    }
}

fn scalar_text(s: Scalar<'_>) -> String {
    match s {
        Scalar::Str(s) => s.to_string(),
        Scalar::Null => String::new(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(n) => n.to_string(),
        Scalar::Float(f) => f.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_one;

    const VALUES: &str = "dirs:\n  nvidia:\n    lib: /usr/lib/nvidia-384\n    bin: /usr/lib/nvidia-384/bin\n    libcuda: /usr/lib/x86_64-linux-gnu/libcuda.so.1\nmountPaths:\n  nvidia:\n    lib: /usr/local/nvidia/lib64\n";

    fn gpu(values: &str, targets: &[&str]) -> Result<Option<Gpu>, Error> {
        let mut v = Values::default();
        v.add_text("values.yaml", values).unwrap();
        Gpu::from_values(&v, &targets.iter().map(|t| t.to_string()).collect::<Vec<_>>())
    }

    fn run(g: &mut Gpu, text: &str) -> String {
        let root = parse_one(text).unwrap().unwrap();
        let kind = root.get("kind").and_then(Node::text).unwrap().to_string();
        let mut edits = Edits::default();
        g.edit(&Doc { text, root: &root, kind: &kind, source: None }, &mut edits, &mut Vec::new()).unwrap();
        edits.apply(text)
    }

    const GPU_JOB: &str = "kind: Job\nmetadata:\n  name: train\nspec:\n  template:\n    spec:\n      containers:\n      - name: main\n        image: x\n        env:\n        - name: LD_LIBRARY_PATH\n          value: /opt/lib\n        resources:\n          limits:\n            nvidia.com/gpu: 1\n      - name: sidecar\n        image: y\n";

    #[test]
    fn mounts_driver_into_gpu_containers_only() {
        let out = run(&mut gpu(VALUES, &[]).unwrap().unwrap(), GPU_JOB);
        assert_eq!(
            out,
            "kind: Job\nmetadata:\n  name: train\nspec:\n  template:\n    spec:\n      containers:\n      - name: main\n        image: x\n        env:\n        - name: LD_LIBRARY_PATH\n          value: \"/opt/lib:/usr/local/nvidia/lib64:/usr/lib/x86_64-linux-gnu\"\n        - name: PATH\n          value: \"/usr/lib/nvidia-384/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\n        resources:\n          limits:\n            nvidia.com/gpu: 1\n        volumeMounts:\n        - name: nvidia-lib\n          mountPath: /usr/local/nvidia/lib64\n          readOnly: true\n        - name: nvidia-bin\n          mountPath: /usr/lib/nvidia-384/bin\n          readOnly: true\n        - name: nvidia-libcuda\n          mountPath: /usr/lib/x86_64-linux-gnu/libcuda.so.1\n          readOnly: true\n      - name: sidecar\n        image: y\n      volumes:\n      - name: nvidia-lib\n        hostPath:\n          path: /usr/lib/nvidia-384\n          type: Directory\n      - name: nvidia-bin\n        hostPath:\n          path: /usr/lib/nvidia-384/bin\n          type: Directory\n      - name: nvidia-libcuda\n        hostPath:\n          path: /usr/lib/x86_64-linux-gnu/libcuda.so.1\n          type: File\n"
        );
    }

    #[test]
    fn is_idempotent_and_skips_non_gpu_workloads() {
        let mut g = gpu(VALUES, &[]).unwrap().unwrap();
        let once = run(&mut g, GPU_JOB);
        assert_eq!(run(&mut g, &once), once);
        let plain = GPU_JOB.replace("nvidia.com/gpu: 1", "cpu: 1");
        assert_eq!(run(&mut g, &plain), plain);
        let zero = GPU_JOB.replace("nvidia.com/gpu: 1", "nvidia.com/gpu: 0");
        assert_eq!(run(&mut g, &zero), zero);
    }

    #[test]
    fn targets_select_workloads_by_kind_and_name_glob() {
        let ds = "kind: DaemonSet\nmetadata:\n  name: pax-polyaxon-resources\nspec:\n  template:\n    spec:\n      containers:\n      - name: r\n        image: x\n        volumeMounts:\n        - name: nvidia-lib\n          mountPath: \"/usr/local/nvidia/lib64\"\n      volumes:\n      - name: nvidia-lib\n        hostPath:\n          path: \"/usr/lib/nvidia-384\"\n      - name: driver-bin\n        hostPath:\n          path: /usr/lib/nvidia-384/bin\n";
        let mut g = gpu(VALUES, &["daemonset/*-resources"]).unwrap().unwrap();
        let out = run(&mut g, ds);
        // Existing volumes and mounts (by name or path) are reused, never duplicated.
        assert_eq!(out.matches("name: nvidia-lib\n").count(), 2, "{out}");
        assert!(!out.contains("name: nvidia-bin"), "{out}");
        assert!(out.contains("- name: driver-bin\n          mountPath: /usr/lib/nvidia-384/bin\n          readOnly: true"), "{out}");
        assert!(out.contains("- name: nvidia-libcuda\n        hostPath:\n          path: /usr/lib/x86_64-linux-gnu/libcuda.so.1\n          type: File"), "{out}");
        let mut other = gpu(VALUES, &["Deployment/*"]).unwrap().unwrap();
        assert_eq!(run(&mut other, ds), ds);
    }

    #[test]
    fn partial_and_misplaced_config_are_located_errors() {
        let err = gpu("dirs:\n  nvidia:\n    lib: /a\n    bin: /b\n", &[]).unwrap_err();
        assert_eq!(err.to_string(), "values.yaml:3:5: dirs.nvidia.libcuda is missing: dirs.nvidia.lib, bin and libcuda go together");
        let err = gpu("mountPaths:\n  nvidia:\n    bin: /x\n", &[]).unwrap_err();
        assert!(err.to_string().starts_with("values.yaml:3:10: mountPaths.nvidia.bin is set but dirs.nvidia is not"), "{err}");
        let err = gpu("dirs:\n  nvidia:\n    lib: lib\n    bin: /b\n    libcuda: /c\n", &[]).unwrap_err();
        assert!(err.to_string().starts_with("values.yaml:3:10: dirs.nvidia.lib must be an absolute host path"), "{err}");
        assert!(gpu(VALUES, &["no-slash"]).is_err());
        assert!(gpu("{}", &["DaemonSet/x"]).is_err());
        assert!(gpu("{}", &[]).unwrap().is_none());
    }
}
