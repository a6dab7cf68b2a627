//! Helm's `--set` grammar (`helm.sh/helm/pkg/strvals`, the same in Helm
//! 3.18 and 4.1), ported rule for rule so polyaxon-pr reads a `--set` line
//! exactly as Helm's templates will see it:
//!
//! - `a.b=1,c=x` sets several keys; `\` escapes the next character
//!   (`a\.b=1` is the key `a.b`, `v=x\,y` the value `x,y`);
//! - `a[0].b=1` indexes lists, padding with nulls; `a={x,y}` is a list;
//! - values are typed by [`typed`]: `true`/`false`/`null` in any case, `0`,
//!   and base-10 integers that do not start with `0`; everything else,
//!   `0777`, `~`, `on` and `1_000` included, stays a string;
//! - `--set-string` keeps every value a string, `--set-json` parses JSON,
//!   `--set-file` reads the value from a file, `--set-literal` takes the
//!   rest of the argument verbatim.
//!
//! Like Helm, a line is parsed into the values read so far (files first),
//! so indexes and nested keys act on what the files set.

use super::{HelmMajor, Origin, Value, ValueData};

/// How values of one flag are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Set,
    SetString,
    SetJson,
    SetFile,
    SetLiteral,
}

impl Flag {
    pub fn name(self) -> &'static str {
        match self {
            Flag::Set => "--set",
            Flag::SetString => "--set-string",
            Flag::SetJson => "--set-json",
            Flag::SetFile => "--set-file",
            Flag::SetLiteral => "--set-literal",
        }
    }
}

/// Helm's limits (`strvals.MaxIndex`, `MaxNestedNameLevel`).
pub const MAX_INDEX: usize = 65536;
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// Why a line could not be read. Messages name keys, never values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrvalsError(pub String);

type Res<T> = Result<T, StrvalsError>;

fn err<T>(message: impl Into<String>) -> Res<T> {
    Err(StrvalsError(message.into()))
}

/// Reads a `--set-file` value: the file's text, or an error message.
pub type FileReader<'r> = &'r dyn Fn(&str) -> Result<(Value, String), String>;

struct Parser<'r> {
    chars: Vec<char>,
    pos: usize,
    flag: Flag,
    /// The key path being set, for origins and messages.
    path: Vec<String>,
    origin_index: usize,
    files: Option<FileReader<'r>>,
    /// Key paths set so far, for messages.
    set_so_far: Vec<String>,
    /// Helm 4 takes a list index left open at the end of the line for the
    /// end of the line (`errors.Is(err, io.EOF)` through a wrapped error).
    helm4: bool,
}

/// How a step ended other than normally: Helm's `io.EOF` (the line is
/// used up, which ends parsing without error) or an error.
enum Stop {
    Eof,
    Error(String),
}

type Step = Result<(), Stop>;

fn fail(message: impl Into<String>) -> Stop {
    Stop::Error(message.into())
}

/// Parses one argument of `flag` into `dest` (a mapping's entries).
/// `index` is the argument's position among those of its flag (1-based).
pub fn parse_into(
    line: &str,
    dest: &mut Vec<(String, Value)>,
    (flag, index): (Flag, usize),
    helm: HelmMajor,
    files: Option<FileReader<'_>>,
) -> Res<()> {
    let mut p = Parser {
        chars: line.chars().collect(),
        pos: 0,
        flag,
        path: Vec::new(),
        origin_index: index,
        files,
        set_so_far: Vec::new(),
        helm4: helm == HelmMajor::V4,
    };
    loop {
        p.path.clear();
        match p.key(dest, 0) {
            Ok(()) => {
                let key = p.path.join(".").replace(".[", "[");
                p.set_so_far.push(key);
            }
            Err(Stop::Eof) => return Ok(()),
            Err(Stop::Error(message)) => return err(message),
        }
    }
}

/// `--set`'s typing of a value (`typedVal`).
pub fn typed(text: &str) -> ValueData {
    if text.eq_ignore_ascii_case("true") {
        return ValueData::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return ValueData::Bool(false);
    }
    if text.eq_ignore_ascii_case("null") {
        return ValueData::Null;
    }
    if text == "0" {
        return ValueData::Int(0);
    }
    if !text.is_empty() && !text.starts_with('0') {
        if let Some(n) = go_parse_int10(text) {
            return ValueData::Int(n);
        }
    }
    ValueData::Str(text.to_string())
}

/// Go's `strconv.ParseInt(s, 10, 64)`: an optional sign and decimal digits.
fn go_parse_int10(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.strip_prefix('+').unwrap_or(s).parse().ok()
}

fn position(data: &[(String, Value)], key: &str) -> Option<usize> {
    data.iter().position(|(k, _)| k == key)
}

fn set(data: &mut Vec<(String, Value)>, key: &str, val: Value) {
    if key.is_empty() {
        return;
    }
    match position(data, key) {
        Some(i) => data[i].1 = val,
        None => data.push((key.to_string(), val)),
    }
}

fn set_index(list: &mut Vec<Value>, index: i64, val: Value) -> Step {
    if index < 0 {
        return Err(fail(format!("negative {index} index not allowed")));
    }
    if index as usize > MAX_INDEX {
        return Err(fail(format!("index of {index} is greater than maximum supported index of {MAX_INDEX}")));
    }
    let index = index as usize;
    while list.len() <= index {
        list.push(Value { data: ValueData::Null, origin: val.origin.clone() });
    }
    list[index] = val;
    Ok(())
}

impl Parser<'_> {
    fn origin(&self) -> Origin {
        Origin::Arg {
            flag: self.flag,
            index: self.origin_index,
            key: self.path.join(".").replace(".[", "["),
            after_credential: self.after_credential(),
        }
    }

    /// Whether a credential was set earlier in this argument: an unescaped
    /// comma in its value makes the rest of the password look like keys.
    fn after_credential(&self) -> bool {
        self.set_so_far.iter().any(|k| crate::secrets::sensitive(k.rsplit('.').next().unwrap_or(k)))
    }

    fn val(&self, v: ValueData) -> Value {
        Value { data: v, origin: self.origin() }
    }

    fn literal(&self) -> bool {
        self.flag == Flag::SetLiteral
    }

    /// Reads up to one of `stop` (consumed and returned), honouring `\`
    /// escapes except in literal mode; `None` at the end of the line.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut out = String::new();
        while let Some(&c) = self.chars.get(self.pos) {
            self.pos += 1;
            if stop.contains(&c) {
                return (out, Some(c));
            }
            if c == '\\' && !self.literal() {
                match self.chars.get(self.pos) {
                    Some(&next) => {
                        self.pos += 1;
                        out.push(next);
                    }
                    None => return (out, None),
                }
            } else {
                out.push(c);
            }
        }
        (out, None)
    }

    /// Where the parser is, without quoting the text: the key set last
    /// (unless a credential came before it, whose unescaped value may run
    /// on past a comma) and the character position.
    fn where_(&self) -> String {
        match self.set_so_far.last() {
            Some(last) if !self.after_credential() => format!("the text after `{last}=…` (at character {})", self.pos),
            _ => format!("the text at character {}", self.pos),
        }
    }

    /// Text of the argument for a message, unless a comma came before it:
    /// then it may be part of an unescaped value (a password).
    fn shown(&self, text: &str) -> String {
        if self.set_so_far.is_empty() {
            format!("`{text}`")
        } else {
            self.where_()
        }
    }

    /// A key path for a message, as [`Self::shown`].
    fn named(&self, key: &str) -> String {
        let mut path = self.path.clone();
        path.push(key.to_string());
        path.retain(|p| !p.is_empty());
        self.shown(&path.join(".").replace(".[", "["))
    }

    /// Helm's `parser.key`.
    fn key(&mut self, data: &mut Vec<(String, Value)>, level: usize) -> Step {
        let stop: &[char] = if self.literal() { &['=', '[', '.'] } else { &['=', '[', ',', '.'] };
        let (k, last) = self.until(stop);
        match last {
            None if k.is_empty() => Err(Stop::Eof),
            // The text is not shown: after a comma it may be the rest of a password.
            None => Err(fail(format!("{} has no `=value` (a comma inside a value must be escaped as \\,)", self.where_()))),
            Some('[') => {
                let i = self.index()?;
                let mut list = match position(data, &k).map(|p| &mut data[p].1) {
                    None => Vec::new(),
                    Some(Value { data: ValueData::List(items), .. }) => std::mem::take(items),
                    Some(other) => return Err(fail(format!("{} is {}, not a list", self.named(&k), other.data.type_name()))),
                };
                self.path.push(format!("{k}[{i}]"));
                let result = self.list_item(&mut list, i, level);
                let origin = self.origin();
                set(data, &k, Value { data: ValueData::List(list), origin });
                result
            }
            Some('=') => {
                self.path.push(k.clone());
                let (v, result) = self.value()?;
                set(data, &k, v);
                result
            }
            Some(',') => Err(fail(format!("{} has no `=value` (a comma inside a value must be escaped as \\,)", self.where_()))),
            Some(_) => {
                // '.': a nested key.
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(fail(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let (mut inner, existing) = match position(data, &k) {
                    None => (Vec::new(), false),
                    Some(p) => match &mut data[p].1.data {
                        ValueData::Map(entries) => (std::mem::take(entries), true),
                        other => return Err(fail(format!("{} is {}, not a mapping", self.named(&k), other.type_name()))),
                    },
                };
                self.path.push(k.clone());
                let result = self.key(&mut inner, level);
                if result.is_ok() && inner.is_empty() {
                    return Err(fail(format!("key map {} has no value", self.named(""))));
                }
                if existing || !inner.is_empty() {
                    let origin = self.origin();
                    match position(data, &k) {
                        Some(p) if existing => data[p].1.data = ValueData::Map(inner),
                        _ => set(data, &k, Value { data: ValueData::Map(inner), origin }),
                    }
                }
                result
            }
        }
    }

    fn index(&mut self) -> Result<i64, Stop> {
        let (v, last) = self.until(&[']']);
        if last.is_none() && self.helm4 {
            return Err(Stop::Eof);
        }
        if last.is_none() {
            return Err(fail("error parsing index: a list index is not closed with ]"));
        }
        v.parse::<i64>().map_err(|_| fail(format!("error parsing index: {} is not a number", self.shown(&v))))
    }

    /// Helm's `parser.listItem`.
    fn list_item(&mut self, list: &mut Vec<Value>, i: i64, level: usize) -> Step {
        if i < 0 {
            return Err(fail(format!("negative {i} index not allowed")));
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return Err(fail(format!("unexpected data at end of array index: {}", self.shown(&k))));
        }
        match last {
            None => Err(Stop::Eof),
            Some('=') => {
                let (v, result) = self.value()?;
                set_index(list, i, v)?;
                match result {
                    Err(Stop::Eof) => Ok(()),
                    other => other,
                }
            }
            Some('[') => {
                let next = self.index()?;
                let mut inner = match list.get_mut(i as usize) {
                    Some(Value { data: ValueData::List(items), .. }) => std::mem::take(items),
                    Some(Value { data: ValueData::Null, .. }) | None => Vec::new(),
                    Some(other) => return Err(fail(format!("{} is {}, not a list", self.named(""), other.data.type_name()))),
                };
                self.path.push(format!("[{next}]"));
                if let Err(stop) = self.list_item(&mut inner, next, level) {
                    // Helm keeps the list as it was (edited in place).
                    if let Some(Value { data: ValueData::List(items), .. }) = list.get_mut(i as usize) {
                        *items = inner;
                    }
                    return Err(stop);
                }
                let v = self.val(ValueData::List(inner));
                set_index(list, i, v)
            }
            Some(_) => {
                // '.': a mapping inside the list; anything else there is replaced, at once.
                if let Some(item) = list.get_mut(i as usize).filter(|item| !matches!(item.data, ValueData::Map(_))) {
                    item.data = ValueData::Map(Vec::new());
                }
                let existing = (i as usize) < list.len();
                let mut inner = match list.get_mut(i as usize) {
                    Some(Value { data: ValueData::Map(entries), .. }) => std::mem::take(entries),
                    _ => Vec::new(),
                };
                let result = self.key(&mut inner, level);
                if result.is_err() {
                    // Helm edits an existing mapping in place and drops a new one.
                    if existing {
                        list[i as usize].data = ValueData::Map(inner);
                    }
                    return result;
                }
                let v = self.val(ValueData::Map(inner));
                set_index(list, i, v)
            }
        }
    }

    /// The value after `=` and how the step ends: JSON for `--set-json`,
    /// the rest of the line for `--set-literal`, else a `{a,b}` list or a
    /// scalar up to the next comma. An empty value at the end of the line
    /// ends it (Helm's `io.EOF`).
    fn value(&mut self) -> Result<(Value, Step), Stop> {
        match self.flag {
            Flag::SetJson => return Ok((self.json_value()?, Ok(()))),
            Flag::SetLiteral => {
                let rest: String = self.chars[self.pos..].iter().collect();
                self.pos = self.chars.len();
                return Ok((self.val(ValueData::Str(rest)), Ok(())));
            }
            _ => {}
        }
        match self.chars.get(self.pos) {
            None => Ok((self.val(ValueData::Str(String::new())), Err(Stop::Eof))),
            Some('{') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    let (rs, last) = self.until(&[',', '}']);
                    match last {
                        None => return Err(fail("list must terminate with '}'")),
                        Some('}') => {
                            if self.chars.get(self.pos) == Some(&',') {
                                self.pos += 1;
                            }
                            items.push(self.read(&rs)?);
                            return Ok((self.val(ValueData::List(items)), Ok(())));
                        }
                        Some(_) => items.push(self.read(&rs)?),
                    }
                }
            }
            Some(_) => {
                let (rs, _) = self.until(&[',']);
                Ok((self.read(&rs)?, Ok(())))
            }
        }
    }

    /// Types a raw value as the flag does.
    fn read(&self, raw: &str) -> Result<Value, Stop> {
        match self.flag {
            Flag::SetString => Ok(self.val(ValueData::Str(raw.to_string()))),
            Flag::SetFile => {
                let reader = self.files.expect("--set-file has a reader");
                reader(raw).map(|(v, _)| v).map_err(Stop::Error)
            }
            _ => Ok(self.val(typed(raw))),
        }
    }

    /// `--set-json`: a JSON value after `=` (empty means null), then
    /// optional blanks and one comma.
    fn json_value(&mut self) -> Result<Value, Stop> {
        if self.empty_value() {
            return Ok(self.val(ValueData::Null));
        }
        let rest = go_json_surrogates(&self.chars[self.pos..].iter().collect::<String>());
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        let value = match stream.next() {
            Some(Ok(v)) => v,
            _ => return Err(fail(format!("the value of {} is not valid JSON", self.named("")))),
        };
        self.pos += rest[..stream.byte_offset()].chars().count();
        self.empty_value();
        Ok(from_json(&value, &self.origin()))
    }

    /// Skips blanks; true at the end of the line or a comma (consumed).
    fn empty_value(&mut self) -> bool {
        while let Some(&c) = self.chars.get(self.pos) {
            if c == ',' {
                self.pos += 1;
                return true;
            }
            if !c.is_whitespace() {
                return false;
            }
            self.pos += 1;
        }
        true
    }
}

/// JSON text with the `\\u` escapes of lone UTF-16 surrogates made
/// `\\ufffd`, as Go's decoder reads them (serde_json refuses them). Each is
/// six characters either way, so offsets hold.
pub fn go_json_surrogates(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let escape = |at: usize| -> Option<u32> {
        (chars.get(at) == Some(&'\\') && chars.get(at + 1) == Some(&'u'))
            .then(|| u32::from_str_radix(&chars.get(at + 2..at + 6)?.iter().collect::<String>(), 16).ok())?
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match escape(i) {
            Some(0xD800..=0xDBFF) if escape(i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) => {
                out.extend(&chars[i..i + 12]);
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str("\\ufffd");
                i += 6;
            }
            _ if chars[i] == '\\' => {
                out.extend(chars.get(i..i + 2).unwrap_or(&chars[i..]));
                i += 2;
            }
            _ => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// A JSON value as Helm holds it (numbers are Go float64s).
pub fn from_json(value: &serde_json::Value, origin: &Origin) -> Value {
    use serde_json::Value as J;
    let v = match value {
        J::Null => ValueData::Null,
        J::Bool(b) => ValueData::Bool(*b),
        J::Number(n) => ValueData::Float(n.as_f64().unwrap_or(f64::NAN)),
        J::String(s) => ValueData::Str(s.clone()),
        J::Array(items) => ValueData::List(items.iter().map(|i| from_json(i, origin)).collect()),
        J::Object(map) => ValueData::Map(map.iter().map(|(k, v)| (k.clone(), from_json(v, origin))).collect()),
    };
    Value { data: v, origin: origin.clone() }
}
