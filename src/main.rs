//! `polyaxon-pr`: the CLI. It only parses arguments and wires modules.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use polyaxon_helm::error::Error;
use polyaxon_helm::lint::catalog::Catalog;
use polyaxon_helm::lint::config::Config;
use polyaxon_helm::lint::files;
use polyaxon_helm::lint::rules::{self, Severity, RULES};
use polyaxon_helm::{diff, helm, output, postrender, stream, transform, values::Values};

/// Post-render Polyaxon manifests: read the stream Helm renders on stdin,
/// apply what the Polyaxon values ask for, write the result on stdout.
/// `polyaxon-pr lint` checks values files against a chart version.
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
    /// Lint Polyaxon values files for a target chart version.
    Lint(LintArgs),
    /// Explain a lint rule (code such as K005, or name such as unknown-key); without one, list them.
    Explain { code: Option<String> },
}

#[derive(clap::Args)]
struct LintArgs {
    /// Values files or directories (walked for *.yaml and *.yml); `-` reads stdin.
    #[arg(default_value = "values.yaml")]
    paths: Vec<String>,
    /// Chart version to lint against (1.10.1, or a line such as 1.10 or v2); default: the config's, else the newest.
    #[arg(long = "chart-version", value_name = "VERSION")]
    chart_version: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long, value_parser = ["warnings"])]
    deny: Option<String>,
    /// Print the explanation of a rule and exit.
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
    /// Settings file (default: .polyaxon-lint.yaml in this directory or a parent).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Ignore any .polyaxon-lint.yaml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Github,
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
        Some(Command::Lint(a)) => return lint(&a),
        Some(Command::Explain { code }) => return explain(code.as_deref()),
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

/// Exit code for usage errors, unreadable files and YAML that does not parse.
const USAGE: u8 = 2;

fn explain(code: Option<&str>) -> ExitCode {
    match code {
        None => {
            for r in RULES {
                println!("{}  {:<24} {:<8} {}", r.code, r.name, r.severity.as_str(), r.summary);
            }
            ExitCode::SUCCESS
        }
        Some(code) => match rules::find(code) {
            Some(rule) => {
                print!("{}", rules::explain(rule));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("polyaxon-pr: error: unknown rule `{code}`; `polyaxon-pr explain` lists them");
                ExitCode::from(USAGE)
            }
        },
    }
}

fn lint(args: &LintArgs) -> ExitCode {
    if let Some(code) = &args.explain {
        return explain(Some(code));
    }
    match run_lint(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("polyaxon-pr: error: {e}");
            ExitCode::from(USAGE)
        }
    }
}

fn run_lint(args: &LintArgs) -> Result<u8, Error> {
    let config = match (&args.config, args.no_config) {
        (Some(path), _) => Some(Config::load(path)?),
        (None, true) => None,
        (None, false) => Config::discover(&std::env::current_dir().map_err(|e| Error::new(e.to_string()))?)?,
    };
    let catalog = Catalog::get();
    let target = match args.chart_version.as_ref().or(config.as_ref().and_then(|c| c.chart_version.as_ref())) {
        Some(v) => catalog.resolve(v).map_err(Error::new)?,
        None => catalog.newest(),
    };
    let version = catalog.version(target);
    let mut reports = Vec::new();
    for path in files::inputs(&args.paths)? {
        reports.push(files::lint_file(&path, target, config.as_ref())?);
    }
    let text = match args.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            format!("{}{}
", output::human::render(&reports, color), output::summary(&reports, version))
        }
        Format::Json => output::json::render(&reports, version),
        Format::Sarif => output::sarif::render(&reports, version),
        Format::Github => output::github::render(&reports),
    };
    std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| Error::new(format!("cannot write the report: {e}")))?;
    let fail_at = if args.deny.is_some() { Severity::Warning } else { Severity::Error };
    let failed = reports.iter().flat_map(|r| &r.diagnostics).any(|d| d.severity >= fail_at);
    Ok(u8::from(failed))
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
