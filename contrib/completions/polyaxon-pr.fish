# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_polyaxon_pr_global_optspecs
    string join \n f/values= set= set-string= set-json= set-file= set-literal= helm-version= diff gpu-target= drop-builtin= external-secret= release= security-scope= pod-security= pod-security-mode= color= verbose helm4-plugin h/help V/version
end

function __fish_polyaxon_pr_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_polyaxon_pr_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_polyaxon_pr_using_subcommand
    set -l cmd (__fish_polyaxon_pr_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -s f -l values -d 'Values file, as given to Helm (repeatable, later files win; comma-separated lists are split as Helm does)' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l set -d 'Set a value, as Helm\'s --set (repeatable)' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l set-string -d 'Set a string value, as Helm\'s --set-string' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l set-json -d 'Set a JSON value, as Helm\'s --set-json' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l set-file -d 'Set a value from a file\'s contents, as Helm\'s --set-file' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l set-literal -d 'Set a literal string value, as Helm\'s --set-literal' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l helm-version -d 'Read values as this Helm major version does (3 takes a file\'s first YAML document, 4 merges them all); default: 4 when run as Helm 4\'s plugin or the stream carries Helm 4\'s filename annotation, else 3 (`values`: 4)' -r -f -a "3\t''
4\t''"
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l gpu-target -d 'Also mount the NVIDIA driver into every container of these workloads (KIND/NAME, NAME may be a glob; repeatable)' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l drop-builtin -d 'Remove a built-in dependency (postgresql, redis, rabbitmq) that an external service replaces; on an upgrade this deletes it from the cluster (repeatable)' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l external-secret -d 'Read external services\' passwords from this existing Secret instead of emitting the chart\'s (keys as the chart version names them: postgresql-password on 0.6 to 1.x, else postgres-password; redis-password, rabbitmq-password)' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l release -d 'Release name (default: the manifests\' `release:` label)' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l security-scope -d 'Whose workloads get security contexts: polyaxon (its own, as the chart version renders them) or all (subchart containers too, never changing who they run as)' -r -f -a "polyaxon\t''
all\t''"
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l pod-security -d 'Make every pod admissible under this Pod Security Standards level (baseline, restricted): add what it requires and the chart left out (seccompProfile RuntimeDefault, capabilities drop ALL, allowPrivilegeEscalation false, runAsNonRoot); what it forbids (hostPath volumes, root, privileged, host namespaces and ports) is an error naming the values to change. Pods Polyaxon starts for runs are not in the render and not covered' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l pod-security-mode -d 'With --pod-security: enforce (what cannot be made admissible is an error, nothing is written) or warn (it is reported and the output written)' -r -f -a "enforce\t''
warn\t''"
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l color -d 'Colour: auto (a terminal, unless NO_COLOR, CLICOLOR=0 or TERM=dumb say otherwise; FORCE_COLOR forces it), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l diff -d 'Print a unified diff of every changed document on stderr (secrets masked)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l verbose -d 'At a terminal, show warnings whole (long lists are cut short there; the run\'s log has them whole)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -l helm4-plugin -d 'Run as Helm 4\'s postrenderer/v1 plugin: report failures in a form Helm 4 shows (set by helm4-plugins/polyaxon-pr)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -s V -l version -d 'Print version'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "values" -d 'Print the merged values as Helm\'s templates see them, as JSON (credentials masked)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "lint" -d 'Lint Polyaxon values files for a target chart version'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "explain" -d 'Explain a lint rule (code such as K005, or name such as unknown-key); without one, list them'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "schema" -d 'Print a JSON Schema of a chart version\'s values, for editors and CI validators'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "migrate" -d 'Rewrite values files for a target chart version: renames, moves, settings that left commented out with a note'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "path" -d 'Print the path of this binary, for Helm 3\'s `--post-renderer "$(helm polyaxon path)"`'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "template" -d 'Run `helm template` with polyaxon-pr attached; values flags go to both'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "install" -d 'Run `helm install` with polyaxon-pr attached; values flags go to both'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "upgrade" -d 'Run `helm upgrade` with polyaxon-pr attached; values flags go to both'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand values" -s f -l values -d 'Values file, as given to Helm (repeatable, later files win; comma-separated lists are split as Helm does)' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand values" -l set -d 'Set a value, as Helm\'s --set (repeatable)' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand values" -l set-string -d 'Set a string value, as Helm\'s --set-string' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand values" -l set-json -d 'Set a JSON value, as Helm\'s --set-json' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand values" -l set-file -d 'Set a value from a file\'s contents, as Helm\'s --set-file' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand values" -l set-literal -d 'Set a literal string value, as Helm\'s --set-literal' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand values" -l helm-version -d 'Read values as this Helm major version does (3 takes a file\'s first YAML document, 4 merges them all); default: 4 when run as Helm 4\'s plugin or the stream carries Helm 4\'s filename annotation, else 3 (`values`: 4)' -r -f -a "3\t''
4\t''"
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand values" -l show-secrets -d 'Show passwords and other credentials instead of *****'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand values" -s h -l help -d 'Print help'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand lint" -l chart-version -d 'Chart version to lint against (1.10.1, or a line such as 1.10 or v2); default: the config\'s, else the newest' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand lint" -l format -r -f -a "human\t''
json\t''
sarif\t''
github\t''"
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand lint" -l deny -d 'Fail (exit 1) on warnings too' -r -f -a "warnings\t''"
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand lint" -l explain -d 'Print the explanation of a rule and exit' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand lint" -l config -d 'Settings file (default: .polyaxon-lint.yaml in this directory or a parent)' -r -F
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand lint" -l pod-security -d 'Also report the values that make a pod inadmissible under this Pod Security Standards level (baseline, restricted), as `polyaxon-pr --pod-security` would refuse them (rule X009)' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand lint" -l color -d 'Colour: auto (a terminal, unless NO_COLOR, CLICOLOR=0 or TERM=dumb say otherwise; FORCE_COLOR forces it), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand lint" -l no-config -d 'Ignore any .polyaxon-lint.yaml'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand lint" -l fix -d 'Apply the safe fixes (as `migrate --write` to the lint target), then report what is left'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand lint" -s h -l help -d 'Print help'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand explain" -s h -l help -d 'Print help'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand schema" -l chart-version -d 'Chart version (1.10.1, or a line such as 1.10 or v2); default: the newest' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand schema" -l agent -d 'The agent chart\'s values (files that say `deploymentChart: agent`)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand schema" -s h -l help -d 'Print help'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand migrate" -l to -d 'Chart version to migrate to (1.10.1, or a line such as 1.10 or v2)' -r
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand migrate" -l color -d 'Colour: auto (a terminal, unless NO_COLOR, CLICOLOR=0 or TERM=dumb say otherwise; FORCE_COLOR forces it), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand migrate" -l write -d 'Rewrite the files in place (atomically); without it, print a unified diff and write nothing'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand migrate" -l unsafe-fixes -d 'Apply the unsafe fixes too (guesses, quoted booleans, renames whose new key is already set)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand migrate" -s h -l help -d 'Print help'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand completions" -s h -l help -d 'Print help'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand path" -s h -l help -d 'Print help'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand man" -s h -l help -d 'Print help'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "values" -d 'Print the merged values as Helm\'s templates see them, as JSON (credentials masked)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "lint" -d 'Lint Polyaxon values files for a target chart version'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "explain" -d 'Explain a lint rule (code such as K005, or name such as unknown-key); without one, list them'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "schema" -d 'Print a JSON Schema of a chart version\'s values, for editors and CI validators'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "migrate" -d 'Rewrite values files for a target chart version: renames, moves, settings that left commented out with a note'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "path" -d 'Print the path of this binary, for Helm 3\'s `--post-renderer "$(helm polyaxon path)"`'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "man" -d 'Print the man page (roff)'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "template" -d 'Run `helm template` with polyaxon-pr attached; values flags go to both'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "install" -d 'Run `helm install` with polyaxon-pr attached; values flags go to both'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "upgrade" -d 'Run `helm upgrade` with polyaxon-pr attached; values flags go to both'
complete -c polyaxon-pr -n "__fish_polyaxon_pr_using_subcommand help; and not __fish_seen_subcommand_from values lint explain schema migrate completions path man template install upgrade help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
