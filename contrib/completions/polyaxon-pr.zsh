#compdef polyaxon-pr

autoload -U is-at-least

_polyaxon-pr() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'*-f+[Values file, as given to Helm (repeatable, later files win; comma-separated lists are split as Helm does)]:FILE:_default' \
'*--values=[Values file, as given to Helm (repeatable, later files win; comma-separated lists are split as Helm does)]:FILE:_default' \
'*--set=[Set a value, as Helm'\''s --set (repeatable)]:KEY=VALUE:_default' \
'*--set-string=[Set a string value, as Helm'\''s --set-string]:KEY=VALUE:_default' \
'*--set-json=[Set a JSON value, as Helm'\''s --set-json]:KEY=JSON:_default' \
'*--set-file=[Set a value from a file'\''s contents, as Helm'\''s --set-file]:KEY=PATH:_default' \
'*--set-literal=[Set a literal string value, as Helm'\''s --set-literal]:KEY=VALUE:_default' \
'--helm-version=[Read values as this Helm major version does (3 takes a file'\''s first YAML document, 4 merges them all); default\: 4 when run as Helm 4'\''s plugin or the stream carries Helm 4'\''s filename annotation, else 3 (\`values\`\: 4)]:3|4:(3 4)' \
'*--gpu-target=[Also mount the NVIDIA driver into every container of these workloads (KIND/NAME, NAME may be a glob; repeatable)]:KIND/NAME:_default' \
'*--drop-builtin=[Remove a built-in dependency (postgresql, redis, rabbitmq) that an external service replaces; on an upgrade this deletes it from the cluster (repeatable)]:SERVICE:_default' \
'--external-secret=[Read external services'\'' passwords from this existing Secret instead of emitting the chart'\''s (keys as the chart version names them\: postgresql-password on 0.6 to 1.x, else postgres-password; redis-password, rabbitmq-password)]:NAME:_default' \
'--release=[Release name (default\: the manifests'\'' \`release\:\` label)]:RELEASE:_default' \
'--security-scope=[Whose workloads get security contexts\: polyaxon (its own, as the chart version renders them) or all (subchart containers too, never changing who they run as)]:SECURITY_SCOPE:(polyaxon all)' \
'--pod-security=[Make every pod admissible under this Pod Security Standards level (baseline, restricted)\: add what it requires and the chart left out (seccompProfile RuntimeDefault, capabilities drop ALL, allowPrivilegeEscalation false, runAsNonRoot); what it forbids (hostPath volumes, root, privileged, host namespaces and ports) is an error naming the values to change. Pods Polyaxon starts for runs are not in the render and not covered]:LEVEL:_default' \
'--pod-security-mode=[With --pod-security\: enforce (what cannot be made admissible is an error, nothing is written) or warn (it is reported and the output written)]:MODE:(enforce warn)' \
'--color=[Colour\: auto (a terminal, unless NO_COLOR, CLICOLOR=0 or TERM=dumb say otherwise; FORCE_COLOR forces it), always, never]:WHEN:(auto always never)' \
'--diff[Print a unified diff of every changed document on stderr (secrets masked)]' \
'--verbose[At a terminal, show warnings whole (long lists are cut short there; the run'\''s log has them whole)]' \
'--helm4-plugin[Run as Helm 4'\''s postrenderer/v1 plugin\: report failures in a form Helm 4 shows (set by helm4-plugins/polyaxon-pr)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_polyaxon-pr_commands" \
"*::: :->polyaxon-pr" \
&& ret=0
    case $state in
    (polyaxon-pr)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:polyaxon-pr-command-$line[1]:"
        case $line[1] in
            (values)
_arguments "${_arguments_options[@]}" : \
'*-f+[Values file, as given to Helm (repeatable, later files win; comma-separated lists are split as Helm does)]:FILE:_default' \
'*--values=[Values file, as given to Helm (repeatable, later files win; comma-separated lists are split as Helm does)]:FILE:_default' \
'*--set=[Set a value, as Helm'\''s --set (repeatable)]:KEY=VALUE:_default' \
'*--set-string=[Set a string value, as Helm'\''s --set-string]:KEY=VALUE:_default' \
'*--set-json=[Set a JSON value, as Helm'\''s --set-json]:KEY=JSON:_default' \
'*--set-file=[Set a value from a file'\''s contents, as Helm'\''s --set-file]:KEY=PATH:_default' \
'*--set-literal=[Set a literal string value, as Helm'\''s --set-literal]:KEY=VALUE:_default' \
'--helm-version=[Read values as this Helm major version does (3 takes a file'\''s first YAML document, 4 merges them all); default\: 4 when run as Helm 4'\''s plugin or the stream carries Helm 4'\''s filename annotation, else 3 (\`values\`\: 4)]:3|4:(3 4)' \
'--show-secrets[Show passwords and other credentials instead of *****]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(lint)
_arguments "${_arguments_options[@]}" : \
'--chart-version=[Chart version to lint against (1.10.1, or a line such as 1.10 or v2); default\: the config'\''s, else the newest]:VERSION:_default' \
'--format=[]:FORMAT:(human json sarif github)' \
'--deny=[Fail (exit 1) on warnings too]:DENY:(warnings)' \
'--explain=[Print the explanation of a rule and exit]:CODE:_default' \
'--config=[Settings file (default\: .polyaxon-lint.yaml in this directory or a parent)]:CONFIG:_files' \
'--pod-security=[Also report the values that make a pod inadmissible under this Pod Security Standards level (baseline, restricted), as \`polyaxon-pr --pod-security\` would refuse them (rule X009)]:LEVEL:_default' \
'--color=[Colour\: auto (a terminal, unless NO_COLOR, CLICOLOR=0 or TERM=dumb say otherwise; FORCE_COLOR forces it), always, never]:WHEN:(auto always never)' \
'(--config)--no-config[Ignore any .polyaxon-lint.yaml]' \
'--fix[Apply the safe fixes (as \`migrate --write\` to the lint target), then report what is left]' \
'-h[Print help]' \
'--help[Print help]' \
'*::paths -- Values files or directories (walked for *.yaml and *.yml); `-` reads stdin:_default' \
&& ret=0
;;
(explain)
_arguments "${_arguments_options[@]}" : \
'-h[Print help]' \
'--help[Print help]' \
'::code:_default' \
&& ret=0
;;
(schema)
_arguments "${_arguments_options[@]}" : \
'--chart-version=[Chart version (1.10.1, or a line such as 1.10 or v2); default\: the newest]:VERSION:_default' \
'--agent[The agent chart'\''s values (files that say \`deploymentChart\: agent\`)]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(migrate)
_arguments "${_arguments_options[@]}" : \
'--to=[Chart version to migrate to (1.10.1, or a line such as 1.10 or v2)]:VERSION:_default' \
'--color=[Colour\: auto (a terminal, unless NO_COLOR, CLICOLOR=0 or TERM=dumb say otherwise; FORCE_COLOR forces it), always, never]:WHEN:(auto always never)' \
'--write[Rewrite the files in place (atomically); without it, print a unified diff and write nothing]' \
'--unsafe-fixes[Apply the unsafe fixes too (guesses, quoted booleans, renames whose new key is already set)]' \
'-h[Print help]' \
'--help[Print help]' \
'*::paths -- Values files or directories (walked for *.yaml and *.yml; a file there that is not a values file is skipped with a note):_default' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'-h[Print help]' \
'--help[Print help]' \
':shell:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(path)
_arguments "${_arguments_options[@]}" : \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(template)
_arguments "${_arguments_options[@]}" : \
'*::args -- Arguments for Helm, and polyaxon-pr'\''s own flags (below), which it takes for itself:_default' \
&& ret=0
;;
(install)
_arguments "${_arguments_options[@]}" : \
'*::args -- Arguments for Helm, and polyaxon-pr'\''s own flags (below), which it takes for itself:_default' \
&& ret=0
;;
(upgrade)
_arguments "${_arguments_options[@]}" : \
'*::args -- Arguments for Helm, and polyaxon-pr'\''s own flags (below), which it takes for itself:_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_polyaxon-pr__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:polyaxon-pr-help-command-$line[1]:"
        case $line[1] in
            (values)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(lint)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(explain)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(schema)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(migrate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(path)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(template)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(install)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(upgrade)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_polyaxon-pr_commands] )) ||
_polyaxon-pr_commands() {
    local commands; commands=(
'values:Print the merged values as Helm'\''s templates see them, as JSON (credentials masked)' \
'lint:Lint Polyaxon values files for a target chart version' \
'explain:Explain a lint rule (code such as K005, or name such as unknown-key); without one, list them' \
'schema:Print a JSON Schema of a chart version'\''s values, for editors and CI validators' \
'migrate:Rewrite values files for a target chart version\: renames, moves, settings that left commented out with a note' \
'completions:Print a shell completion script (bash, zsh, fish, powershell, elvish)' \
'path:Print the path of this binary, for Helm 3'\''s \`--post-renderer "\$(helm polyaxon path)"\`' \
'man:Print the man page (roff)' \
'template:Run \`helm template\` with polyaxon-pr attached; values flags go to both' \
'install:Run \`helm install\` with polyaxon-pr attached; values flags go to both' \
'upgrade:Run \`helm upgrade\` with polyaxon-pr attached; values flags go to both' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'polyaxon-pr commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__completions_commands] )) ||
_polyaxon-pr__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr completions commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__explain_commands] )) ||
_polyaxon-pr__subcmd__explain_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr explain commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help_commands] )) ||
_polyaxon-pr__subcmd__help_commands() {
    local commands; commands=(
'values:Print the merged values as Helm'\''s templates see them, as JSON (credentials masked)' \
'lint:Lint Polyaxon values files for a target chart version' \
'explain:Explain a lint rule (code such as K005, or name such as unknown-key); without one, list them' \
'schema:Print a JSON Schema of a chart version'\''s values, for editors and CI validators' \
'migrate:Rewrite values files for a target chart version\: renames, moves, settings that left commented out with a note' \
'completions:Print a shell completion script (bash, zsh, fish, powershell, elvish)' \
'path:Print the path of this binary, for Helm 3'\''s \`--post-renderer "\$(helm polyaxon path)"\`' \
'man:Print the man page (roff)' \
'template:Run \`helm template\` with polyaxon-pr attached; values flags go to both' \
'install:Run \`helm install\` with polyaxon-pr attached; values flags go to both' \
'upgrade:Run \`helm upgrade\` with polyaxon-pr attached; values flags go to both' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'polyaxon-pr help commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__completions_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help completions commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__explain_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__explain_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help explain commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__help_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help help commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__install_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__install_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help install commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__lint_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__lint_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help lint commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__man_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help man commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__migrate_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__migrate_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help migrate commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__path_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__path_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help path commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__schema_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__schema_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help schema commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__template_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__template_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help template commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__upgrade_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__upgrade_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help upgrade commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__help__subcmd__values_commands] )) ||
_polyaxon-pr__subcmd__help__subcmd__values_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr help values commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__install_commands] )) ||
_polyaxon-pr__subcmd__install_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr install commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__lint_commands] )) ||
_polyaxon-pr__subcmd__lint_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr lint commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__man_commands] )) ||
_polyaxon-pr__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr man commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__migrate_commands] )) ||
_polyaxon-pr__subcmd__migrate_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr migrate commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__path_commands] )) ||
_polyaxon-pr__subcmd__path_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr path commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__schema_commands] )) ||
_polyaxon-pr__subcmd__schema_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr schema commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__template_commands] )) ||
_polyaxon-pr__subcmd__template_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr template commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__upgrade_commands] )) ||
_polyaxon-pr__subcmd__upgrade_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr upgrade commands' commands "$@"
}
(( $+functions[_polyaxon-pr__subcmd__values_commands] )) ||
_polyaxon-pr__subcmd__values_commands() {
    local commands; commands=()
    _describe -t commands 'polyaxon-pr values commands' commands "$@"
}

if [ "$funcstack[1]" = "_polyaxon-pr" ]; then
    _polyaxon-pr "$@"
else
    compdef _polyaxon-pr polyaxon-pr
fi
