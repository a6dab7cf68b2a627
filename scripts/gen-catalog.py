#!/usr/bin/env python3
"""Generates src/knowledge/catalog_data.rs, the knowledge of every Polyaxon
chart version that the linter and the post-renderer share, as static Rust
tables (nothing is parsed at start-up), from the corpus:

- values/defaults/values-<version>.yaml and manifest.tsv: every key each
  version's defaults set, its type and (for scalars) its default value;
- template-keys-history.tsv: keys the templates read, which count as accepted
  even when the defaults omit them (for example dns.backend in 0.4 to 1.x);
- catalog/changes.yaml: renamed, moved and removed keys (hand-written);
- catalog/types.yaml: types of keys whose default is null (from Polyaxon's schema).

    scripts/gen-catalog.py [--corpus DIR] [--check]

--check compares with the checked-in file instead of writing it (exit 1 on a
difference). Defaults of credential-like keys are not copied. Needs PyYAML, which reads YAML as Helm does (YAML 1.1).
"""
import argparse
import csv
import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "knowledge", "catalog_data.rs")
SENSITIVE = ("password", "secret", "token", "apikey", "cookie")

# Maps whose keys are the user's own (annotations, labels, Kubernetes
# objects): nothing below them is judged.
FREEFORM = {
    "annotations", "labels", "nodeSelector", "affinity", "resources", "podAnnotations",
    "podLabels", "extraEnv", "env", "options",
}
# Sections handed to a subchart: only what changes.yaml says is judged below them.
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
    return "any"  # null: the chart sets no type


def walk(node, prefix, out):
    for key, value in node.items():
        key = str(key)
        path = f"{prefix}{key}"
        if prefix == "" and key in SUBCHARTS:
            out[path] = ("subchart", None)
            # `enabled` is the parent chart's switch; cross-field rules need its default.
            if isinstance(value, dict) and isinstance(value.get("enabled"), bool):
                out[path + ".enabled"] = ("bool", value["enabled"])
            continue
        kind = type_of(value)
        if key in FREEFORM and kind in ("map", "open"):
            kind = "open"
        default = value if kind in ("bool", "int", "float", "str") else None
        out[path] = (kind, default)
        if kind == "map":
            walk(value, path + ".", out)


def versions(corpus):
    """(version, prerelease) in release order, from the manifest."""
    with open(os.path.join(corpus, "values/defaults/manifest.tsv")) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [(r["chart_version"], r["prerelease"] == "yes") for r in rows if "+" not in r["chart_version"]]


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


def build(corpus):
    vers = versions(corpus)
    index = {v: i for i, (v, _) in enumerate(vers)}
    keys = {}
    for i, (version, _) in enumerate(vers):
        with open(os.path.join(corpus, f"values/defaults/values-{version}.yaml")) as f:
            values = yaml.safe_load(f) or {}
        found = {}
        walk(values, "", found)
        for path, entry in found.items():
            keys.setdefault(path, {})[i] = entry
    # Template reads: accepted across [first, last] where the defaults do not say more.
    with open(os.path.join(corpus, "template-keys-history.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            first, last = row["first_version"], row["last_version"].replace("+head", "")
            if first not in index or last not in index:
                continue
            path = row["key"]
            if path.split(".")[0] in SUBCHARTS and "." in path:
                continue
            for i in range(index[first], index[last] + 1):
                keys.setdefault(path, {}).setdefault(i, ("any", None))
    with open(os.path.join(ROOT, "catalog", "types.yaml")) as f:
        declared = yaml.safe_load(f)
    for pattern, kind in declared.items():
        parts = pattern.split(".")
        matched = [k for k in keys if len(k.split(".")) == len(parts) and all(p in ("*", s) for p, s in zip(parts, k.split(".")))]
        if not matched:
            sys.exit(f"types.yaml: {pattern} matches no key")
        for path in matched:
            for i, (k, default) in keys[path].items():
                if k == "any" or (kind == "loose" and k in ("map", "open")):
                    keys[path][i] = (kind, default)
    with open(os.path.join(ROOT, "catalog", "changes.yaml")) as f:
        changes = yaml.safe_load(f)
    for change in changes:
        if change["since"] not in index:
            sys.exit(f"changes.yaml: {change['key']}: unknown version {change['since']}")
    return {
        "comment": "Generated by scripts/gen-catalog.py from the corpus; do not edit by hand.",
        "versions": [v for v, _ in vers],
        "prereleases": [v for v, pre in vers if pre],
        "keys": {path: ranges(present) for path, present in sorted(keys.items())},
        "changes": changes,
    }


def rust_str(s):
    return json.dumps(s, ensure_ascii=False)


def rust_default(path, kind, default):
    if default is None:
        return "D::None"
    if any(w in path.rsplit(".", 1)[-1].lower() for w in SENSITIVE):
        return "D::Hidden"
    if isinstance(default, bool):
        return f"D::Bool({'true' if default else 'false'})"
    if isinstance(default, int):
        return f"D::Int({default})"
    if isinstance(default, float):
        return f"D::Float({default!r})"
    return f"D::Str({rust_str(default)})"


def rust(catalog):
    out = ["// @generated by scripts/gen-catalog.py from the corpus; do not edit by hand.", "",
           "use super::catalog::{Change, ChangeKind, Default as D, Kind, Range};", ""]
    out.append("pub static VERSIONS: &[&str] = &[" + ", ".join(rust_str(v) for v in catalog["versions"]) + "];")
    out.append("pub static PRERELEASES: &[&str] = &[" + ", ".join(rust_str(v) for v in catalog["prereleases"]) + "];")
    out.append("/// Every key any version knows, sorted, with the version ranges that know it.")
    out.append("pub static KEYS: &[(&str, &[Range])] = &[")
    for path in sorted(catalog["keys"]):
        ranges = ", ".join(f"Range({a}, {b}, Kind::{k.capitalize()}, {rust_default(path, k, d)})" for a, b, k, d in catalog["keys"][path])
        out.append(f"    ({rust_str(path)}, &[{ranges}]),")
    out.append("];")
    out.append("pub static CHANGES: &[Change] = &[")
    for c in catalog["changes"]:
        opt = lambda v: f"Some({rust_str(v)})" if v is not None else "None"
        out.append(f"    Change {{ key: {rust_str(c['key'])}, kind: ChangeKind::{c['kind'].capitalize()}, to: {opt(c.get('to'))}, since: {rust_str(c['since'])}, note: {opt(c.get('note'))}, validator_rejects: {'true' if c.get('validator_rejects') else 'false'} }},")
    out.append("];")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=os.environ.get("POLYAXON_CORPUS", os.path.join(ROOT, "..", "shared", "corpus")))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = rust(build(args.corpus))
    if args.check:
        with open(OUT) as f:
            if f.read() != text:
                sys.exit("src/knowledge/catalog_data.rs is out of date: run scripts/gen-catalog.py")
        return
    with open(OUT, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
