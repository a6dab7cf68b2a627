//! polyaxon-helm: a Helm post-renderer and a values linter for the Polyaxon
//! chart. The binary `polyaxon-pr` wires these modules together;
//! each module owns one concern:
//!
//! - [`style`]: colour and width on a terminal, the same rules for every command.
//! - [`text`]: input made safe to print, did-you-mean.
//! - [`yaml`]: YAML parsed into a tree that knows every node's byte span.
//! - [`edit`]: splicing new YAML into a document without re-emitting it.
//! - [`files`]: the files lint and migrate read, and atomic writes.
//! - [`stream`]: the `---`-separated manifest stream Helm hands over.
//! - [`values`]: the user's values files and `--set` arguments, layered like Helm,
//!   and read as the Polyaxon settings the transforms act on ([`values::settings`]).
//! - [`knowledge`]: Polyaxon knowledge shared by the transforms and the linter.
//! - [`workload`]: where pod specs and containers sit in each workload kind.
//! - [`transform`]: the transforms (one module each) and their interface.
//! - [`postrender`]: the pipeline that runs transforms over a stream.
//! - [`diff`]: `--diff` output with secrets masked ([`secrets`] knows which values are secret).
//! - [`run_log`]: the log that keeps what a post-render run said.
//! - [`helm`]: the `helm polyaxon template|install|upgrade` wrapper.
//! - [`lint`]: the values linter (catalog, rule families, config, inputs).
//! - [`values_schema`]: the `schema` command, a version's values as a JSON Schema.
//! - [`output`]: the linter's output formats (human, json, sarif, github).

pub mod diff;
pub mod edit;
pub mod error;
pub mod files;
pub mod helm;
pub mod knowledge;
pub mod lint;
pub mod migrate;
pub mod output;
pub mod postrender;
pub mod run_log;
pub mod secrets;
pub mod stream;
pub mod style;
pub mod text;
pub mod transform;
pub mod values;
pub mod values_schema;
pub mod workload;
pub mod yaml;
