//! `polyaxon-pr`: the CLI. It parses and types the arguments and wires the
//! library's modules. Below it, only the wrapper (`helm.rs`, its lists
//! checked against this definition by the test at the end) and the values
//! flags Helm shares (`values::strvals`) name a flag.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use polyaxon_helm::error::Error;
use polyaxon_helm::files;
use polyaxon_helm::knowledge::catalog::Catalog;
use polyaxon_helm::knowledge::pod_security::Level;
use polyaxon_helm::knowledge::{ChartName, Service};
use polyaxon_helm::lint::config::Config;
use polyaxon_helm::lint::report;
use polyaxon_helm::lint::rules::{self, Severity, RULES};
use polyaxon_helm::migrate::FileMigration;
use polyaxon_helm::output::{exit_codes, Emitter, LintRun};
use polyaxon_helm::postrender;
use polyaxon_helm::style::{ColorChoice, Stream, Style};
use polyaxon_helm::transform::{GpuTarget, Options, SecurityScope};
use polyaxon_helm::values::{HelmMajor, Sources, Values};
use polyaxon_helm::values_schema;
use polyaxon_helm::{helm, output, run_log, stream, text};

/// Post-render Polyaxon manifests: read the stream Helm renders on stdin,
/// apply what the Polyaxon values ask for, write the result on stdout. The
/// `lint` command checks values files against a chart version.
#[derive(Parser)]
#[command(name = "polyaxon-pr", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(flatten)]
    values: ValuesArgs,
    /// Print a unified diff of every changed document on stderr (secrets masked).
    #[arg(long)]
    diff: bool,
    /// Also mount the NVIDIA driver into every container of these workloads (KIND/NAME, NAME may be a glob; repeatable).
    #[arg(long = "gpu-target", value_name = "KIND/NAME", value_parser = GpuTarget::parse)]
    gpu_targets: Vec<GpuTarget>,
    /// Remove a built-in dependency (postgresql, redis, rabbitmq) that an external service replaces; on an upgrade this deletes it from the cluster (repeatable).
    #[arg(long = "drop-builtin", value_name = "SERVICE", value_parser = parse_service)]
    drop_builtin: Vec<Service>,
    /// Read external services' passwords from this existing Secret instead of emitting the chart's (keys as the chart version names them: postgresql-password on 0.6 to 1.x, else postgres-password; redis-password, rabbitmq-password).
    #[arg(long = "external-secret", value_name = "NAME")]
    external_secret: Option<String>,
    /// Release name (default: the manifests' `release:` label).
    #[arg(long)]
    release: Option<String>,
    /// Whose workloads get security contexts: polyaxon (its own, as the chart version renders them) or all (subchart containers too, never changing who they run as).
    #[arg(long = "security-scope", value_enum, default_value_t = Scope::Polyaxon)]
    security_scope: Scope,
    /// Make every pod admissible under this Pod Security Standards level (baseline, restricted): add what it requires and the chart left out (seccompProfile RuntimeDefault, capabilities drop ALL, allowPrivilegeEscalation false, runAsNonRoot); what it forbids (hostPath volumes, root, privileged, host namespaces and ports) is an error naming the values to change. Pods Polyaxon starts for runs are not in the render and not covered.
    #[arg(long = "pod-security", value_name = "LEVEL", value_parser = parse_level)]
    pod_security: Option<Level>,
    /// With --pod-security: enforce (what cannot be made admissible is an error, nothing is written) or warn (it is reported and the output written).
    #[arg(long = "pod-security-mode", value_name = "MODE", value_enum, default_value_t = PssMode::Enforce, requires = "pod_security")]
    pod_security_mode: PssMode,
    #[command(flatten)]
    color: ColorArg,
    /// At a terminal, show warnings whole (long lists are cut short there; the run's log has them whole).
    #[arg(long)]
    verbose: bool,
    /// Run as Helm 4's postrenderer/v1 plugin: report failures in a form Helm 4 shows (set by helm4-plugins/polyaxon-pr).
    #[arg(long = "helm4-plugin", hide = true)]
    helm4_plugin: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

/// The values flags Helm takes, read the way Helm reads them.
#[derive(clap::Args)]
struct ValuesArgs {
    /// Values file, as given to Helm (repeatable, later files win; comma-separated lists are split as Helm does).
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    files: Vec<String>,
    /// Set a value, as Helm's --set (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Set a string value, as Helm's --set-string.
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    set_string: Vec<String>,
    /// Set a JSON value, as Helm's --set-json.
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    set_json: Vec<String>,
    /// Set a value from a file's contents, as Helm's --set-file.
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    set_file: Vec<String>,
    /// Set a literal string value, as Helm's --set-literal.
    #[arg(long = "set-literal", value_name = "KEY=VALUE")]
    set_literal: Vec<String>,
    /// Read values as this Helm major version does (3 takes a file's first YAML document, 4 merges them all); default: 4 when run as Helm 4's plugin or the stream carries Helm 4's filename annotation, else 3 (`values`: 4).
    #[arg(long = "helm-version", value_name = "3|4", value_parser = ["3", "4"])]
    helm_version: Option<String>,
}

impl ValuesArgs {
    fn sources(&self, helm: HelmMajor) -> Sources {
        Sources {
            files: self.files.iter().flat_map(|v| v.split(',')).map(PathBuf::from).collect(),
            set_json: self.set_json.clone(),
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            set_file: self.set_file.clone(),
            set_literal: self.set_literal.clone(),
            helm,
        }
    }

    fn helm(&self) -> Option<HelmMajor> {
        self.helm_version.as_deref().map(|v| if v == "3" { HelmMajor::V3 } else { HelmMajor::V4 })
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Scope {
    Polyaxon,
    All,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PssMode {
    Enforce,
    Warn,
}

fn parse_level(name: &str) -> Result<Level, String> {
    name.parse()
}

fn parse_service(name: &str) -> Result<Service, String> {
    name.parse()
}

#[derive(Subcommand)]
enum Command {
    /// Run `helm template` with polyaxon-pr attached; values flags go to both.
    #[command(disable_help_flag = true)]
    Template(HelmArgs),
    /// Run `helm install` with polyaxon-pr attached; values flags go to both.
    #[command(disable_help_flag = true)]
    Install(HelmArgs),
    /// Run `helm upgrade` with polyaxon-pr attached; values flags go to both.
    #[command(disable_help_flag = true)]
    Upgrade(HelmArgs),
    /// Print the merged values as Helm's templates see them, as JSON (credentials masked).
    Values(ValuesCmd),
    /// Lint Polyaxon values files for a target chart version.
    Lint(LintArgs),
    /// Explain a lint rule (code such as K005, or name such as unknown-key); without one, list them.
    Explain { code: Option<String> },
    /// Print a JSON Schema of a chart version's values, for editors and CI validators.
    Schema(SchemaArgs),
    /// Rewrite values files for a target chart version: renames, moves, settings that left commented out with a note.
    Migrate(MigrateArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions { shell: clap_complete::Shell },
    /// Print the path of this binary, for Helm 3's `--post-renderer "$(helm polyaxon path)"`.
    Path,
    /// Print the man page (roff).
    #[command(hide = true)]
    Man,
}

#[derive(clap::Args)]
struct MigrateArgs {
    /// Values files or directories (walked for *.yaml and *.yml; a file there that is not a values file is skipped with a note).
    #[arg(default_value = "values.yaml")]
    paths: Vec<String>,
    /// Chart version to migrate to (1.10.1, or a line such as 1.10 or v2).
    #[arg(long = "to", value_name = "VERSION")]
    to: String,
    /// Rewrite the files in place (atomically); without it, print a unified diff and write nothing.
    #[arg(long)]
    write: bool,
    /// Apply the unsafe fixes too (guesses, quoted booleans, renames whose new key is already set).
    #[arg(long)]
    unsafe_fixes: bool,
    #[command(flatten)]
    color: ColorArg,
}

#[derive(clap::Args)]
struct SchemaArgs {
    /// Chart version (1.10.1, or a line such as 1.10 or v2); default: the newest.
    #[arg(long = "chart-version", value_name = "VERSION")]
    chart_version: Option<String>,
    /// The agent chart's values (files that say `deploymentChart: agent`).
    #[arg(long)]
    agent: bool,
}

#[derive(clap::Args)]
struct ValuesCmd {
    #[command(flatten)]
    values: ValuesArgs,
    /// Show passwords and other credentials instead of *****.
    #[arg(long)]
    show_secrets: bool,
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
    /// Apply the safe fixes (as `migrate --write` to the lint target), then report what is left.
    #[arg(long)]
    fix: bool,
    /// Also report the values that make a pod inadmissible under this Pod Security Standards level (baseline, restricted), as `polyaxon-pr --pod-security` would refuse them (rule X009).
    #[arg(long = "pod-security", value_name = "LEVEL", value_parser = parse_level)]
    pod_security: Option<Level>,
    #[command(flatten)]
    color: ColorArg,
}

/// `--color`, the same for every command.
#[derive(clap::Args)]
struct ColorArg {
    /// Colour: auto (a terminal, unless NO_COLOR, CLICOLOR=0 or TERM=dumb say otherwise; FORCE_COLOR forces it), always, never.
    #[arg(long = "color", value_name = "WHEN", value_enum, default_value_t = Color::Auto)]
    choice: Color,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl From<Color> for ColorChoice {
    fn from(c: Color) -> ColorChoice {
        match c {
            Color::Auto => ColorChoice::Auto,
            Color::Always => ColorChoice::Always,
            Color::Never => ColorChoice::Never,
        }
    }
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
    /// Arguments for Helm, and polyaxon-pr's own flags (below), which it takes for itself.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

/// Exit code for usage errors, unreadable files and YAML that does not parse.
const USAGE: u8 = 2;

/// The command the user typed: `helm polyaxon` through the Helm plugin
/// (its wrapper says so), else `polyaxon-pr`.
fn command_name() -> String {
    std::env::var("POLYAXON_PR_COMMAND").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "polyaxon-pr".into())
}

/// A subcommand's error, under the name the user typed, with control characters made visible.
fn say_error(e: &Error) {
    eprintln!("{}: error: {}", command_name(), text::sanitize(&e.to_string()));
}

/// The CLI, named as the user typed it (usage, help, completions).
fn cli_command() -> clap::Command {
    let mut cmd = parsing_command();
    let own_flags = own_flags_help();
    for wrapped in ["template", "install", "upgrade"] {
        cmd = cmd.mut_subcommand(wrapped, |sub| sub.after_help(own_flags.clone()));
    }
    cmd
}

/// [`cli_command`] but for the wrapped commands' help, which only `help
/// template` (install, upgrade) shows and whose rendering is a third of
/// every run's start-up.
fn parsing_command() -> clap::Command {
    let name = command_name();
    let about = if name == "polyaxon-pr" { None } else { Some(format!("`{name}`: the polyaxon-pr Helm plugin")) };
    let usage = format!("{name} [OPTIONS] < manifests.yaml > out.yaml\n       {name} <COMMAND>");
    let cmd = Cli::command().bin_name(name.clone()).display_name(name).override_usage(usage).after_long_help(exit_codes::help_text());
    match about {
        Some(before) => cmd.before_help(before),
        None => cmd,
    }
}

// mimalloc: the reader builds one small collection per mapping and list, and
// glibc's malloc and free were a tenth of a lint's instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A panic message may quote input (a password included): say only where it happened.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        eprintln!("polyaxon-pr: internal error{at}; nothing was written. Please report it (the input is not shown here).");
    }));
    let command = if std::env::args_os().skip(1).any(|a| a == "help") { cli_command() } else { parsing_command() };
    let cli = match command.try_get_matches().and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => with_values_tip(e).exit(),
    };
    let result = match cli.command {
        Some(Command::Template(a)) => wrap("template", a.args),
        Some(Command::Install(a)) => wrap("install", a.args),
        Some(Command::Upgrade(a)) => wrap("upgrade", a.args),
        Some(Command::Path) => {
            return match std::env::current_exe() {
                Ok(exe) => write_stdout(&format!("{}\n", exe.display()), "the path"),
                Err(e) => {
                    say_error(&Error::new(format!("cannot locate polyaxon-pr itself: {e}")));
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Values(ref v)) => return values(v),
        Some(Command::Lint(ref a)) => return lint(a),
        Some(Command::Explain { ref code }) => return explain(code.as_deref()),
        Some(Command::Schema(ref a)) => return schema(a),
        Some(Command::Migrate(ref a)) => return migrate(a),
        Some(Command::Completions { shell }) => {
            let mut cmd = cli_command();
            let name = cmd.get_bin_name().unwrap_or("polyaxon-pr").to_string();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, name, &mut out);
            return write_stdout(&String::from_utf8_lossy(&out), "the completions");
        }
        Some(Command::Man) => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cli_command()).render(&mut out).expect("writing to memory");
            return write_stdout(&String::from_utf8_lossy(&out), "the man page");
        }
        None => return post_render_main(&cli),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            say_error(&e);
            ExitCode::FAILURE
        }
    }
}

/// A values file given where a command or argument belongs gets a tip: they go with -f, as to Helm.
fn with_values_tip(mut e: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue};
    let stray = [ContextKind::InvalidSubcommand, ContextKind::InvalidArg].iter().find_map(|k| match e.get(*k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    });
    if let Some(file) = stray.filter(|s| s.ends_with(".yaml") || s.ends_with(".yml")) {
        let tip = format!("values files are given with -f, as to Helm: `-f {file}`");
        e.insert(ContextKind::Suggested, ContextValue::StyledStrs(vec![tip.into()]));
    }
    e
}

/// The wrapper's own flags, as the top-level help describes them (shown
/// below `template|install|upgrade --help`).
fn own_flags_help() -> String {
    let cli = Cli::command();
    let own = cli.get_arguments().filter(|a| a.get_long().is_some_and(|l| helm::OWN_FLAGS.contains(&format!("--{l}").as_str())));
    let mut section = clap::Command::new("own").disable_help_flag(true).args(own.cloned()).help_template("{options}");
    format!(
        "polyaxon-pr's own flags (taken out before Helm sees them):\n{}\n\n\
         Values flags (-f/--values, --set, --set-string, --set-json, --set-file, --set-literal) go to Helm and to \
         polyaxon-pr; --drop-builtin SERVICE also becomes --set SERVICE.enabled=false for Helm. \
         `helm polyaxon template --help` (install, upgrade) prints Helm's own help after this.",
        section.render_help().to_string().trim_end()
    )
}

/// `helm polyaxon template|install|upgrade`: Helm with polyaxon-pr attached;
/// with `--help` (which belongs to Helm there), this help and then Helm's.
fn wrap(command: &str, args: Vec<String>) -> Result<u8, Error> {
    if !args.iter().any(|a| a == "--help" || a == "-h") {
        return helm::wrap(command, args, &command_name());
    }
    let mut cli = cli_command();
    cli.build();
    let sub = cli.find_subcommand_mut(command).expect("a wrapped command");
    let _ = write!(std::io::stdout().lock(), "{}\n\nHelm's help for `helm {command}`:\n", sub.render_long_help().to_string().trim_end());
    helm::help(command)
}

fn post_render_main(cli: &Cli) -> ExitCode {
    // Nothing to do and nobody piping manifests in: show how it is used.
    if std::io::stdin().is_terminal() && std::env::args_os().len() == 1 {
        let _ = cli_command().print_help();
        return ExitCode::from(USAGE);
    }
    if std::io::stdin().is_terminal() {
        let name = command_name();
        eprintln!("{name}: waiting for manifests on stdin (pipe them in, or end with Ctrl-D); `{name} --help` for usage");
    }
    let mut log = run_log::Log::open(Style::of(Stream::Stderr, cli.color.choice.into(), cli.verbose));
    let code = match post_render(cli, &mut log) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log.say(&format!("polyaxon-pr: error: {e}"));
            if let Some(path) = log.path() {
                log.say(&format!("polyaxon-pr: this run's log: {}", path.display()));
            }
            if cli.helm4_plugin {
                // Helm 4 hides stderr and the exit status; a scalar on stdout makes it fail and show this.
                let _ = std::io::stdout().lock().write_all(helm::helm4_error_block(&log.text).as_bytes());
                return ExitCode::SUCCESS;
            }
            ExitCode::FAILURE
        }
    };
    if log.shortened {
        let whole = log.path().map_or_else(String::new, |p| format!(", as does {}", p.display()));
        log.tell(&format!("polyaxon-pr: lists above are cut short; --verbose shows them whole{whole}"));
    }
    code
}

fn post_render(cli: &Cli, log: &mut run_log::Log) -> Result<(), Error> {
    // Rust opens /dev/null in place of a closed stdout: say where the manifests go.
    if stdout_is_null() {
        log.say("polyaxon-pr: warning: stdout is /dev/null (or was closed): the manifests go nowhere");
    }
    // A file on stdin says its size: read it without growing the buffer.
    let mut bytes =
        Vec::with_capacity(std::fs::metadata("/dev/stdin").map_or(0, |m| m.len() as usize).min(postrender::MAX_INPUT_BYTES + 1));
    let unreadable = |e: &dyn std::fmt::Display| Error::new(format!("cannot read the manifests on stdin: {e}"));
    std::io::stdin().read_to_end(&mut bytes).map_err(|e| unreadable(&e))?;
    // A vectorised check: std's takes 0.45 instructions a byte, most of the work on a stream nobody changes.
    let input = simdutf8::basic::from_utf8(&bytes).map_err(|_| unreadable(&"stream did not contain valid UTF-8"))?;
    let helm = cli.values.helm().unwrap_or(if cli.helm4_plugin || stream::helm4_framed(input) { HelmMajor::V4 } else { HelmMajor::V3 });
    let sources = cli.values.sources(helm);
    let values = Values::load(&sources)?;
    let options = Options {
        gpu_targets: cli.gpu_targets.clone(),
        drop_builtin: cli.drop_builtin.clone(),
        external_secret: cli.external_secret.clone(),
        release: cli.release.clone(),
        security_scope: match cli.security_scope {
            Scope::Polyaxon => SecurityScope::Polyaxon,
            Scope::All => SecurityScope::All,
        },
        pod_security: cli.pod_security,
        pod_security_warn: cli.pod_security_mode == PssMode::Warn,
    };
    if input.trim().is_empty() {
        for note in postrender::values_notes(&values, &options)? {
            log.say(&format!("polyaxon-pr: warning: {note}"));
        }
        log.say("polyaxon-pr: no manifests on stdin (the input was empty): nothing to post-render");
        return write_manifests(|out| out.write_all(input.as_bytes()));
    }
    if sources.is_empty() && options.pod_security.is_none() {
        log.say("polyaxon-pr: no values given (-f/--values, --set): manifests passed through unchanged");
    }
    let postrender::Rendered { outcome, output } = postrender::render(input, &values, &options)?;
    for note in &outcome.notes {
        log.say(&format!("polyaxon-pr: warning: {note}"));
    }
    if cli.diff {
        log.say(outcome.diff(&values.secrets()).trim_end());
    }
    let added = outcome.changes.iter().filter(|c| c.before.is_empty()).count();
    let chart = outcome.facts.chart.map_or_else(|| "chart not recognised".to_string(), |c| c.to_string());
    log.say(&format!(
        "polyaxon-pr: {} of {} documents changed, {added} added, {} removed ({}; {chart})",
        outcome.changes.len() - added,
        outcome.documents,
        outcome.removed,
        if outcome.transforms.is_empty() { "no transform enabled".to_string() } else { outcome.transforms.join(", ") }
    ));
    write_manifests(|out| output.write_to(&outcome, out))
}

fn write_manifests(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    write(&mut stdout).and_then(|()| stdout.flush()).map_err(|e| Error::new(format!("cannot write the manifests to stdout: {e}")))
}

/// Whether stdout is the null device.
fn stdout_is_null() -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata("/dev/stdout"), std::fs::metadata("/dev/null")) {
        (Ok(out), Ok(null)) => out.rdev() == null.rdev() && out.dev() == null.dev() && out.ino() == null.ino(),
        _ => false,
    }
}

fn values(args: &ValuesCmd) -> ExitCode {
    let sources = args.values.sources(args.values.helm().unwrap_or_default());
    match Values::load(&sources) {
        Ok(values) => {
            let text = values.to_json(args.show_secrets) + "\n";
            write_stdout(&text, "the values")
        }
        Err(e) => {
            say_error(&e);
            ExitCode::FAILURE
        }
    }
}

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
                eprintln!("{}: error: unknown rule `{}`; `{} explain` lists them", command_name(), text::sanitize(code), command_name());
                ExitCode::from(USAGE)
            }
        },
    }
}

fn migrate(args: &MigrateArgs) -> ExitCode {
    match run_migrate(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            say_error(&e);
            ExitCode::from(USAGE)
        }
    }
}

/// The migrations of every input file but stdin. A file found in a
/// directory that cannot be migrated (a manifest, several documents, YAML
/// that does not parse) is skipped with a note; a named one is an error.
fn migrations(paths: &[String], read: impl Fn(&Path) -> Result<FileMigration, Error>) -> Result<Vec<FileMigration>, Error> {
    let mut out = Vec::new();
    for path in files::inputs(paths)?.into_iter().filter(|p| p != Path::new("-")) {
        match read(&path) {
            Ok(file) => out.push(file),
            Err(e) if !paths.iter().any(|named| Path::new(named) == path) => {
                eprintln!("{}: skipped {}", command_name(), text::sanitize(&e.to_string()));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// What `lint --fix` does to a file: the safe fixes of the findings the
/// configuration does not ignore.
fn lint_fixes(path: &Path, target: usize, config: Option<&Config>) -> Result<FileMigration, Error> {
    FileMigration::read(path, target, false, &|code| config.is_some_and(|c| c.ignores(path, code)))
}

/// One line per fix: applied (`written`), to be applied, or left out and
/// why (unless `applied_only`: `lint --fix` reports the rest as findings).
fn report_fixes(file: &FileMigration, written: bool, applied_only: bool) {
    for f in file.migration.fixes.iter().filter(|f| f.applied || !applied_only) {
        let mark = match (f.applied, f.applicability) {
            (true, _) if written => "fixed",
            (true, _) => "would fix",
            (false, rules::Applicability::Unsafe) => "unsafe, not applied (--unsafe-fixes)",
            (false, rules::Applicability::DisplayOnly) => "left for you",
            (false, rules::Applicability::Safe) => "not applied",
        };
        eprintln!("{}:{}:{}: {} {} [{mark}]", file.shown, f.line, f.col, f.code, text::sanitize(&f.action));
    }
}

/// Exit 0 when nothing is left to do, 1 when changes are pending (not
/// written) or unsafe fixes were left out, 2 when a file could not be
/// read or written (the others are still migrated).
fn run_migrate(args: &MigrateArgs) -> Result<u8, Error> {
    let catalog = Catalog::get();
    let target = resolve_target(catalog, &args.to)?;
    let mut pending = false;
    let mut failed = false;
    let mut out = String::new();
    for file in migrations(&args.paths, |path| FileMigration::read(path, target, args.unsafe_fixes, &|_| false))? {
        pending |= file.migration.pending().next().is_some();
        if !file.changed() {
            report_fixes(&file, false, false);
            continue;
        }
        if args.write {
            match file.write() {
                Ok(()) => {
                    report_fixes(&file, true, false);
                    eprintln!("{}: rewritten for chart {}", file.shown, catalog.version(target));
                }
                Err(e) => {
                    report_fixes(&file, false, false);
                    say_error(&e);
                    failed = true;
                }
            }
        } else {
            report_fixes(&file, false, false);
            pending = true;
            out.push_str(&file.diff());
        }
    }
    let (out, _) = Style::of(Stream::Stdout, args.color.choice.into(), true).text(&out);
    std::io::stdout().lock().write_all(out.as_bytes()).map_err(|e| Error::new(format!("cannot write the diff: {e}")))?;
    Ok(if failed { USAGE } else { u8::from(pending) })
}

fn schema(args: &SchemaArgs) -> ExitCode {
    let catalog = Catalog::of(if args.agent { ChartName::Agent } else { ChartName::Platform });
    let target = match &args.chart_version {
        Some(v) => match resolve_target(catalog, v) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{} schema: error: {e}", command_name());
                return ExitCode::from(USAGE);
            }
        },
        None => catalog.newest(),
    };
    let text = serde_json::to_string_pretty(&values_schema::values_schema(catalog, target)).expect("JSON values serialise");
    write_stdout(&format!("{text}\n"), "the schema")
}

/// A chart version the user named: a warning when it is newer than any known.
fn resolve_target(catalog: &Catalog, name: &str) -> Result<usize, Error> {
    let (index, warning) = catalog.resolve_target(name).map_err(Error::new)?;
    if let Some(warning) = warning {
        eprintln!("{}: warning: {warning}", command_name());
    }
    Ok(index)
}

/// Writes a command's whole output; a failure (a closed pipe) is an error.
fn write_stdout(text: &str, what: &str) -> ExitCode {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: error: cannot write {what} to stdout: {e}", command_name());
            ExitCode::FAILURE
        }
    }
}

fn lint(args: &LintArgs) -> ExitCode {
    if let Some(code) = &args.explain {
        return explain(Some(code));
    }
    match run_lint(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            say_error(&e);
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
        Some(v) => resolve_target(catalog, v)?,
        None => catalog.newest(),
    };
    let version = catalog.version(target);
    if args.fix {
        for file in migrations(&args.paths, |path| lint_fixes(path, target, config.as_ref()))? {
            if file.changed() {
                file.write()?;
                report_fixes(&file, true, true);
            }
        }
    }
    let mut reports = Vec::new();
    let inputs = files::inputs(&args.paths)?;
    for path in &inputs {
        reports.push(report::lint_file(path, target, config.as_ref(), args.pod_security)?);
    }
    // A finding `--fix` fixes carries a safe fix (not on stdin).
    let is_fixable = |i: usize, d: &polyaxon_helm::lint::Diagnostic| {
        inputs[i] != Path::new("-") && d.fix.as_ref().is_some_and(|f| f.applicability == rules::Applicability::Safe)
    };
    let emitter: Box<dyn Emitter> = match args.format {
        Format::Human => Box::new(output::human::Human {
            color: ColorChoice::from(args.color.choice).on(Stream::Stdout),
            fixable: &is_fixable,
            fix_command: format!("{} lint --fix", command_name()),
        }),
        Format::Json => Box::new(output::json::Json),
        Format::Sarif => Box::new(output::sarif::Sarif),
        Format::Github => Box::new(output::github::Github),
    };
    let text = emitter.emit(&LintRun { reports: &reports, version });
    std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| Error::new(format!("cannot write the report: {e}")))?;
    let fail_at = if args.deny.is_some() { Severity::Warning } else { Severity::Error };
    let failed = reports.iter().flat_map(|r| &r.diagnostics).any(|d| d.severity >= fail_at);
    // The reports (every file's text and findings) live until the process
    // exits, which frees them at once: not freed one allocation at a time.
    std::mem::forget(reports);
    Ok(u8::from(failed))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;
    use polyaxon_helm::helm::{NOT_WRAPPED, OWN_FLAGS, VALUES_FLAGS};

    /// Every flag of the post-renderer is one the wrapper knows what to do
    /// with, and its lists name only flags that exist; the flags it hands on
    /// without a value are exactly those that take none.
    #[test]
    fn the_wrapper_classifies_every_flag_of_the_cli() {
        let command = Cli::command();
        let flags: Vec<(String, bool)> = command
            .get_arguments()
            .filter_map(|a| Some((format!("--{}", a.get_long()?), a.get_action().takes_values())))
            .filter(|(long, _)| long != "--help" && long != "--version")
            .collect();
        let classified = |f: &str| f == "--values" || VALUES_FLAGS.contains(&f) || OWN_FLAGS.contains(&f) || NOT_WRAPPED.contains(&f);
        for (flag, _) in &flags {
            assert!(classified(flag), "{flag}: add it to helm::OWN_FLAGS, VALUES_FLAGS or NOT_WRAPPED");
        }
        for listed in VALUES_FLAGS.iter().chain(OWN_FLAGS).chain(NOT_WRAPPED) {
            assert!(flags.iter().any(|(f, _)| f == listed), "{listed} is listed in helm.rs but is no flag of polyaxon-pr");
        }
        let valueless: Vec<&str> =
            flags.iter().filter(|(f, takes)| !takes && OWN_FLAGS.contains(&f.as_str())).map(|(f, _)| f.as_str()).collect();
        assert_eq!(valueless, ["--diff", "--verbose"], "the wrapper hands these on without a value");
    }
}
