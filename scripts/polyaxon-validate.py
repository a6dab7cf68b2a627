#!/usr/bin/env python3
"""Runs Polyaxon's own deployment-config validator over values files and
prints one JSON line per file:

    {"path": ..., "accepted": true|false, "errors": [{"loc": "email.port", "type": ..., "msg": ...}]}

`loc` is the dotted data key of each error ("" for whole-file rules), `msg` is
at most 300 characters and never holds the value of a key whose name contains
password/secret/token.

Whichever validator the running interpreter can import is used:

    polyaxon 2.x          polyaxon._deploy.schemas.deployment.DeploymentConfig.read (pydantic)
    polyaxon 1.x          polyaxon.deploy.schemas.deployment.DeploymentConfig.read  (marshmallow)
    polyaxon-deploy 0.x   polyaxon_deploy.reader.read([path])                       (marshmallow 3.0.0rc5)

Run it with a venv's Python (scripts/setup-venvs.sh makes them), or pass
`--validator 1.20.0` to re-run itself under .cache/venv/polyaxon-1.20.0. With
no flag and nothing importable, it falls back to .cache/venv/polyaxon-2.15.1
if that exists (so `python3 scripts/polyaxon-validate.py FILES` keeps working).

Error `type`: pydantic's own error types for 2.x (extra_forbidden, int_type,
value_error, ...). For marshmallow (1.x, 0.6.1): unknown_field, invalid_type,
one_of, required, null, schema (a cross-field rule, loc of its object) or
validation_error. Files that cannot be read at all (empty, `{}`, bad YAML,
missing) give one error of type SchemaError with loc "".

Options:
    --validator V      a validator of catalog/validators.tsv (2.18.0, 2.15.1, ...): run under its venv
    --files-from F     read more paths from F, one per line ("-" for stdin)
    --which            print the validator in use (e.g. "polyaxon 1.20.0") and exit
    --fast-yaml        let the validator parse YAML with libyaml (yaml.CSafeLoader) instead of
                       PyYAML's pure-Python SafeLoader: about 3x faster. Verdicts and error locs
                       were identical on the corpus; only messages about malformed YAML can differ.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
def read_venvs():
    """validator -> venv, from catalog/validators.tsv (the one list of them)."""
    with open(os.path.join(ROOT, "catalog", "validators.tsv")) as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    return {row[0]: row[4] for row in rows if row and row[0]}


VENVS = read_venvs()
DEFAULT_VENV = "2.15.1"
REEXEC_ENV = "POLYAXON_VALIDATE_REEXEC"
MSG_LIMIT = 300
SENSITIVE_KEY = re.compile(r"password|secret|token", re.IGNORECASE)


def usage_error(msg):
    sys.stderr.write("polyaxon-validate: %s\n" % msg)
    sys.exit(2)


def parse_args(argv):
    validator, files_from, which, fast, paths = None, [], False, False, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            paths.extend(argv[i + 1:])
            break
        if a in ("--validator", "--files-from"):
            if i + 1 >= len(argv):
                usage_error("%s needs a value" % a)
            if a == "--validator":
                validator = argv[i + 1]
            else:
                files_from.append(argv[i + 1])
            i += 2
            continue
        if a.startswith("--validator="):
            validator = a.split("=", 1)[1]
        elif a.startswith("--files-from="):
            files_from.append(a.split("=", 1)[1])
        elif a == "--which":
            which = True
        elif a == "--fast-yaml":
            fast = True
        elif a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            sys.exit(0)
        else:
            paths.append(a)
        i += 1
    return validator, which, fast, paths, files_from


def read_lists(files_from):
    """Paths listed in files ("-": stdin), read only after any re-exec, which would lose stdin."""
    paths = []
    for f in files_from:
        stream = sys.stdin if f == "-" else open(f)
        paths.extend(line.rstrip("\n") for line in stream if line.strip())
    return paths


def use_libyaml():
    """Every validator reads files with yaml.safe_load (clipped/polyaxon ConfigSpec, rhea)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        yaml.safe_load = lambda stream: yaml.load(stream, Loader=loader)


def venv_python(version):
    name = VENVS.get(version) or (version if version in VENVS.values() else None)
    if name is None:
        usage_error("unknown validator %r (known: %s)" % (version, ", ".join(VENVS)))
    return os.path.join(ROOT, ".cache", "venv", name, "bin", "python"), name


def reexec(python, name):
    if not os.path.exists(python):
        usage_error("%s is missing: run scripts/setup-venvs.sh --only %s" % (os.path.dirname(os.path.dirname(python)), name))
    env = dict(os.environ)
    env[REEXEC_ENV] = "1"
    sys.stdout.flush()
    os.execve(python, [python, os.path.abspath(__file__)] + sys.argv[1:], env)


def load_validator():
    """(label, read(path), kind) for the first validator this interpreter can import."""
    try:
        from polyaxon._deploy.schemas.deployment import DeploymentConfig
        from polyaxon import pkg

        return "polyaxon " + pkg.VERSION, DeploymentConfig.read, "pydantic"
    except ImportError:
        pass
    try:
        from polyaxon.deploy.schemas.deployment import DeploymentConfig
        from polyaxon import pkg

        return "polyaxon " + pkg.VERSION, DeploymentConfig.read, "marshmallow"
    except ImportError:
        pass
    try:
        from polyaxon_deploy import reader

        return "polyaxon-deploy " + dist_version("polyaxon-deploy"), lambda path: reader.read([path]), "marshmallow"
    except ImportError:
        pass
    return None


def dist_version(name):
    try:
        import pkg_resources

        return pkg_resources.get_distribution(name).version
    except Exception:
        return "?"


# ---- errors -----------------------------------------------------------------

def marshmallow_type(msg, schema_level):
    if schema_level:
        return "schema"
    if msg == "Unknown field.":
        return "unknown_field"
    if msg == "Missing data for required field.":
        return "required"
    if msg == "Field may not be null.":
        return "null"
    if msg.startswith("Not a valid"):
        return "invalid_type"
    if msg.startswith("Must be one of"):
        return "one_of"
    return "validation_error"


def flatten_messages(messages, prefix=()):
    """marshmallow's nested ValidationError.messages -> [(loc parts, msg, schema_level)]."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                for parts, msg, _ in flatten_messages(value, prefix):
                    out.append((parts, msg, True))
            else:
                out.extend(flatten_messages(value, prefix + (str(key),)))
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            out.extend(flatten_messages(item, prefix))
    else:
        out.append((prefix, str(messages), False))
    return out


def raw_errors(exc, kind):
    """[(loc, type, msg)] for one exception raised by the validator."""
    if kind == "pydantic" and hasattr(exc, "errors") and callable(exc.errors):
        return [(".".join(str(p) for p in err.get("loc", ())), err.get("type", ""), str(err.get("msg", ""))) for err in exc.errors()]
    messages = getattr(exc, "messages", None)
    if kind == "marshmallow" and messages is not None and type(exc).__name__ == "ValidationError":
        if not isinstance(messages, (dict, list)):
            messages = [messages]
        # sorted: marshmallow finds unknown keys by set difference, so its own order changes with the hash seed
        return sorted((".".join(parts), marshmallow_type(msg, schema_level), msg) for parts, msg, schema_level in flatten_messages(messages))
    name = type(exc).__name__
    if name in ("PolyaxonSchemaError", "RheaError", "YAMLError") or "yaml" in type(exc).__module__:
        name = "SchemaError"  # the file could not be read (same name as 2.x's SchemaError)
    return [("", name, str(exc))]


# ---- redaction ---------------------------------------------------------------

def _scalars(value, out):
    if isinstance(value, dict):
        for v in value.values():
            _scalars(v, out)
    elif isinstance(value, list):
        for v in value:
            _scalars(v, out)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, (int, float)):
        if len(str(value)) >= 4:  # passwordLength: 8 is no secret; a numeric password is
            out.add(str(value))
    else:
        s = str(value)
        if s.strip():
            out.add(s)


def _walk(value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and SENSITIVE_KEY.search(k):
                _scalars(v, out)
            else:
                _walk(v, out)
    elif isinstance(value, list):
        for v in value:
            _walk(v, out)


LINE_KV = re.compile(r"""^\s*(?:-\s+)?["']?([^\s:"'#]+)["']?\s*:\s*(.*)$""")


def sensitive_values(path):
    """Every value in the file under a key named like password/secret/token:
    from the parsed YAML, and from a line scan (for files YAML cannot parse)."""
    out = set()
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except Exception:
        return out
    if not SENSITIVE_KEY.search(text):
        return out
    try:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        for doc in yaml.load_all(text, Loader=loader):
            _walk(doc, out)
    except Exception:
        pass
    for line in text.splitlines():
        m = LINE_KV.match(line)
        if not m or not SENSITIVE_KEY.search(m.group(1)):
            continue
        value = re.sub(r"\s+#.*$", "", m.group(2)).strip()
        value = value.strip("\"'").strip()  # also an unterminated quote, which is why YAML failed
        if value and value not in ("|", ">", "|-", ">-", "[]", "{}", "null", "~", "true", "false"):
            out.add(value)
    return out


def redact(msg, path, secrets):
    if not secrets:
        return msg
    placeholder = "\x00PATH\x00"
    msg = msg.replace(path, placeholder)  # a file path is no secret, keep it readable
    for s in sorted(secrets, key=len, reverse=True):
        if len(s) >= 4:
            msg = msg.replace(s, "***")
        else:
            msg = re.sub(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(s), "***", msg)
    return msg.replace(placeholder, path)


OBJECT_REPR = re.compile(r"<[\w.]+ object at 0x[0-9a-fA-F]+>")


def validate(path, read, kind):
    try:
        read(path)
        return {"path": path, "accepted": True, "errors": []}
    except Exception as e:  # pydantic/marshmallow ValidationError, or a SchemaError for unreadable files
        raw = raw_errors(e, kind)
    secrets = sensitive_values(path)
    errors = []
    for loc, kind_, msg in raw:
        msg = OBJECT_REPR.sub(path, msg)  # rhea names the file as `<rhea.config.ConfigSpec object at 0x...>`
        msg = redact(msg, path, secrets)
        errors.append({"loc": loc, "type": kind_, "msg": msg[:MSG_LIMIT]})
    return {"path": path, "accepted": False, "errors": errors}


def main():
    validator, which, fast, paths, files_from = parse_args(sys.argv[1:])
    if validator is not None and os.environ.get(REEXEC_ENV) != "1":
        python, name = venv_python(validator)
        if os.path.realpath(sys.prefix) != os.path.realpath(os.path.dirname(os.path.dirname(python))):
            reexec(python, name)
    loaded = load_validator()
    if loaded is None:
        if os.environ.get(REEXEC_ENV) == "1":
            usage_error("no Polyaxon validator importable in %s" % sys.executable)
        python, name = venv_python(DEFAULT_VENV)
        if os.path.exists(python):
            reexec(python, name)
        usage_error("no Polyaxon validator importable in %s; run scripts/setup-venvs.sh and use --validator VERSION" % sys.executable)
    label, read, kind = loaded
    if fast:
        use_libyaml()
    if validator is not None and not label.endswith(" " + validator) and not label.endswith(" " + validator.rsplit("-", 1)[-1]):
        usage_error("asked for %s, but this interpreter has %s" % (validator, label))
    if which:
        print(label)
        return
    paths += read_lists(files_from)
    # Polyaxon 2.x prints a header ("Deployment has agent enabled!") for some files; keep stdout JSON only.
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        for path in paths:
            line = json.dumps(validate(path, read, kind))
            real_stdout.write(line + "\n")
            real_stdout.flush()
    finally:
        sys.stdout = real_stdout


if __name__ == "__main__":
    main()
