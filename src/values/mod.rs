//! The user's values, merged into one tree exactly as Helm merges them,
//! each value keeping where it came from for error messages.
//!
//! Helm's order (`pkg/cli/values.Options.MergeValues`): every `-f` file in
//! turn (maps merge deeply, anything else replaces), then every
//! `--set-json`, `--set`, `--set-string`, `--set-file` and `--set-literal`
//! argument, each parsed *into* the tree so far ([`strvals`]). Files are
//! read as Helm reads them: YAML 1.1 scalars, aliases and `<<` merge keys
//! resolved, numbers as Go float64s, non-string keys turned into strings;
//! Helm 3 reads a file's first document, Helm 4 merges all of them. A null
//! value is kept (Helm keeps it until it meets the chart's defaults, where
//! it deletes the key), and lookups treat it as unset.

pub mod settings;
pub mod strvals;

use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::error::{Error, Location};
use crate::knowledge::Service;
use crate::secrets;
use crate::yaml::{self, Node, Scalar};
use strvals::Flag;

/// What a value of the merged tree holds.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueData {
    Null,
    Bool(bool),
    /// From `--set` (Go int64).
    Int(i64),
    /// From a file or `--set-json` (Go float64).
    Float(f64),
    Str(String),
    List(Vec<Value>),
    /// Entries in the order they were first set (Helm's maps are unordered).
    Map(Vec<(String, Value)>),
}

impl ValueData {
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueData::Null => "null",
            ValueData::Bool(_) => "a boolean",
            ValueData::Int(_) => "an integer",
            ValueData::Float(f) if f.fract() == 0.0 && f.is_finite() => "an integer",
            ValueData::Float(_) => "a number",
            ValueData::Str(_) => "a string",
            ValueData::List(_) => "a list",
            ValueData::Map(_) => "a mapping",
        }
    }
}

/// A value in the merged tree, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub data: ValueData,
    pub origin: Origin,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    File {
        path: Rc<str>,
        line: usize,
        col: usize,
    },
    /// The `index`-th argument of `flag`, at the key path `key`.
    Arg {
        flag: Flag,
        index: usize,
        key: String,
        /// Set after a credential in the same argument: the key may be the
        /// rest of a password whose comma was not escaped, so it is not shown.
        after_credential: bool,
    },
}

impl Origin {
    pub fn location(&self) -> Location {
        match self {
            Origin::File { path, line, col } => Location::File { path: path.to_string(), line: *line, col: *col },
            // The value itself is never shown: it may be a password.
            Origin::Arg { flag, index, after_credential: true, .. } => Location::Arg(format!("{} (argument {index})", flag.name())),
            Origin::Arg { flag, key, .. } => Location::Arg(format!("{} {key}", flag.name())),
        }
    }

    /// Whether the key path may be part of a secret and must not be shown.
    pub fn hides_key(&self) -> bool {
        matches!(self, Origin::Arg { after_credential: true, .. })
    }
}

/// Which Helm reads the values (they differ on multi-document files and on
/// `--set-json` with a whole JSON object).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HelmMajor {
    V3,
    #[default]
    V4,
}

/// Everything the user gave: the same flags as Helm's.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub files: Vec<PathBuf>,
    pub set_json: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_file: Vec<String>,
    pub set_literal: Vec<String>,
    pub helm: HelmMajor,
}

impl Sources {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
            && self.set_json.is_empty()
            && self.set.is_empty()
            && self.set_string.is_empty()
            && self.set_file.is_empty()
            && self.set_literal.is_empty()
    }
}

/// A value found by a lookup, with where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    pub val: &'a Value,
}

impl Found<'_> {
    pub fn location(&self) -> Location {
        self.val.origin.location()
    }

    fn type_error(&self, key: &str, expected: &str) -> Error {
        Error::at(self.location(), format!("`{key}` must be {expected}, found {}", self.val.data.type_name()))
    }
}

#[derive(Debug, Default)]
pub struct Values {
    root: Vec<(String, Value)>,
    given: bool,
}

impl Values {
    /// True when no values were given at all.
    pub fn is_empty(&self) -> bool {
        !self.given
    }

    /// Reads and merges everything in Helm's order.
    pub fn load(sources: &Sources) -> Result<Self, Error> {
        let mut values = Values { root: Vec::new(), given: !sources.is_empty() };
        for file in &sources.files {
            let text = read_file(file, sources.helm)?;
            values.add_text(&file.display().to_string(), &text, sources.helm)?;
        }
        for (i, arg) in sources.set_json.iter().enumerate() {
            let trimmed = arg.trim();
            if sources.helm == HelmMajor::V4 && trimmed.starts_with('{') {
                // Helm 4 takes a whole JSON object too.
                let origin = Origin::Arg { flag: Flag::SetJson, index: i + 1, key: String::new(), after_credential: false };
                let json: serde_json::Value = serde_json::from_str(&strvals::go_json_surrogates(trimmed))
                    .ok()
                    .filter(serde_json::Value::is_object)
                    .ok_or_else(|| Error::at(origin.location(), "not a valid JSON object"))?;
                if let ValueData::Map(entries) = strvals::from_json(&json, &origin).data {
                    merge_maps(&mut values.root, entries);
                }
                continue;
            }
            values.add_arg((Flag::SetJson, i + 1), arg, sources.helm)?;
        }
        for (flag, args) in [
            (Flag::Set, &sources.set),
            (Flag::SetString, &sources.set_string),
            (Flag::SetFile, &sources.set_file),
            (Flag::SetLiteral, &sources.set_literal),
        ] {
            for (i, arg) in args.iter().enumerate() {
                values.add_arg((flag, i + 1), arg, sources.helm)?;
            }
        }
        Ok(values)
    }

    /// Merges a values file's text (also used by tests).
    pub fn add_text(&mut self, path: &str, text: &str, helm: HelmMajor) -> Result<(), Error> {
        self.given = true;
        let path: Rc<str> = Rc::from(path);
        let at = |line, col| Location::File { path: path.to_string(), line, col };
        // Helm 3 reads the first document (go-yaml never looks past it); Helm 4
        // cuts the text at `---` lines and reads the first document of each piece.
        let documents: Vec<(usize, &str)> = match helm {
            HelmMajor::V3 => {
                if let Some((line, version)) = yaml_directive(text).filter(|(_, v)| *v != "1.1") {
                    return Err(Error::at(
                        at(line, 1),
                        format!("Helm 3 reads YAML 1.1 only and refuses `%YAML {}`", crate::text::sanitize(version)),
                    ));
                }
                vec![(0, text)]
            }
            HelmMajor::V4 => helm4_documents(text).map_err(|line| {
                Error::at(at(line, 4), "Helm 4 refuses text after `---` on the same line (only blanks and a comment may follow)")
            })?,
        };
        for (line_offset, doc) in documents {
            let root = yaml::parse_first_resolved(doc)
                .map_err(|e| Error::at(at(e.line + line_offset, e.col), format!("invalid YAML: {}", e.message)))?;
            let Some(root) = root else {
                continue;
            };
            let shift = |mut origin: Origin| {
                if let Origin::File { line, .. } = &mut origin {
                    *line += line_offset;
                }
                origin
            };
            match from_node(&root, &path, line_offset)? {
                Value { data: ValueData::Map(entries), .. } => merge_maps(&mut self.root, entries),
                Value { data: ValueData::Null, .. } => {}
                other => {
                    return Err(Error::at(
                        shift(other.origin).location(),
                        format!("a values file must be a mapping, found {}", other.data.type_name()),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Parses one `--set`-style argument (the `index`-th of its flag) into the tree.
    pub fn add_arg(&mut self, (flag, index): (Flag, usize), arg: &str, helm: HelmMajor) -> Result<(), Error> {
        self.given = true;
        let read_file = |path: &str| -> Result<(Value, String), String> {
            if path.trim() == "-" {
                return Err("--set-file cannot read stdin: polyaxon-pr reads the manifests there".into());
            }
            // Helm takes the bytes; its JSON encoding makes those that are not UTF-8 U+FFFD.
            let bytes = std::fs::read(path).map_err(|e| format!("{path}: {}", crate::error::io_reason(&e)))?;
            let origin = Origin::File { path: Rc::from(path), line: 1, col: 1 };
            Ok((Value { data: ValueData::Str(yaml::go_lossy(&bytes)), origin }, path.to_string()))
        };
        strvals::parse_into(arg, &mut self.root, (flag, index), helm, Some(&read_file))
            .map_err(|e| Error::at(Location::Arg(format!("{} (argument {index})", flag.name())), e.0))
    }

    /// The value at a dotted path, or `None` when it is unset or null.
    pub fn get(&self, key: &str) -> Option<Found<'_>> {
        let mut entries = &self.root;
        let mut parts = key.split('.').peekable();
        while let Some(part) = parts.next() {
            let val = &entries.iter().find(|(k, _)| k == part)?.1;
            if parts.peek().is_none() {
                return (val.data != ValueData::Null).then_some(Found { val });
            }
            match &val.data {
                ValueData::Map(inner) => entries = inner,
                _ => return None,
            }
        }
        None
    }

    /// The entries of the mapping at a dotted path (`""` for the top level).
    pub fn entries(&self, key: &str) -> &[(String, Value)] {
        if key.is_empty() {
            return &self.root;
        }
        match self.get(key) {
            Some(Found { val: Value { data: ValueData::Map(entries), .. } }) => entries,
            _ => &[],
        }
    }

    /// A boolean as Helm templates test it (`{{ if .Values.x }}`): false,
    /// 0, "" and empty collections are false, anything else true.
    pub fn truthy(&self, key: &str) -> Option<bool> {
        let found = self.get(key)?;
        Some(match &found.val.data {
            ValueData::Null => false,
            ValueData::Bool(b) => *b,
            ValueData::Int(n) => *n != 0,
            ValueData::Float(f) => *f != 0.0,
            ValueData::Str(s) => !s.is_empty(),
            ValueData::List(l) => !l.is_empty(),
            ValueData::Map(m) => !m.is_empty(),
        })
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, Error> {
        let Some(found) = self.get(key) else {
            return Ok(None);
        };
        match found.val.data {
            ValueData::Bool(b) => Ok(Some(b)),
            _ => Err(found.type_error(key, "a boolean (true or false)")),
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, Error> {
        let Some(found) = self.get(key) else {
            return Ok(None);
        };
        match found.val.data {
            ValueData::Int(n) => Ok(Some(n)),
            ValueData::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
            _ => Err(found.type_error(key, "an integer")),
        }
    }

    /// A scalar as the template prints it (a password may well be all digits).
    pub fn scalar_text(&self, key: &str) -> Result<Option<String>, Error> {
        let Some(found) = self.get(key) else {
            return Ok(None);
        };
        match &found.val.data {
            ValueData::Str(s) => Ok(Some(s.clone())),
            ValueData::Bool(b) => Ok(Some(b.to_string())),
            ValueData::Int(n) => Ok(Some(n.to_string())),
            ValueData::Float(f) => Ok(Some(go_format_float(*f))),
            _ => Err(found.type_error(key, "a string")),
        }
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, Error> {
        let Some(found) = self.get(key) else {
            return Ok(None);
        };
        match &found.val.data {
            ValueData::Str(s) => Ok(Some(s.clone())),
            _ => Err(found.type_error(key, "a string")),
        }
    }

    /// Whether any external service is configured (`externalServices.<svc>.host`).
    pub fn external_services(&self) -> bool {
        Service::ALL
            .iter()
            .any(|s| matches!(self.get(s.external_host_key()), Some(Found { val: Value { data: ValueData::Str(h), .. } }) if !h.is_empty()))
    }

    /// Every credential in the values ([`crate::secrets`]' rule, URL
    /// passwords included): never to be printed.
    pub fn secrets(&self) -> Vec<String> {
        fn walk(key: &str, below: bool, val: &Value, out: &mut Vec<String>) {
            match &val.data {
                ValueData::Map(entries) => entries.iter().for_each(|(k, v)| walk(k, secrets::below(k, below), v, out)),
                // A list's items are judged by the list's key.
                ValueData::List(items) => items.iter().for_each(|v| walk(key, below, v, out)),
                ValueData::Str(s) if secrets::credential(key, below) && !s.is_empty() => out.push(s.clone()),
                ValueData::Int(n) if secrets::credential(key, below) => out.push(n.to_string()),
                ValueData::Float(f) if secrets::credential(key, below) => out.push(go_format_float(*f)),
                ValueData::Str(s) => out.extend(secrets::url_password(s).map(String::from)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        self.root.iter().for_each(|(k, v)| walk(k, secrets::sensitive(k), v, &mut out));
        out
    }

    /// One value as the chart's `toJson` renders it (credentials included:
    /// this goes into manifests, not messages).
    pub fn json(&self, key: &str) -> Option<String> {
        let found = self.get(key)?;
        let mut out = String::new();
        write_json(&found.val.data, key.rsplit('.').next().unwrap_or(key), false, false, &mut out);
        Some(out)
    }

    /// The merged values as the JSON Helm's `toJson .Values` prints (keys
    /// sorted, numbers as Go prints them), credentials masked unless `show_secrets`.
    pub fn to_json(&self, show_secrets: bool) -> String {
        let mut out = String::new();
        write_json(&ValueData::Map(self.root.clone()), "", false, !show_secrets, &mut out);
        out
    }
}

/// The `%YAML` directive before the first document: its line and version.
fn yaml_directive(text: &str) -> Option<(usize, &str)> {
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("---") {
            return None;
        }
        if let Some(rest) = line.strip_prefix("%YAML") {
            return Some((i + 1, rest.split('#').next().unwrap_or("").trim()));
        }
    }
    None
}

/// The pieces Helm 4's YAML reader (k8s.io/apimachinery `YAMLReader`) cuts a
/// values file into, each with the number of lines before it: a line that
/// starts with `---` ends a piece; one with more than blanks and a comment
/// after the `---` is an error (its line is returned).
fn helm4_documents(text: &str) -> Result<Vec<(usize, &str)>, usize> {
    let mut out = Vec::new();
    let (mut start, mut start_line, mut pos) = (0, 0, 0);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                return Err(i + 1);
            }
            if pos > start {
                out.push((start_line, &text[start..pos]));
            }
            (start, start_line) = (pos + line.len(), i + 1);
        }
        pos += line.len();
    }
    if pos > start {
        out.push((start_line, &text[start..pos]));
    }
    Ok(out)
}

fn read_file(path: &Path, helm: HelmMajor) -> Result<String, Error> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| Error::unreadable(&shown.to_string(), &e))?;
    // go-yaml reads UTF-16 with a byte order mark; Helm 4 first cuts the
    // bytes into lines, which breaks UTF-16 text.
    let utf16 = match bytes.get(..2) {
        Some([0xff, 0xfe]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xfe, 0xff]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(unit) = utf16 {
        if helm == HelmMajor::V4 {
            return Err(Error::new(format!("values file {shown} is UTF-16 text, which Helm 4 cannot read")));
        }
        let units: Vec<u16> = bytes[2..].chunks(2).map(|c| unit([c[0], *c.get(1).unwrap_or(&0)])).collect();
        return String::from_utf16(&units).map_err(|_| Error::new(format!("values file {shown} is not valid UTF-16 text")));
    }
    String::from_utf8(bytes).map_err(|_| Error::new(format!("values file {shown} is not UTF-8 text")))
}

/// Helm's `MergeMaps`: maps merge key by key, anything else replaces.
fn merge_maps(into: &mut Vec<(String, Value)>, from: Vec<(String, Value)>) {
    for (key, val) in from {
        match into.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => match (&mut existing.data, val.data) {
                (ValueData::Map(a), ValueData::Map(b)) => merge_maps(a, b),
                (_, v) => *existing = Value { data: v, origin: val.origin },
            },
            None => into.push((key, val)),
        }
    }
}

/// A parsed values node as Helm holds it after sigs.k8s.io/yaml's
/// YAML-to-JSON round trip.
fn from_node(node: &Node, path: &Rc<str>, line_offset: usize) -> Result<Value, Error> {
    let origin = Origin::File { path: path.clone(), line: node.line as usize + line_offset, col: node.col as usize };
    let v = match &node.value {
        yaml::Value::Map { entries, .. } => {
            let mut out: Vec<(String, Value)> = Vec::with_capacity(entries.len());
            // Each key as go-yaml held it, for telling duplicates (the last one
            // wins) from different keys that become one string.
            let mut held: Vec<(String, &Node)> = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                let at = Location::File { path: path.to_string(), line: k.line as usize + line_offset, col: k.col as usize };
                let key = key_text(k).map_err(|message| Error::at(at.clone(), message))?;
                let val = from_node(v, path, line_offset)?;
                match held.iter().position(|(existing, _)| *existing == key) {
                    Some(i) if k.scalar() == held[i].1.scalar() => out[i].1 = val,
                    Some(i) => {
                        let first = held[i].1;
                        return Err(Error::at(at, format!(
                            "this key and the one on line {} ({} and {}) both become the key `{}`, and Helm keeps one of them at random; write it once",
                            first.line as usize + line_offset,
                            first.type_name(),
                            k.type_name(),
                            crate::text::sanitize(&key)
                        )));
                    }
                    None => {
                        held.push((key.clone(), k));
                        out.push((key, val));
                    }
                }
            }
            ValueData::Map(out)
        }
        yaml::Value::Seq { items, .. } => ValueData::List(items.iter().map(|i| from_node(i, path, line_offset)).collect::<Result<_, _>>()?),
        yaml::Value::Alias => ValueData::Null,
        yaml::Value::Scalar { .. } => match node.scalar().expect("a scalar") {
            Scalar::Null => ValueData::Null,
            Scalar::Bool(b) => ValueData::Bool(b),
            Scalar::Int(n) => ValueData::Float(n as f64),
            Scalar::Float(f) if f.is_finite() => ValueData::Float(f),
            Scalar::Float(_) => {
                return Err(Error::at(
                    origin.location(),
                    "Helm cannot read infinite or NaN numbers (.inf, .nan) in values files; quote it",
                ));
            }
            Scalar::Str(s) => ValueData::Str(s.to_string()),
        },
    };
    Ok(Value { data: v, origin })
}

/// A mapping key as sigs.k8s.io/yaml turns it into a JSON key, or why Helm
/// refuses it.
fn key_text(key: &Node) -> Result<String, &'static str> {
    match key.scalar() {
        Some(Scalar::Str(s)) => Ok(s.to_string()),
        Some(Scalar::Bool(b)) => Ok(b.to_string()),
        Some(Scalar::Int(n)) => Ok(n.to_string()),
        Some(Scalar::Float(_)) if key.text().is_some_and(|t| yaml::go_parse_uint(&t.replace('_', "")).is_some()) => {
            Err("an integer key past 9223372036854775807 (a uint64 to Helm's YAML reader), which Helm refuses; quote it")
        }
        Some(Scalar::Float(f)) => Ok(go_float32_key(f)),
        Some(Scalar::Null) => Err("a mapping key is null (`~`, `null` or empty); Helm cannot read such a values file"),
        None => Err("a mapping key is a list or a mapping, which Helm refuses (`invalid map key`)"),
    }
}

/// A float key as sigs.k8s.io/yaml writes it: Go's
/// `strconv.FormatFloat(f, 'g', -1, 32)` (single precision), with `.inf`,
/// `-.inf` and `.nan` for the specials.
fn go_float32_key(f: f64) -> String {
    let single = f as f32;
    if single.is_nan() {
        return ".nan".into();
    }
    if single.is_infinite() {
        return if single > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    // Shortest digits that read back as the same float32, and the exponent.
    let scientific = format!("{single:e}");
    let (mantissa, exp) = scientific.split_once('e').expect("exponent form");
    let exp: i32 = exp.parse().expect("an integer exponent");
    let (sign, mantissa) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    // %e below 1e-4 and from 1e6 on (Go's shortest %g), else %f.
    if !(-4..6).contains(&exp) {
        let fraction = if digits.len() > 1 { format!(".{}", &digits[1..]) } else { String::new() };
        return format!("{sign}{}{fraction}e{}{:02}", &digits[..1], if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let point = exp + 1;
    if point <= 0 {
        return format!("{sign}0.{}{digits}", "0".repeat((-point) as usize));
    }
    let point = point as usize;
    if digits.len() <= point {
        format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    }
}

/// A string as Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and
/// U+2029 escaped too (Helm's `toJson`).
fn write_go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float64 as Go's encoding/json writes it.
pub fn go_format_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').expect("exponent form");
        let exp = if exp.starts_with('-') { exp.to_string() } else { format!("+{exp}") };
        return format!("{mantissa}e{exp}");
    }
    format!("{f}")
}

/// Writes a value as Go's `encoding/json` does; `hide` masks credentials
/// (`key` and `below`: where the value sits, for [`secrets::credential`]).
fn write_json(v: &ValueData, key: &str, below: bool, hide: bool, out: &mut String) {
    let hidden = hide && secrets::credential(key, below);
    match v {
        ValueData::Null => out.push_str("null"),
        ValueData::Bool(b) => out.push_str(&b.to_string()),
        // A numeric password is a password (a boolean such as usePassword is not).
        ValueData::Int(_) | ValueData::Float(_) | ValueData::Str(_) if hidden => out.push_str("\"*****\""),
        ValueData::Int(n) => out.push_str(&n.to_string()),
        ValueData::Float(f) => out.push_str(&go_format_float(*f)),
        ValueData::Str(s) if hide => write_go_string(&secrets::mask_url_password(s), out),
        ValueData::Str(s) => write_go_string(s, out),
        ValueData::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(&item.data, key, below, hide, out);
            }
            out.push(']');
        }
        ValueData::Map(entries) => {
            let mut sorted: Vec<&(String, Value)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (k, val)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_string(k, out);
                out.push(':');
                write_json(&val.data, k, secrets::below(k, below), hide, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(files: &[(&str, &str)], sets: &[&str]) -> Values {
        let mut v = Values::default();
        for (path, text) in files {
            v.add_text(path, text, HelmMajor::V4).unwrap();
        }
        for (i, s) in sets.iter().enumerate() {
            v.add_arg((Flag::Set, i + 1), s, HelmMajor::V4).unwrap();
        }
        v
    }

    #[test]
    fn later_files_win_and_maps_merge() {
        let v = values(&[("a.yaml", "sc:\n  enabled: true\n  user: 1\n"), ("b.yaml", "sc:\n  user: 2\n")], &[]);
        assert_eq!(v.bool("sc.enabled").unwrap(), Some(true));
        assert_eq!(v.int("sc.user").unwrap(), Some(2));
    }

    #[test]
    fn null_in_a_later_file_unsets_the_key() {
        let v = values(&[("a.yaml", "sc:\n  user: 1\n"), ("b.yaml", "sc:\n  user: null\n")], &[]);
        assert_eq!(v.int("sc.user").unwrap(), None);
    }

    #[test]
    fn set_wins_over_files_and_is_typed_like_helm() {
        let v = values(
            &[("a.yaml", "sc:\n  enabled: false\n")],
            &["sc.enabled=true,sc.user=7", r"name=a\,b", "mode=0777,t=~,o=on,n=1_000,big=TRUE"],
        );
        assert_eq!(v.bool("sc.enabled").unwrap(), Some(true));
        assert_eq!(v.int("sc.user").unwrap(), Some(7));
        assert_eq!(v.string("name").unwrap().as_deref(), Some("a,b"));
        for (key, want) in [("mode", "0777"), ("t", "~"), ("o", "on"), ("n", "1_000")] {
            assert_eq!(v.string(key).unwrap().as_deref(), Some(want), "{key}");
        }
        assert_eq!(v.bool("big").unwrap(), Some(true));
    }

    #[test]
    fn set_parses_into_what_the_files_set() {
        // A parent map from a file stays visible: no key below it is lost.
        let v = values(&[("a.yaml", "dirs:\n  nvidia:\n    lib: /a\n")], &["dirs.nvidia.bin=/b", "dirs.nvidia.libcuda=/c/libcuda.so.1"]);
        assert_eq!(v.entries("dirs.nvidia").len(), 3);
        let v = values(&[("a.yaml", "l:\n- a\n- b\n")], &["l[3]=d", "m[1].x=1"]);
        assert_eq!(v.to_json(true), r#"{"l":["a","b",null,"d"],"m":[null,{"x":1}]}"#);
    }

    #[test]
    fn aliases_and_merge_keys_are_resolved() {
        let v = values(&[("a.yaml", "base: &b {enabled: true}\nsecurityContext:\n  <<: *b\n")], &[]);
        assert_eq!(v.bool("securityContext.enabled").unwrap(), Some(true));
    }

    #[test]
    fn wrong_types_name_file_line_and_column() {
        let v = values(&[("vals.yaml", "sc:\n  enabled: true\n  user: \"abc\"\n")], &[]);
        let err = v.int("sc.user").unwrap_err();
        assert_eq!(err.to_string(), "vals.yaml:3:9: `sc.user` must be an integer, found a string");
    }

    #[test]
    fn errors_from_arguments_name_the_flag_and_key_never_the_value() {
        let v = values(&[], &["sc.enabled=maybe"]);
        let err = v.bool("sc.enabled").unwrap_err().to_string();
        assert_eq!(err, "argument `--set sc.enabled`: `sc.enabled` must be a boolean (true or false), found a string");
        let mut v = Values::default();
        let err = v.add_arg((Flag::Set, 1), "externalServices.postgresql.password=p@ss,s3cr3t", HelmMajor::V4).unwrap_err().to_string();
        assert!(!err.contains("p@ss") && !err.contains("s3cr3t"), "{err}");
    }

    #[test]
    fn helm3_reads_the_first_document_helm4_merges_all() {
        let text = "a: 1\n---\nb: 2\n";
        let mut v3 = Values::default();
        v3.add_text("v.yaml", text, HelmMajor::V3).unwrap();
        assert_eq!(v3.to_json(true), r#"{"a":1}"#);
        let mut v4 = Values::default();
        v4.add_text("v.yaml", text, HelmMajor::V4).unwrap();
        assert_eq!(v4.to_json(true), r#"{"a":1,"b":2}"#);
    }

    #[test]
    fn json_output_matches_go_and_masks_credentials() {
        let v = values(&[("a.yaml", "num: 1.0\nbig: 1e21\nsmall: 0.0000001\nexternalServices:\n  redis:\n    password: hunter2\n")], &[]);
        assert_eq!(v.to_json(false), r#"{"big":1e+21,"externalServices":{"redis":{"password":"*****"}},"num":1,"small":1e-7}"#);
        assert!(v.to_json(true).contains("hunter2"));
    }

    #[test]
    fn keys_and_strings_are_written_as_helm_writes_them() {
        let v = values(
            &[("a.yaml", "1e6: a\n1234567.0: b\n0.00001: c\n123456789012345678901234: d\n.nan: e\n-.inf: f\nh: \"<&>\\L\\b\\x01\"\n")],
            &[],
        );
        assert_eq!(
            v.to_json(true),
            r#"{"-.inf":"f",".nan":"e","1.2345679e+23":"d","1.234567e+06":"b","1e+06":"a","1e-05":"c","h":"\u003c\u0026\u003e\u2028\b\u0001"}"#
        );
    }

    #[test]
    fn keys_helm_refuses_or_reads_at_random_are_located_errors() {
        for (text, message) in [
            ("? [a]\n: x\n", "a.yaml:1:3: a mapping key is a list or a mapping"),
            ("9223372036854775808: x\n", "a.yaml:1:1: an integer key past 9223372036854775807"),
            ("x:\n  1: a\n  \"1\": b\n", "a.yaml:3:3: this key and the one on line 2 (an integer and a string) both become the key `1`"),
        ] {
            let err = Values::default().add_text("a.yaml", text, HelmMajor::V4).unwrap_err().to_string();
            assert!(err.starts_with(message), "{text:?}: {err}");
        }
        // The same key twice is no collision: the last one wins, as in Helm.
        let v = values(&[("a.yaml", "1: a\n1: b\n")], &[]);
        assert_eq!(v.to_json(true), r#"{"1":"b"}"#);
    }

    #[test]
    fn helm_4_document_separators_are_its_yaml_readers() {
        assert_eq!(helm4_documents("a: 1\n---#c\nb: 2\n--- \n"), Ok(vec![(0, "a: 1\n"), (2, "b: 2\n")]));
        assert_eq!(helm4_documents("a: 1\n--- {b: 2}\n"), Err(2));
    }

    #[test]
    fn invalid_yaml_and_non_mapping_files_are_located_errors() {
        let mut v = Values::default();
        let err = v.add_text("bad.yaml", "a: [1\n", HelmMajor::V4).unwrap_err();
        assert!(err.to_string().starts_with("bad.yaml:"), "{err}");
        let err = v.add_text("list.yaml", "- a\n", HelmMajor::V4).unwrap_err();
        assert_eq!(err.to_string(), "list.yaml:1:1: a values file must be a mapping, found a list");
    }
}
