//! NVIDIA host driver mounts, from `dirs.nvidia.*` (host paths) and
//! `mountPaths.nvidia.*` (container paths).
//!
//! Charts up to 0.6.x do this themselves for the api, scheduler and
//! resources workloads and tell Polyaxon in the main ConfigMap
//! (`POLYAXON_DIRS_NVIDIA`, `POLYAXON_MOUNT_PATHS_NVIDIA`, `LD_LIBRARY_PATH`);
//! on those versions polyaxon-pr renders exactly that. On every version it
//! also mounts the driver into containers that request `nvidia.com/gpu`
//! and into the workloads `--gpu-target` names, read-only.
//!
//! Host paths carry no `type`, as the chart writes them: a typed path makes
//! pods fail on nodes without the driver. `PATH` is never set (that would
//! replace the image's own), and `LD_LIBRARY_PATH` only extended where the
//! container already sets it.

use super::settings::{data_section, env_entry, set_data, set_env, EnvValue};
use super::{Doc, Facts, GpuTarget, NewDocument, Transform};
use crate::edit::{Editor, Element, Fragment, Matched, NodeError};
use crate::error::Error;
use crate::knowledge::{gpu_native_components, setting_names as names, CONFIG_MAP_MARKER, GPU_RESOURCE};
use crate::values::settings::Settings;
use crate::workload::{self, Owner};
use crate::yaml::{Node, Scalar};

/// The driver's parts, each mounted from its own volume `nvidia-<part>`.
pub(super) const PARTS: [&str; 3] = ["lib", "bin", "libcuda"];

#[derive(Debug)]
pub struct Gpu {
    /// Host paths, in `PARTS` order.
    dirs: [String; 3],
    /// Container paths, in `PARTS` order.
    mounts: [String; 3],
    /// The ConfigMap settings of charts that mount the driver themselves.
    config: Vec<(&'static str, String)>,
    /// Components the chart version mounts the driver into.
    native: &'static [&'static str],
    targets: Vec<(GpuTarget, bool)>,
}

impl Gpu {
    /// `None` when no `dirs.nvidia` path is set.
    pub fn from_settings(settings: &Settings<'_>, targets: &[GpuTarget]) -> Result<Option<Self>, Error> {
        let Some(paths) = settings.gpu()? else {
            if let Some(target) = targets.first() {
                return Err(Error::new(format!(
                    "--gpu-target {} needs dirs.nvidia.lib, dirs.nvidia.bin and dirs.nvidia.libcuda in the values",
                    target.shown
                )));
            }
            return Ok(None);
        };
        let native = settings.chart.as_ref().map_or(&[][..], gpu_native_components);
        let config = if native.is_empty() {
            Vec::new()
        } else {
            // As the 0.x chart's cm.yaml writes them.
            let (described, lib, libcuda) = match &paths.mounts_json {
                Some(json) => (json, &paths.mounts[0], &paths.mounts[2]),
                None => (&paths.dirs_json, &paths.dirs[0], &paths.dirs[2]),
            };
            vec![
                (names::DIRS_NVIDIA, paths.dirs_json.clone()),
                (names::MOUNT_PATHS_NVIDIA, described.clone()),
                ("LD_LIBRARY_PATH", format!("{lib}:{libcuda}")),
            ]
        };
        let targets = targets.iter().map(|t| (t.clone(), false)).collect();
        Ok(Some(Gpu { dirs: paths.dirs, mounts: paths.mounts, config, native, targets }))
    }

    /// The volumes to mount, by name, adding those the pod lacks.
    fn volumes<'n>(&self, editor: &mut Editor<'n>, pod: &'n Node, pod_path: &str) -> Result<[String; 3], NodeError> {
        let elements: Vec<Element<'_>> = PARTS
            .iter()
            .zip(&self.dirs)
            .map(|(part, dir)| {
                let name = format!("nvidia-{part}");
                let item = Fragment::map([("name", Fragment::str(&name)), ("hostPath", Fragment::map([("path", Fragment::str(dir))]))]);
                // A volume of the same name, or a named one for the same host path, is reused
                // (a nameless one cannot be mounted: reusing it would add ours again on every run).
                let matches = move |v: &Node| {
                    let named = v.get("name").and_then(Node::text);
                    named == Some(name.as_str()) || (named.is_some() && v.path(&["hostPath", "path"]).and_then(Node::text) == Some(dir))
                };
                Element { matches: Box::new(matches), item, matched: Matched::Keep }
            })
            .collect();
        let found = editor.ensure_elements(pod, "volumes", &format!("{pod_path}.volumes"), &elements)?;
        let names = std::array::from_fn(|i| {
            found[i].and_then(|v| v.get("name")).and_then(Node::text).map_or_else(|| format!("nvidia-{}", PARTS[i]), str::to_string)
        });
        Ok(names)
    }

    /// Mounts the volumes into a container; `read_only` beyond what the chart does.
    fn mount<'n>(
        &self,
        editor: &mut Editor<'n>,
        container: &'n Node,
        path: &str,
        volumes: &[String; 3],
        read_only: bool,
    ) -> Result<(), NodeError> {
        let elements: Vec<Element<'_>> = (0..3)
            .map(|i| {
                let mut entries = vec![("name", Fragment::str(&volumes[i])), ("mountPath", Fragment::str(&self.mounts[i]))];
                if read_only {
                    entries.push(("readOnly", Fragment::bool(true)));
                }
                let matches = move |m: &Node| {
                    m.get("name").and_then(Node::text) == Some(&volumes[i])
                        || m.get("mountPath").and_then(Node::text) == Some(&self.mounts[i])
                };
                Element { matches: Box::new(matches), item: Fragment::map(entries), matched: Matched::Keep }
            })
            .collect();
        editor.ensure_elements(container, "volumeMounts", &format!("{path}.volumeMounts"), &elements)?;
        if !read_only {
            return Ok(());
        }
        // Extend LD_LIBRARY_PATH only where the container sets one: Kubernetes
        // cannot append to the image's own.
        let Some(entry) = env_entry(container, "LD_LIBRARY_PATH") else {
            return Ok(());
        };
        if entry.get("valueFrom").is_some() {
            return Err(NodeError::at(
                entry,
                "LD_LIBRARY_PATH is set from valueFrom; polyaxon-pr cannot extend it with the NVIDIA library paths",
            ));
        }
        let current = entry.get("value").and_then(Node::scalar).map_or(String::new(), scalar_text);
        let mut list: Vec<&str> = current.split(':').filter(|p| !p.is_empty()).collect();
        let before = list.len();
        for part in [self.mounts[0].as_str(), parent(&self.mounts[2])] {
            if !list.contains(&part) {
                list.push(part);
            }
        }
        if list.len() > before {
            set_env(editor, container, &[("LD_LIBRARY_PATH".into(), EnvValue::Value(list.join(":")))], path)?;
        }
        Ok(())
    }
}

impl Transform for Gpu {
    fn name(&self) -> &'static str {
        "gpu"
    }

    fn applies_to(&self, kind: &str) -> bool {
        kind == "ConfigMap" || workload::is_workload(kind)
    }

    fn edit<'n>(&mut self, doc: &Doc<'n>, editor: &mut Editor<'n>, _notes: &mut Vec<String>) -> Result<(), NodeError> {
        if doc.kind == "ConfigMap" {
            if let Some(data) = data_section(doc.root).filter(|d| doc.owner == Owner::Polyaxon && d.get(CONFIG_MAP_MARKER).is_some()) {
                for (key, value) in &self.config {
                    set_data(editor, data, key, value)?;
                }
            }
            return Ok(());
        }
        let name = workload::name(doc.root);
        let mut targeted = false;
        for (target, matched) in &mut self.targets {
            if target.matches(doc.kind, name) {
                *matched = true;
                targeted = true;
            }
        }
        let native = doc.owner == Owner::Polyaxon
            && matches!(doc.kind, "Deployment" | "DaemonSet")
            && workload::component(doc.root, doc.facts.fullname.as_deref()).is_some_and(|c| self.native.contains(&c));
        let gpu_containers = |pod: &'n Node, path: &str| -> Result<Vec<(&'n Node, String)>, NodeError> {
            Ok(workload::containers(pod, path)?.into_iter().filter(|(c, _)| targeted || uses_gpu(c)).collect())
        };
        // Look before asking for an editable pod spec, so workloads this
        // transform leaves alone are never refused for YAML it cannot edit
        // (a wrong shape of what it reads to decide is).
        let Some((pod, pod_path)) = workload::pod_to_read(doc.root, doc.kind)? else {
            return Ok(());
        };
        if !native && gpu_containers(pod, &pod_path)?.is_empty() {
            return Ok(());
        }
        let Some((pod, pod_path)) = workload::pod_spec(doc.root, doc.kind)? else {
            return Ok(());
        };
        let containers = workload::checked_containers(pod, &pod_path);
        let volumes = self.volumes(editor, pod, &pod_path)?;
        let chart_mounted = if native {
            let component = workload::component(doc.root, doc.facts.fullname.as_deref()).unwrap_or_default();
            workload::main_container(&containers, component)
        } else {
            None
        };
        if let Some((container, path)) = &chart_mounted {
            self.mount(editor, container, path, &volumes, false)?;
        }
        for (container, path) in gpu_containers(pod, &pod_path)? {
            if chart_mounted.as_ref().is_some_and(|(c, _)| c.start == container.start) {
                continue;
            }
            self.mount(editor, container, &path, &volumes, true)?;
        }
        Ok(())
    }

    fn finish(&mut self, _facts: &Facts, notes: &mut Vec<String>) -> Result<Vec<NewDocument>, Error> {
        for (target, matched) in &self.targets {
            if !matched {
                notes.push(format!("gpu: --gpu-target {} matched no workload in the stream", crate::text::sanitize(&target.shown)));
            }
        }
        Ok(Vec::new())
    }
}

/// Whether a container requests or limits `nvidia.com/gpu` (a non-zero amount).
fn uses_gpu(container: &Node) -> bool {
    ["requests", "limits"].iter().any(|section| {
        container
            .path(&["resources", section, GPU_RESOURCE])
            .is_some_and(|n| !n.is_null() && !matches!(n.scalar(), Some(Scalar::Int(0))) && n.text() != Some("0"))
    })
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
    use crate::transform::test_support::{facts_for, run_one, values};

    const VALUES: &str = "dirs:\n  nvidia:\n    lib: /usr/lib/nvidia-384\n    bin: /usr/lib/nvidia-384/bin\n    libcuda: /usr/lib/x86_64-linux-gnu/libcuda.so.1\nmountPaths:\n  nvidia:\n    lib: /usr/local/nvidia/lib64\n";

    fn gpu(values_text: &str, targets: &[&str], chart: &str) -> Result<Option<Gpu>, Error> {
        let targets: Vec<GpuTarget> = targets.iter().map(|t| GpuTarget::parse(t).unwrap()).collect();
        Gpu::from_settings(&Settings::new(&values(values_text), facts_for(chart).chart), &targets)
    }

    const GPU_JOB: &str = r#"kind: Job
metadata:
  name: train
spec:
  template:
    spec:
      containers:
      - name: main
        image: x
        env:
        - name: LD_LIBRARY_PATH
          value: /opt/lib
        resources:
          limits:
            nvidia.com/gpu: 1
      - name: sidecar
        image: y
"#;

    #[test]
    fn mounts_driver_read_only_into_gpu_containers_without_touching_path() {
        let facts = facts_for("polyaxon-2.15.1");
        let (out, _) = run_one(&mut gpu(VALUES, &[], "polyaxon-2.15.1").unwrap().unwrap(), GPU_JOB, &facts);
        assert_eq!(
            out,
            r#"kind: Job
metadata:
  name: train
spec:
  template:
    spec:
      containers:
      - name: main
        image: x
        env:
        - name: LD_LIBRARY_PATH
          value: "/opt/lib:/usr/local/nvidia/lib64:/usr/lib/x86_64-linux-gnu"
        resources:
          limits:
            nvidia.com/gpu: 1
        volumeMounts:
        - name: nvidia-lib
          mountPath: /usr/local/nvidia/lib64
          readOnly: true
        - name: nvidia-bin
          mountPath: /usr/lib/nvidia-384/bin
          readOnly: true
        - name: nvidia-libcuda
          mountPath: /usr/lib/x86_64-linux-gnu/libcuda.so.1
          readOnly: true
      - name: sidecar
        image: y
      volumes:
      - name: nvidia-lib
        hostPath:
          path: /usr/lib/nvidia-384
      - name: nvidia-bin
        hostPath:
          path: /usr/lib/nvidia-384/bin
      - name: nvidia-libcuda
        hostPath:
          path: /usr/lib/x86_64-linux-gnu/libcuda.so.1
"#
        );
        assert!(!out.contains("- name: PATH") && !out.contains("type:"));
    }

    #[test]
    fn is_idempotent_and_skips_non_gpu_workloads() {
        let facts = facts_for("polyaxon-2.15.1");
        let mut g = gpu(VALUES, &[], "polyaxon-2.15.1").unwrap().unwrap();
        let (once, _) = run_one(&mut g, GPU_JOB, &facts);
        assert_eq!(run_one(&mut g, &once, &facts).0, once);
        for plain in [GPU_JOB.replace("nvidia.com/gpu: 1", "cpu: 1"), GPU_JOB.replace("nvidia.com/gpu: 1", "nvidia.com/gpu: 0")] {
            assert_eq!(run_one(&mut g, &plain, &facts).0, plain);
        }
    }

    #[test]
    fn old_charts_get_what_their_templates_render() {
        let facts = facts_for("polyaxon-0.4.4");
        let mut g = gpu(VALUES, &[], "polyaxon-0.4.4").unwrap().unwrap();
        let cm = "kind: ConfigMap\nmetadata:\n  name: pax-polyaxon-config\ndata:\n  POLYAXON_K8S_NAMESPACE: \"polyaxon\"\n  POLYAXON_DIRS_NVIDIA: \"{\\\"bin\\\":\\\"\\\",\\\"lib\\\":\\\"\\\",\\\"libcuda\\\":\\\"\\\"}\"\n";
        let (out, _) = run_one(&mut g, cm, &facts);
        assert!(out.contains(r#"POLYAXON_DIRS_NVIDIA: "{\"bin\":\"/usr/lib/nvidia-384/bin\",\"lib\":\"/usr/lib/nvidia-384\",\"libcuda\":\"/usr/lib/x86_64-linux-gnu/libcuda.so.1\"}""#), "{out}");
        assert!(out.contains("LD_LIBRARY_PATH: \"/usr/lib/nvidia-384:/usr/lib/x86_64-linux-gnu/libcuda.so.1\""), "{out}");
        let api = "kind: Deployment\nmetadata:\n  name: pax-polyaxon-api\nspec:\n  template:\n    spec:\n      containers:\n      - name: polyaxon-api\n        image: x\n      - name: nginx\n        image: y\n";
        let (out, _) = run_one(&mut g, api, &facts);
        assert!(out.contains("      - name: polyaxon-api\n        image: x\n        volumeMounts:\n        - name: nvidia-lib\n          mountPath: /usr/local/nvidia/lib64\n        - name: nvidia-bin\n"), "{out}");
        assert!(!out.contains("readOnly") && out.ends_with("        image: y\n      volumes:\n      - name: nvidia-lib\n        hostPath:\n          path: /usr/lib/nvidia-384\n      - name: nvidia-bin\n        hostPath:\n          path: /usr/lib/nvidia-384/bin\n      - name: nvidia-libcuda\n        hostPath:\n          path: /usr/lib/x86_64-linux-gnu/libcuda.so.1\n"), "{out}");
    }

    #[test]
    fn targets_select_workloads_by_kind_and_name_glob_and_unmatched_ones_are_reported() {
        let facts = facts_for("polyaxon-2.15.1");
        let ds = "kind: DaemonSet\nmetadata:\n  name: pax-polyaxon-resources\nspec:\n  template:\n    spec:\n      containers:\n      - name: r\n        image: x\n        volumeMounts:\n        - name: nvidia-lib\n          mountPath: \"/usr/local/nvidia/lib64\"\n      volumes:\n      - name: nvidia-lib\n        hostPath:\n          path: \"/usr/lib/nvidia-384\"\n      - name: driver-bin\n        hostPath:\n          path: /usr/lib/nvidia-384/bin\n";
        let mut g = gpu(VALUES, &["daemonset/*-resources", "Job/nothing-*"], "polyaxon-2.15.1").unwrap().unwrap();
        let (out, _) = run_one(&mut g, ds, &facts);
        // Existing volumes and mounts (by name or path) are reused, never duplicated.
        assert_eq!(out.matches("name: nvidia-lib\n").count(), 2, "{out}");
        assert!(!out.contains("name: nvidia-bin"), "{out}");
        assert!(out.contains("- name: driver-bin\n          mountPath: /usr/lib/nvidia-384/bin\n          readOnly: true"), "{out}");
        let mut notes = Vec::new();
        g.finish(&facts, &mut notes).unwrap();
        assert_eq!(notes, ["gpu: --gpu-target Job/nothing-* matched no workload in the stream"]);
    }

    #[test]
    fn partial_and_misplaced_config_are_located_errors() {
        let err = gpu("dirs:\n  nvidia:\n    lib: /a\n    bin: /b\n", &[], "polyaxon-2.15.1").unwrap_err();
        assert_eq!(err.to_string(), "values.yaml:3:5: dirs.nvidia.libcuda is missing: dirs.nvidia.lib, bin and libcuda go together");
        let err = gpu("mountPaths:\n  nvidia:\n    bin: /x\n", &[], "polyaxon-2.15.1").unwrap_err();
        assert!(err.to_string().starts_with("values.yaml:3:10: mountPaths.nvidia.bin is set but dirs.nvidia is not"), "{err}");
        let err = gpu("dirs:\n  nvidia:\n    lib: lib\n    bin: /b\n    libcuda: /c\n", &[], "polyaxon-2.15.1").unwrap_err();
        assert!(err.to_string().starts_with("values.yaml:3:10: dirs.nvidia.lib must be an absolute host path"), "{err}");
        assert!(gpu("{}", &["DaemonSet/x"], "polyaxon-2.15.1").is_err());
        assert!(gpu("dirs:\n  nvidia: {lib: '', bin: '', libcuda: ''}\n", &[], "polyaxon-0.4.4").unwrap().is_none());
        assert!(GpuTarget::parse("*/*").is_err() && GpuTarget::parse("no-slash").is_err());
    }
}
