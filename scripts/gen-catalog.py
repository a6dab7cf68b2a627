#!/usr/bin/env python3
"""Generates src/knowledge/catalog_data.rs: the knowledge of every Polyaxon
chart version and of Polyaxon's own deploy schema that the linter and the
post-renderer share, as static Rust tables (nothing is parsed at start-up).

Sources:
- the corpus (../shared/corpus; by default the copy in testdata/shared): values/defaults/values-<version>.yaml and
  manifest.tsv (every key each platform chart version's defaults set, its
  type and scalar default), template-keys-history.tsv (keys the templates
  read, which count as accepted even when the defaults omit them);
- catalog/agent/: the same for the agent chart (derived from polyaxon/charts);
- catalog/changes.yaml: renamed, moved and removed keys (hand-written from
  the chart references and migration notes);
- catalog/schema/<validator>.json: Polyaxon's deploy schema per validator
  version (scripts/extract-schema.py, from the real packages);
- the chart references in ../shared/seeds (likewise; v0.4, v0.5, v1): each key's
  description, for the values JSON Schema.

    scripts/gen-catalog.py [--corpus DIR] [--seeds DIR] [--check]

--check compares with the checked-in file instead of writing it (exit 1 on a
difference). Defaults of credential-like keys are not copied. Needs PyYAML,
which reads YAML as Helm does (YAML 1.1).
"""
import argparse
import csv
import json
import os
import re
import sys

import yaml

import testdata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "knowledge", "catalog_data.rs")
SENSITIVE = ("password", "secret", "token", "apikey", "cookie")
def read_validators():
    """[(validator, first chart version it judges)], newest first, from catalog/validators.tsv."""
    with open(os.path.join(ROOT, "catalog", "validators.tsv")) as f:
        return [(r["validator"], r["judges_from"]) for r in csv.DictReader(f, delimiter="\t")]


# Polyaxon's validators, each with the first chart version it judges.
VALIDATORS = read_validators()


def version_key(version):
    """`1.10.1`, `0.4.3rc1`, `2.0.0-rc5` -> (1, 10, 1): pre-release suffixes ignored."""
    return tuple(int(re.match(r"\d+", part).group()) for part in version.split(".")[:3])


def validator_of(version):
    return next(v for v, since in VALIDATORS if version_key(version) >= version_key(since))

# Maps whose keys are the user's own (annotations, labels, Kubernetes
# objects): nothing below them is judged by the chart's history.
FREEFORM = {
    "annotations", "labels", "nodeSelector", "affinity", "resources", "podAnnotations",
    "podLabels", "extraEnv", "env", "options",
}
# Sections handed to a subchart: only what changes.yaml and the chart's own
# template reads say is judged below them.
SUBCHARTS = {"postgresql", "redis", "rabbitmq", "rabbitmq-ha", "docker-registry"}


def type_of(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map" if value else "open"
    return "null"  # the defaults hold null: any type


def walk(node, prefix, out):
    for key, value in node.items():
        key = str(key)
        path = f"{prefix}{key}"
        if prefix == "" and key in SUBCHARTS:
            out[path] = ("subchart", None)
            # Keys the chart sets for its subchart are accepted in that version;
            # `enabled` is the parent chart's switch, whose default cross-field rules need.
            if isinstance(value, dict):
                walk(value, path + ".", out)
            continue
        kind = type_of(value)
        if key in FREEFORM and kind in ("map", "open"):
            kind = "open"
        default = value if kind in ("bool", "int", "float", "str") else None
        out[path] = (kind, default)
        if kind == "map":
            walk(value, path + ".", out)


def ranges(present):
    """[(first, last, type, default)] over consecutive version indexes with the same type and default."""
    out = []
    for i in sorted(present):
        kind, default = present[i]
        if out and out[-1][1] == i - 1 and out[-1][2] == kind and out[-1][3] == default:
            out[-1][1] = i
        else:
            out.append([i, i, kind, default])
    return out


def add_template_reads(keys, index, rows, objects):
    """Keys the templates read count as accepted where the defaults say
    nothing. A map the templates read itself (`toJson .Values.notifier`,
    `with .Values.proxy`) is handed on whole: kind `whole`, judged below by
    Polyaxon's schema, since the key history cannot see what is read from it.
    So is a key the templates read that defaults to nothing where Polyaxon's
    schema for that version declares an object (`artifactsStore`):
    `objects(version, path)` says so."""
    versions = {i: v for v, i in index.items()}
    for path, first, last in rows:
        last = last.replace("+head", "")
        if first not in index or last not in index:
            continue
        for i in range(index[first], index[last] + 1):
            present = keys.setdefault(path, {})
            kind, default = present.get(i, ("any", None))
            whole = kind in ("map", "open") or (kind in ("any", "null") and objects(versions[i], path))
            present[i] = ("whole", default) if whole else (kind, default)


def platform(corpus, objects, inferred, schema_paths):
    with open(os.path.join(corpus, "values/defaults/manifest.tsv")) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    vers = [(r["chart_version"], r["prerelease"] == "yes") for r in rows if "+" not in r["chart_version"]]
    index = {v: i for i, (v, _) in enumerate(vers)}
    keys = {}
    for i, (version, _) in enumerate(vers):
        with open(os.path.join(corpus, f"values/defaults/values-{version}.yaml")) as f:
            values = yaml.safe_load(f) or {}
        found = {}
        walk(values, "", found)
        for path, entry in found.items():
            keys.setdefault(path, {})[i] = entry
    with open(os.path.join(corpus, "template-keys-history.tsv")) as f:
        reads = [(r["key"], r["first_version"], r["last_version"]) for r in csv.DictReader(f, delimiter="\t")]
    add_template_reads(keys, index, reads, objects)
    removed = add_inferred(vers, keys, inferred, schema_paths)
    return vers, keys, removed


def agent(objects, inferred, schema_paths):
    base = os.path.join(ROOT, "catalog", "agent")
    with open(os.path.join(base, "manifest.tsv")) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    vers = [(r["version"], r["prerelease"] == "yes") for r in rows if "+" not in r["version"]]
    order = [r["version"] for r in rows]
    index = {v: i for i, (v, _) in enumerate(vers)}
    keys = {}
    with open(os.path.join(base, "key-history.tsv")) as f:
        # Defaults are JSON: keep their quotes.
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            kind = row["type"]
            path = row["key"]
            if path.split(".")[-1] in FREEFORM and kind in ("map", "open"):
                kind = "open"
            default = json.loads(row["default"]) if row["default"] else None
            default = default if kind in ("bool", "int", "float", "str") else None
            first, last = order.index(row["first_version"]), order.index(row["last_version"])
            for v in order[first:last + 1]:
                if v in index:
                    keys.setdefault(path, {})[index[v]] = (kind, default)
    # Below a free-form map, the chart's example entries are not keys.
    for path in [p for p in keys if any(keys.get(parent, {}).get(i, ("", None))[0] == "open" for parent in prefixes(p) for i in keys[p])]:
        del keys[path]
    with open(os.path.join(base, "template-keys.tsv")) as f:
        reads = [(r["key"], r["first_version"], r["last_version"]) for r in csv.DictReader(f, delimiter="\t") if "[]" not in r["key"]]
    add_template_reads(keys, index, reads, objects)
    removed = add_inferred(vers, keys, inferred, schema_paths)
    return vers, keys, removed


def add_inferred(vers, keys, inferred, schema_paths):
    """Appends the chart versions known by inference (catalog/inferred.yaml):
    each is its base version's keys, minus those whose place Polyaxon's
    deploy schema for it no longer has. Returns {(path, version)} removed."""
    removed_at = {}
    for entry in inferred:
        version, base = entry["version"], entry["base"]
        index = {v: i for i, (v, _) in enumerate(vers)}
        if base not in index:
            sys.exit(f"catalog/inferred.yaml: {version}: unknown base {base}")
        b, i = index[base], len(vers)
        vers.append((version, False))
        old, new = schema_paths[validator_of(base)], schema_paths[validator_of(version)]
        gone = {p for p in old - new if "[]" not in p and "*" not in p}
        # The outermost of them: `rabbitmq`, not each of its fields.
        gone = {p for p in gone if not any(q in gone for q in prefixes(p))}
        for path in gone:
            removed_at.setdefault(path, version)
        for path, present in keys.items():
            if b not in present or any(path == p or path.startswith(p + ".") for p in gone):
                continue
            kind, default = present[b]
            # An image tag that followed the base's version follows this one.
            present[i] = (kind, version if path.endswith("imageTag") and default == base else default)
    return removed_at


def prefixes(path):
    parts = path.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def flatten_schema(node, path, out, definitions, stack=()):
    """(path, entry) rows: object fields joined by `.`, list items as `[]`,
    map values as `*`. Kubernetes models are expanded from "definitions"
    (the 2.x validator checks them at every depth); a class the 1.x
    validators construct with the mapping as keyword arguments has its
    arguments as fields, with values left unchecked."""
    ref = node.get("ref") or next((a["ref"] for a in node.get("anyOf", []) if a.get("ref")), None)
    # A Kubernetes model the validator's kubernetes package leaves unchecked
    # ("opaque": 2.18.0 pins kubernetes<37) is checked as Kubernetes defines it.
    opaque = next((a["class"] for a in node.get("anyOf", []) if a.get("opaque")), None)
    if not ref and opaque in KUBERNETES:
        ref, definitions = opaque, {**KUBERNETES, **definitions}
    if ref in definitions and ref not in stack:
        node = {**node, **definitions[ref], "nullable": node.get("nullable", True)}
        stack = stack + (ref,)
    elif ref:
        node = {**node, "type": "dict"}
    if "one_of" in node:
        # One of several schemas, picked by another key (a connection's kind): not judged.
        node = {**node, "type": "dict"}
    if "constructor_fields" in node:
        node = {**node, "type": "object", "fields": node["constructor_fields"], "extra": "forbid"}
    kind = node.get("type", "any")
    if path:
        out.append((path, entry_of(node)))
    if kind == "object":
        for name, child in sorted((node.get("fields") or {}).items()):
            flatten_schema(child, f"{path}.{name}" if path else name, out, definitions, stack)
            for alias in child.get("also_accepts", []):
                out.append((f"{path}.{alias}" if path else alias, {**entry_of(child), "alias": name}))
    items = node.get("items")
    if isinstance(items, dict):
        flatten_schema(items, f"{path}[]", out, definitions, stack)
    values = node.get("values")
    if isinstance(values, dict) and (values.get("type") == "object" or values.get("ref") or values.get("type") in ("str", "int", "float", "bool")):
        # A map's values are not nullable unless the schema says so (Dict[str, str]).
        flatten_schema({**values, "nullable": values.get("nullable", False)}, f"{path}.*", out, definitions, stack)


def entry_of(node):
    kind = node.get("type", "any")
    # IntOrStr, FloatOrStr and the like: any one value, not a list or a mapping.
    if kind == "any" and node.get("anyOf") and all(a.get("type") in ("int", "float", "str", "bool") for a in node["anyOf"]):
        kind = "scalar"
    return {
        "type": kind,
        "strict": bool(node.get("strict")),
        "nullable": node.get("nullable", True) is not False,
        "enum": [str(e) for e in node.get("enum", []) if e is not None],
        "extra": node.get("extra") or "forbid",
        "crashes": bool(node.get("crashes_validator")),
    }


# Kubernetes's own models as the newest validator that checks them defines them.
KUBERNETES = {}


def schemas():
    """Each validator's schema as rows. Kubernetes's own models (affinity,
    tolerations, resources) are the same whichever validator embeds them:
    one whose kubernetes package does not check them gets the newest
    definitions another validator's package has."""
    data_of = {}
    for version, _ in VALIDATORS:
        with open(os.path.join(ROOT, "catalog", "schema", f"{version}.json")) as f:
            data_of[version] = json.load(f)
    for version, _ in reversed(VALIDATORS):
        KUBERNETES.update(data_of[version].get("definitions", {}))
    out = {}
    for version, _ in VALIDATORS:
        data = data_of[version]
        rows = []
        flatten_schema(data["root"], "", rows, data.get("definitions", {}))
        seen = {}
        for path, entry in rows:
            seen.setdefault(path, entry)
        out[version] = (data["root"].get("agent_rejects", []), sorted(seen.items()))
    return out


def descriptions(seeds, corpus):
    """{key: description} from the chart references (seeds): the v1
    reference over v0.5's README over v0.4's reference."""
    out = {}
    for name in ("helm-reference-v0.4.md", "chart-readme-v0.5.md"):
        with open(os.path.join(seeds, name), encoding="utf-8") as f:
            for line in f:
                cells = [c.strip() for c in line.split("|")]
                if len(cells) >= 3 and cells[1].startswith("`") and cells[1].endswith("`") and cells[2]:
                    out[cells[1].strip("`")] = " ".join(cells[2].split())
    # v1: plain text rows "key description default" below each "Parameter Description Default".
    with open(os.path.join(corpus, "values/defaults/values-1.20.0.yaml")) as f:
        v1_defaults = {p: v for p, v in flat(yaml.safe_load(f) or {})}
    with open(os.path.join(seeds, "helm-reference-v1.txt"), encoding="utf-8") as f:
        rows, in_table = [], False
        for line in f:
            line = line.strip()
            if line.startswith("Parameter Description Default"):
                in_table = True
            elif not line:
                in_table = False
            elif in_table:
                rows.append(line)
    for row in rows:
        key, _, rest = row.partition(" ")
        if not any(c.isalpha() for c in key) or not rest:
            continue
        default = v1_defaults.get(key)
        if isinstance(default, bool):
            shown = "true" if default else "false"
        elif isinstance(default, (dict, list)):
            shown = json.dumps(default)
        else:
            shown = None if default is None else str(default)
        words = rest.split()
        # The default column: the key's 1.x default, or a literal.
        if len(words) > 1 and (words[-1] == shown or re.fullmatch(r"true|false|null|\{\}|\[\]|-?[0-9.]+[a-zA-Z]*|latest|kubernetes|UTC", words[-1])):
            words = words[:-1]
        out[key] = " ".join(words)
    return out


def flat(node, prefix=""):
    for k, v in node.items():
        yield f"{prefix}{k}", v
        if isinstance(v, dict):
            yield from flat(v, f"{prefix}{k}.")


def rust_str(s):
    return json.dumps(s, ensure_ascii=False)


# An image tag whose default is the chart's own version.
CHART_VERSION = object()


def rust_default(path, default):
    if default is None:
        return "D::None"
    if default is CHART_VERSION:
        return "D::ChartVersion"
    if any(w in path.rsplit(".", 1)[-1].lower() for w in SENSITIVE):
        return "D::Hidden"
    if isinstance(default, bool):
        return f"D::Bool({'true' if default else 'false'})"
    if isinstance(default, int):
        return f"D::Int({default})"
    if isinstance(default, float):
        return f"D::Float({default!r})"
    return f"D::Str({rust_str(default)})"


def rust_catalog(name, vers, keys, inferred):
    out = [f"pub static {name}: CatalogData = CatalogData {{"]
    out.append("    versions: &[" + ", ".join(rust_str(v) for v, _ in vers) + "],")
    out.append("    prereleases: &[" + ", ".join(rust_str(v) for v, pre in vers if pre) + "],")
    out.append("    inferred: &[" + ", ".join(f"({rust_str(e['version'])}, {rust_str(' '.join(e['source'].split()))})" for e in inferred) + "],")
    out.append("    keys: &[")
    for path in sorted(keys):
        present = keys[path]
        # Most image tags follow the chart's version: one range, not one per version.
        if path.endswith("imageTag"):
            present = {i: (kind, CHART_VERSION if d == vers[i][0] else d) for i, (kind, d) in present.items()}
        rs = ", ".join(f"Range({a}, {b}, Kind::{k.capitalize()}, {rust_default(path, d)})" for a, b, k, d in ranges(present))
        out.append(f"        ({rust_str(path)}, &[{rs}]),")
    out.append("    ],")
    out.append("};")
    return out


def rust(platform_data, agent_data, changes, schema_rows, described, inferred):
    out = [
        "// @generated by scripts/gen-catalog.py from the corpus, catalog/agent and catalog/schema; do not edit by hand.",
        "",
        "use super::catalog::{CatalogData, Change, ChangeKind, DefaultValue as D, Kind, Range};",
        "use super::deploy_schema::{entry, Extra as X, SType as T, SchemaData};",
        "",
    ]
    out += rust_catalog("PLATFORM", *platform_data, inferred["platform"])
    out += rust_catalog("AGENT", *agent_data, inferred["agent"])
    out.append("pub static CHANGES: &[Change] = &[")
    for c in changes:
        opt = lambda v: f"Some({rust_str(v)})" if v is not None else "None"
        out.append(
            f"    Change {{ key: {rust_str(c['key'])}, kind: ChangeKind::{c['kind'].capitalize()}, to: {opt(c.get('to'))}, "
            f"since: {rust_str(c['since'])}, note: {opt(c.get('note'))}, validator_rejects: {'true' if c.get('validator_rejects') else 'false'} }},"
        )
    out.append("];")
    out.append("pub static DESCRIPTIONS: &[(&str, &str)] = &[")
    known = set(platform_data[1]) | set(agent_data[1])
    fixed = {}
    for key, text in described.items():
        # The references capitalise some keys (DeploymentType).
        key = key if key in known else key[:1].lower() + key[1:]
        if key in known:
            fixed[key] = text
    for key in sorted(fixed):
        out.append(f"    ({rust_str(key)}, {rust_str(fixed[key])}),")
    out.append("];")
    out.append("pub static SCHEMAS: &[SchemaData] = &[")
    judges_from = dict(VALIDATORS)
    for version, (agent_rejects, rows) in schema_rows.items():
        rejects = ", ".join(rust_str(k) for k in agent_rejects)
        out.append(
            f"    SchemaData {{ validator: {rust_str(version)}, judges_from: {rust_str(judges_from[version])}, agent_rejects: &[{rejects}], entries: &["
        )
        for path, e in rows:
            enum = ", ".join(rust_str(v) for v in e["enum"])
            alias = f"Some({rust_str(e['alias'])})" if e.get("alias") else "None"
            flags = (1 if e["strict"] else 0) | (2 if e["nullable"] else 0) | (4 if e["crashes"] else 0)
            out.append(f"        ({rust_str(path)}, entry(T::{e['type'].capitalize()}, {flags}, &[{enum}], X::{e['extra'].capitalize()}, {alias})),")
        out.append("    ] },")
    out.append("];")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=os.environ.get("POLYAXON_CORPUS"))
    parser.add_argument("--seeds", default=os.environ.get("POLYAXON_SEEDS"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    args.corpus = args.corpus or testdata.shared("corpus")
    args.seeds = args.seeds or testdata.shared("seeds")
    schema_rows = schemas()
    types = {v: {path: e["type"] for path, e in rows} for v, (_, rows) in schema_rows.items()}
    schema_paths = {v: set(t) for v, t in types.items()}
    objects = lambda version, path: types[validator_of(version)].get(path) == "object"
    with open(os.path.join(ROOT, "catalog", "inferred.yaml")) as f:
        inferred = yaml.safe_load(f)
    *platform_data, platform_removed = platform(args.corpus, objects, inferred["platform"], schema_paths)
    *agent_data, _ = agent(objects, inferred["agent"], schema_paths)
    with open(os.path.join(ROOT, "catalog", "changes.yaml")) as f:
        changes = yaml.safe_load(f)
    # What a new Polyaxon release removed from its schema and changes.yaml does not say yet.
    for path, since in sorted(platform_removed.items()):
        if not any(c["key"] == path for c in changes):
            changes.append({"key": path, "kind": "removed", "since": since, "validator_rejects": True,
                            "note": f"Polyaxon {since}'s deploy schema no longer has it (the {since} chart is not public: inferred)"})
    index = {v for v, _ in platform_data[0]}
    for change in changes:
        if change["since"] not in index:
            sys.exit(f"changes.yaml: {change['key']}: unknown version {change['since']}")
    text = rust(platform_data, agent_data, changes, schema_rows, descriptions(args.seeds, args.corpus), inferred)
    if args.check:
        with open(OUT) as f:
            if f.read() != text:
                sys.exit("src/knowledge/catalog_data.rs is out of date: run scripts/gen-catalog.py")
        return
    with open(OUT, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
