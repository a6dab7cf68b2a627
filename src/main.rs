//! `polyaxon-pr`: the CLI. It only parses arguments and wires modules.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use polyaxon_helm::error::Error;
use polyaxon_helm::{diff, helm, postrender, stream, transform, values::Values};

/// Post-render Polyaxon manifests: read the stream Helm renders on stdin,
/// apply what the Polyaxon values ask for, write the result on stdout.
#[derive(Parser)]
#[command(name = "polyaxon-pr", version, args_conflicts_with_subcommands = true)]
struct Cli {
    /// Values file, as given to Helm (repeatable, later files win; comma-separated lists are split like Helm does).
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    values: Vec<String>,
    /// Set a value, as Helm's --set (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Set a string value, as Helm's --set-string (repeatable).
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    set_string: Vec<String>,
    /// Print a unified diff of every changed document on stderr (secrets masked).
    #[arg(long)]
    diff: bool,
    /// Also mount the NVIDIA driver into every container of these workloads (KIND/NAME, NAME may be a glob; repeatable).
    #[arg(long = "gpu-target", value_name = "KIND/NAME")]
    gpu_targets: Vec<String>,
    /// Remove a built-in dependency (postgresql, redis, rabbitmq) that an external service replaces; on an upgrade this deletes it from the cluster (repeatable).
    #[arg(long = "drop-builtin", value_name = "SERVICE")]
    drop_builtin: Vec<String>,
    /// Read external services' passwords from this existing Secret (keys postgres-password, redis-password, rabbitmq-password) instead of emitting one.
    #[arg(long = "external-secret", value_name = "NAME")]
    external_secret: Option<String>,
    /// Release name, for the Secret polyaxon-pr emits (default: the manifests' `release:` label).
    #[arg(long)]
    release: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run `helm template` with polyaxon-pr attached; -f/--values/--set go to both.
    #[command(disable_help_flag = true)]
    Template(HelmArgs),
    /// Run `helm install` with polyaxon-pr attached; -f/--values/--set go to both.
    #[command(disable_help_flag = true)]
    Install(HelmArgs),
    /// Run `helm upgrade` with polyaxon-pr attached; -f/--values/--set go to both.
    #[command(disable_help_flag = true)]
    Upgrade(HelmArgs),
}

#[derive(clap::Args)]
struct HelmArgs {
    /// Arguments for Helm (plus --diff, which polyaxon-pr takes for itself).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut log = helm::Log::open();
    let result = match cli.command {
        Some(Command::Template(a)) => helm::wrap("template", a.args),
        Some(Command::Install(a)) => helm::wrap("install", a.args),
        Some(Command::Upgrade(a)) => helm::wrap("upgrade", a.args),
        None => post_render(&cli, &mut log).map(|()| 0),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            log.say(&format!("polyaxon-pr: error: {e}"));
            ExitCode::FAILURE
        }
    }
}

fn post_render(cli: &Cli, log: &mut helm::Log) -> Result<(), Error> {
    let files: Vec<PathBuf> = cli.values.iter().flat_map(|v| v.split(',')).map(PathBuf::from).collect();
    let values = Values::load(&files, &cli.set, &cli.set_string)?;
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).map_err(|e| Error::new(format!("cannot read the manifests on stdin: {e}")))?;
    let options = transform::Options {
        gpu_targets: cli.gpu_targets.clone(),
        drop_builtin: cli.drop_builtin.clone(),
        external_secret: cli.external_secret.clone(),
        release: cli.release.clone().or_else(|| stream::release_label(&input).map(str::to_string)),
    };
    let mut transforms = transform::from_values(&values, &options)?;
    if values.is_empty() {
        log.say("polyaxon-pr: no values given (-f/--values, --set): manifests passed through unchanged");
    }
    let outcome = postrender::run(&input, &mut transforms)?;
    for note in &outcome.notes {
        log.say(&format!("polyaxon-pr: warning: {note}"));
    }
    if cli.diff {
        log.say(diff::render(&outcome.changes).trim_end());
    }
    let names: Vec<&str> = transforms.iter().map(|t| t.name()).collect();
    let added = outcome.changes.iter().filter(|c| c.before.is_empty()).count();
    log.say(&format!(
        "polyaxon-pr: {} of {} documents changed, {added} added, {} removed ({})",
        outcome.changes.len() - added,
        outcome.documents,
        outcome.removed,
        if names.is_empty() { "no transform enabled".to_string() } else { names.join(", ") }
    ));
    std::io::stdout()
        .lock()
        .write_all(outcome.output.as_bytes())
        .map_err(|e| Error::new(format!("cannot write the manifests to stdout: {e}")))
}
