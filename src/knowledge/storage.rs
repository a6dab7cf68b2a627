//! Where 0.x storage went. Chart 1.0 replaced `persistence` (the logs,
//! outputs, data, repos and upload volumes) with connections, as Polyaxon's
//! v0 -> v1 migration notes say: "Logs and outputs are managed through a
//! single artifacts store", data volumes and buckets are connections, "Git
//! is managed through external providers by default". [`carry`] turns a
//! `persistence` section into that shape: an artifacts store and
//! connections of kind `volume_claim`, `host_path`, `s3`, `gcs` or `wasb`,
//! with `schema` fields as Polyaxon's connection schemas name them.

use super::catalog::Catalog;
use super::read_keys::PERSISTENCE_SOURCES;
use crate::yaml::{Node, Scalar};

/// A 1.x/2.x connection made from a 0.x volume.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub name: String,
    pub kind: &'static str,
    pub schema: Vec<(&'static str, Setting)>,
    /// The Secret it reads credentials from.
    pub secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Setting {
    Str(String),
    Bool(bool),
}

/// What a `persistence` section becomes.
#[derive(Debug, Default)]
pub struct Carry {
    /// The artifacts store, with the key it came from.
    pub store: Option<(String, Connection)>,
    /// Connections, with the keys they came from.
    pub connections: Vec<(String, Connection)>,
    /// What did not carry, or carried with another meaning.
    pub notes: Vec<String>,
    /// The carry chose something the user should confirm.
    pub needs_choice: bool,
}

/// 0.x `store` values and the connection kinds of 1.x.
const STORES: &[(&str, &str)] = &[("s3", "s3"), ("gcs", "gcs"), ("azure", "wasb")];

/// Carries a 0.x `persistence` mapping; `store_taken` when the file already
/// sets an artifacts store (outputs then become connections).
pub fn carry(persistence: &Node, store_taken: bool) -> Carry {
    let mut out = Carry::default();
    let section = |name: &str| persistence.get(name);
    // Outputs first: the artifacts store holds them (and the logs) from 1.0.
    let outputs = section("outputs").map(|n| volumes("persistence.outputs", "outputs", n)).unwrap_or_default();
    let mut store_from: Vec<(String, String, &Node)> = outputs;
    let logs = section("logs").filter(|n| !n.is_null());
    if store_from.is_empty() {
        if let Some(logs) = logs {
            store_from.push(("persistence.logs".into(), "logs".into(), logs));
            out.notes.push("the artifacts store holds the outputs too now".into());
            out.needs_choice = true;
        }
    } else if logs.is_some() {
        out.notes.push("logs go into the artifacts store now (persistence.logs is not carried)".into());
    }
    for (i, (path, name, spec)) in store_from.iter().enumerate() {
        let Some(mut connection) = volume(path, name, spec, &mut out) else { continue };
        let as_store = i == 0 && !store_taken;
        if as_store {
            if connection.schema.iter().any(|(k, v)| *k == "readOnly" && *v == Setting::Bool(true)) {
                connection.schema.retain(|(k, _)| *k != "readOnly");
                out.notes.push(format!("`{path}.readOnly` is not carried: Polyaxon writes to its artifacts store"));
                out.needs_choice = true;
            }
            out.store = Some((path.clone(), connection));
        } else {
            let why = if store_taken { "artifactsStore is set already" } else { "Polyaxon reads one artifacts store" };
            out.notes.push(format!("`{path}` is a connection now ({why})"));
            out.needs_choice = true;
            out.connections.push((path.clone(), connection));
        }
    }
    if let Some(data) = section("data") {
        for (path, name, spec) in volumes("persistence.data", "data", data) {
            if let Some(connection) = volume(&path, &name, spec, &mut out) {
                out.connections.push((path, connection));
            }
        }
    }
    for (key, value) in persistence.entries().unwrap_or_default() {
        let Some(name) = key.text() else { continue };
        match name {
            "outputs" | "logs" | "data" => {}
            _ if value.is_null() => {}
            "repos" => out.notes.push("`persistence.repos` is not carried: git repositories are git connections in 1.x".into()),
            "upload" => out.notes.push("`persistence.upload` is not carried: uploads go to the artifacts store in 1.x".into()),
            _ => out.notes.push(format!("`persistence.{name}` has no counterpart in 1.x")),
        }
    }
    out
}

/// The named volumes of an `outputs` or `data` section; before chart 0.2
/// the section was one volume itself (`persistence.data.existingClaim`).
fn volumes<'a>(path: &str, name: &str, section: &'a Node) -> Vec<(String, String, &'a Node)> {
    let entries = section.entries().unwrap_or_default();
    if entries.iter().any(|(_, v)| !v.is_map() && !v.is_null()) {
        return vec![(path.to_string(), name.to_string(), section)];
    }
    entries
        .iter()
        .filter(|(_, v)| v.is_map())
        .filter_map(|(k, v)| Some((format!("{path}.{}", k.text()?), k.text()?.to_string(), v)))
        .collect()
}

/// One volume as a connection, or `None` (with a note) when it cannot carry.
fn volume(path: &str, name: &str, spec: &Node, out: &mut Carry) -> Option<Connection> {
    let text = |key: &str| match spec.get(key).and_then(Node::scalar) {
        Some(Scalar::Str(s)) if !s.is_empty() => Some(s.to_string()),
        _ => None,
    };
    let [claim, host, store] = PERSISTENCE_SOURCES.map(text);
    let mount = text("mountPath");
    let read_only = spec.get("readOnly").and_then(Node::scalar) == Some(Scalar::Bool(true));
    let set = [&claim, &host, &store].iter().filter(|s| s.is_some()).count();
    if set > 1 {
        out.notes.push(format!("`{path}` sets more than one of existingClaim, hostPath and store: carry the one you mean by hand"));
        out.needs_choice = true;
        return None;
    }
    if let Some(sub) = text("subPath") {
        out.notes.push(format!("`{path}.subPath` ({sub}) is not carried: connections mount the whole volume"));
        out.needs_choice = true;
    }
    let mut schema = Vec::new();
    let (kind, secret) = match (claim, host, store) {
        (Some(claim), None, None) => {
            schema.push(("volumeClaim", Setting::Str(claim)));
            ("volume_claim", None)
        }
        (None, Some(host), None) => {
            schema.push(("hostPath", Setting::Str(host)));
            ("host_path", None)
        }
        (None, None, Some(store)) => {
            let Some((_, kind)) = STORES.iter().find(|(s, _)| *s == store) else {
                out.notes.push(format!("`{path}.store` {store} has no connection kind (s3, gcs, azure)"));
                out.needs_choice = true;
                return None;
            };
            let Some(bucket) = text("bucket") else {
                out.notes.push(format!("`{path}` names a store but no bucket"));
                out.needs_choice = true;
                return None;
            };
            schema.push(("bucket", Setting::Str(bucket)));
            let secret = text("secret");
            if secret.is_some() {
                out.notes.push(format!(
                    "`{path}.secret` is mounted whole in 1.x (not one key of it): check the Secret holds what the {kind} connection reads"
                ));
                out.needs_choice = true;
            }
            (*kind, secret)
        }
        _ => {
            out.notes.push(format!(
                "`{path}` names no existingClaim, hostPath or store (the old chart made its own claim): create one and add it by hand"
            ));
            out.needs_choice = true;
            return None;
        }
    };
    if kind == "volume_claim" || kind == "host_path" {
        // Unset, the old chart mounted it at its default (`persistence.data.mountPath` up to 0.1.0).
        let default = || Catalog::get().same_default_everywhere(&format!("{path}.mountPath")).map(str::to_string);
        let Some(mount) = mount.or_else(default) else {
            out.notes.push(format!("`{path}` has no mountPath, which 1.x requires: add it by hand"));
            out.needs_choice = true;
            return None;
        };
        schema.push(("mountPath", Setting::Str(mount)));
        if read_only {
            schema.push(("readOnly", Setting::Bool(true)));
        }
    }
    Some(Connection { name: name.to_string(), kind, schema, secret })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_one;

    fn carried(text: &str) -> Carry {
        let doc = parse_one(text).unwrap().unwrap();
        carry(doc.get("persistence").unwrap(), false)
    }

    #[test]
    fn outputs_become_the_store_and_data_connections() {
        let c = carried(
            "persistence:\n  logs:\n    existingClaim: logs-pvc\n  outputs:\n    out:\n      existingClaim: out-pvc\n      mountPath: /outputs\n  data:\n    d1:\n      hostPath: /data/1\n      mountPath: /data/1\n      readOnly: true\n    d2:\n      store: azure\n      bucket: wasbs://c@a.blob.core.windows.net/\n  repos:\n    existingClaim: repos\n",
        );
        let (from, store) = c.store.unwrap();
        assert_eq!((from.as_str(), store.kind, store.name.as_str()), ("persistence.outputs.out", "volume_claim", "out"));
        let kinds: Vec<_> = c.connections.iter().map(|(f, c)| (f.as_str(), c.kind)).collect();
        assert_eq!(kinds, [("persistence.data.d1", "host_path"), ("persistence.data.d2", "wasb")]);
        assert_eq!(c.connections[0].1.schema.last(), Some(&("readOnly", Setting::Bool(true))));
        assert!(!c.needs_choice, "{:?}", c.notes);
        assert_eq!(c.notes.len(), 2, "logs and repos: {:?}", c.notes);
    }

    #[test]
    fn choices_are_marked() {
        let two = carried(
            "persistence:\n  outputs:\n    a:\n      hostPath: /a\n      mountPath: /a\n    b:\n      hostPath: /b\n      mountPath: /b\n",
        );
        assert!(two.needs_choice && two.connections.len() == 1);
        let secret = carried(
            "persistence:\n  data:\n    s:\n      store: gcs\n      bucket: gs://b\n      secret: gcs-secret\n      secretKey: key.json\n",
        );
        assert!(secret.needs_choice);
        assert_eq!(secret.connections[0].1.secret.as_deref(), Some("gcs-secret"));
        let old = carried("persistence:\n  data:\n    existingClaim: data-pvc\n    mountPath: /data\n    name: polyaxon-pvc-data\n");
        assert_eq!(old.connections[0].1.name, "data");
        let made = carried("persistence:\n  data:\n    existingClaim:\n    name: polyaxon-pvc-data\n    size: 10Gi\n");
        assert!(made.connections.is_empty() && made.notes[0].contains("made its own claim"), "{:?}", made.notes);
        assert!(made.needs_choice, "a volume left behind is a choice");
    }
}
