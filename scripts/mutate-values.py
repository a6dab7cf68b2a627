#!/usr/bin/env python3
"""Generates the cases of the linter's agreement test (tests/agreement.rs):
values files made from real ones (the corpus defaults of each validator's
chart version, the corpus render variants and CI files, the lint fixtures),
each changed in one way, for Polyaxon's validators and the linter to judge.

    scripts/mutate-values.py --out DIR [--corpus DIR] [--seed N] [--scale F]

Writes DIR/<validator>/<case>.yaml and DIR/manifest.jsonl, one line per case:

    {"id", "file", "validator", "target", "base", "kind", "paths", "neutral", "source"}

`base` is the case the change was made to (bases are cases too, kind
"base", with the file they came from as `source`); `paths` are the dotted
keys the change touched (for a base, the keys cleaning removed); `neutral` changes
(reordering, comments, quoting, flow style, CRLF, anchors, merge keys) must
not change any verdict.

Bases are cleaned first: externalServices entries with every field null
(the chart's defaults have them; Polyaxon counts them as configured, the
chart does not) and then every key the validator itself rejects are
removed, so each base is accepted (or rejected only by whole-file rules)
and a change's verdict is what the change alone brings. The keys removed
are recorded as the base's `paths`; the test pins them. Deterministic for a given seed. Needs PyYAML (the tools venv).
"""
import argparse
import csv
from copy import deepcopy
import glob
import json
import os
import random
import re
import subprocess
import sys

import testdata

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VALIDATE = os.path.join(ROOT, "scripts", "polyaxon-validate.py")

# validator -> (chart version linted against, base files relative to the corpus, share of cases)
# "@path": a project file; "agent:V": the agent chart's defaults at V (from
# catalog/agent), "agent+path": a corpus file for the agent chart.
PLAN = {
    "2.18.0": (
        "2.18.0",
        ["values/defaults/values-2.15.1.yaml", "rendered/v2.15.1/*.values.yaml", "@testdata/lint/*-2.15.1.yaml", "agent:2.15.1", "agent+rendered/agent-2.15.1/*.values.yaml"],
        1.0,
    ),
    "2.15.1": (
        "2.15.1",
        ["values/defaults/values-2.15.1.yaml", "rendered/v2.15.1/*.values.yaml", "@testdata/lint/*-2.15.1.yaml", "agent:2.15.1", "agent+rendered/agent-2.15.1/*.values.yaml"],
        1.0,
    ),
    "1.20.0": ("1.20.0", ["values/defaults/values-1.20.0.yaml", "values/ci/*@1.21.0-*.yml", "rendered/v1.10.1/*.values.yaml", "agent:1.20.0"], 0.6),
    "1.14.3": ("1.14.3", ["values/defaults/values-1.14.3.yaml", "values/ci/*@1.1.0-*.yml", "rendered/v1.10.1/*.values.yaml"], 0.6),
    "0.6.1": ("0.6.1", ["values/defaults/values-0.6.1.yaml", "values/ci/*@0.5.0-*.yml", "rendered/v0.5.6/*.values.yaml"], 0.4),
}
# Older and newer defaults, for keys put back or brought forward.
NEIGHBOURS = {"2.18.0": ["2.15.1", "1.20.0", "1.10.1"], "2.15.1": ["1.20.0", "1.10.1", "0.6.1"], "1.20.0": ["1.10.1", "0.6.1", "2.15.1"], "1.14.3": ["0.6.1", "1.20.0", "2.15.1"], "0.6.1": ["0.4.4", "1.14.3"]}
CASES_PER_BASE_KIND = 26  # mutations of each kind per full-size base, scaled by PLAN and --scale
NEUTRAL = ["reorder", "comments", "quote", "flow", "crlf", "anchor", "merge"]
MUTATIONS = ["typo", "wrong_type", "null", "quoted_scalar", "enum", "old_key", "other_version_key", "cross"]


def run_validator(validator, paths):
    out = subprocess.run(
        [sys.executable, VALIDATE, "--validator", validator, "--fast-yaml", "--files-from", "-"],
        input="\n".join(paths) + "\n", capture_output=True, text=True, check=True,
    )
    return [json.loads(line) for line in out.stdout.splitlines()]


# ---- trees ---------------------------------------------------------------------

def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def find_key(mapping, segment):
    """The key of `mapping` a validator loc segment names (pydantic reports
    Kubernetes fields by attribute name: pod_affinity for podAffinity)."""
    for key in mapping:
        if str(key) == segment or snake(str(key)) == segment:
            return key
    return None


def remove_loc(tree, loc):
    parts, node = loc.split("."), tree
    for i, part in enumerate(parts):
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return False
            if i == len(parts) - 1:
                del node[int(part)]
                return True
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            return False
        key = find_key(node, part)
        if key is None:
            return False
        if i == len(parts) - 1:
            del node[key]
            return True
        node = node[key]
    return False


def walk(node, path=()):
    """(path, value) for every node below the root; list items by index."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield path + (k,), v
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def dotted(path):
    out = []
    for p in path:
        if isinstance(p, int):
            out[-1] += "[]"
        else:
            p = str(p)
            out.append(f'"{p}"' if "." in p else p)
    return ".".join(out)


def get(tree, path):
    for p in path:
        tree = tree[p]
    return tree


def set_at(tree, path, value):
    for p in path[:-1]:
        tree = tree.setdefault(p, {}) if isinstance(tree, dict) else tree[p]
        if not isinstance(tree, (dict, list)):
            return False
    if not isinstance(tree, (dict, list)):
        return False
    tree[path[-1]] = value
    return True


def rename(tree, path, new):
    parent = get(tree, path[:-1])
    items = [(new if k == path[-1] else k, v) for k, v in parent.items()]
    parent.clear()
    parent.update(items)


def dump(tree):
    return yaml.safe_dump(tree, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)


# ---- changes -------------------------------------------------------------------

def typo(rng, tree, _ctx):
    keys = [(p, v) for p, v in walk(tree) if isinstance(p[-1], str) and len(p[-1]) > 3 and p[-1].isascii()]
    if not keys:
        return None
    path, _ = rng.choice(keys)
    name, i = path[-1], rng.randrange(1, len(path[-1]) - 1)
    new = rng.choice([
        name[:i] + name[i + 1] + name[i] + name[i + 2:],  # swap neighbours
        name[:i] + name[i + 1:],  # drop one
        name[:i] + name[i] + name[i:],  # double one
        name[:i] + name[i].swapcase() + name[i + 1:],  # wrong case
    ])
    parent = get(tree, path[:-1])
    if new == name or new in parent:
        return None
    rename(tree, path, new)
    return [dotted(path[:-1] + (new,))]


def other_type(rng, value):
    if isinstance(value, bool):
        return rng.choice(["maybe", 3, ["x"]])
    if isinstance(value, (int, float)):
        return rng.choice(["many", [value], {"n": value}])
    if isinstance(value, str):
        return rng.choice([12345, True, [value], {"v": value}])
    if isinstance(value, list):
        return rng.choice([{"a": 1}, "x"])
    if isinstance(value, dict):
        return rng.choice([["a"], "x", 1])
    return rng.choice(["x", 7, ["a"], {"a": "b"}])


def wrong_type(rng, tree, _ctx):
    path, value = rng.choice(list(walk(tree)))
    set_at(tree, path, other_type(rng, value))
    return [dotted(path)]


def null(rng, tree, _ctx):
    """A value written as null (Helm: unset; Polyaxon: refused where not nullable)."""
    found = [(p, v) for p, v in walk(tree) if v is not None]
    if not found:
        return None
    path, _ = rng.choice(found)
    set_at(tree, path, None)
    return [dotted(path)]


def quoted_scalar(rng, tree, _ctx):
    """A number or boolean written as a string ("25", "false")."""
    found = [(p, v) for p, v in walk(tree) if isinstance(v, (bool, int, float)) and not isinstance(p[-1], int)]
    if not found:
        return None
    path, value = rng.choice(found)
    set_at(tree, path, str(value).lower() if isinstance(value, bool) else str(value))
    return [dotted(path)]


def enum(rng, tree, ctx):
    choices = [(p, vals) for p, vals in ctx["enums"] if p[:-1] == () or isinstance(get_or_none(tree, p[:-1]), dict)]
    if not choices:
        return None
    path, values = rng.choice(choices)
    set_at(tree, path, rng.choice([values[0].upper(), values[0].capitalize() + "x", "other"]))
    return [dotted(path)]


def get_or_none(tree, path):
    try:
        return get(tree, path)
    except (KeyError, IndexError, TypeError):
        return None


def old_key(rng, tree, ctx):
    """A key the chart renamed, moved or removed, put back."""
    change = rng.choice(ctx["changes"])
    path = tuple(change["key"].split("."))
    if not isinstance(get_or_none(tree, path[:-1]) if len(path) > 1 else tree, (dict, type(None))):
        return None
    to = tuple(change["to"].split(".")) if change.get("kind") == "renamed" else None
    value = get_or_none(tree, to) if to else None
    if value is None:
        value = rng.choice([True, "x", {"enabled": True}])
    return [dotted(path)] if set_at(tree, path, value) else None


def other_version_key(rng, tree, ctx):
    """A key (with its default) from an older or newer chart's defaults that this one lacks."""
    path, value = rng.choice(ctx["foreign"])
    parent = get_or_none(tree, path[:-1]) if len(path) > 1 else tree
    if parent is not None and not isinstance(parent, dict):
        return None
    return [dotted(path)] if set_at(tree, path, value) else None


CROSS = [
    # (name, {dotted key: value}); None deletes the key
    ("no-database", {"postgresql.enabled": False, "externalServices.postgresql": None}),
    ("external-and-in-cluster-db", {"postgresql.enabled": True, "externalServices.postgresql": {"host": "db", "user": "px", "database": "px", "port": 5432}}),
    ("rabbitmq-broker-disabled", {"broker": "rabbitmq", "rabbitmq.enabled": False, "rabbitmq-ha.enabled": False, "externalServices.rabbitmq": None}),
    ("redis-broker-disabled", {"broker": "redis", "redis.enabled": False, "externalServices.redis": None}),
    ("external-rabbitmq-redis-broker", {"broker": "redis", "externalServices.rabbitmq": {"host": "mq", "user": "px", "port": 5672}}),
    ("two-brokers", {"rabbitmq.enabled": True, "rabbitmq-ha.enabled": True, "redis.enabled": True}),
    ("no-redis", {"redis.enabled": False, "externalServices.redis": None}),
    ("external-redis-default-broker", {"broker": None, "redis.enabled": False, "rabbitmq.enabled": False, "externalServices.redis": {"host": "cache"}}),
]


def cross(rng, tree, _ctx):
    _, changes = rng.choice(CROSS)
    touched = []
    for key, value in changes.items():
        path = tuple(key.split("."))
        if value is None:
            parent = get_or_none(tree, path[:-1]) if len(path) > 1 else tree
            if isinstance(parent, dict) and path[-1] in parent:
                del parent[path[-1]]
                touched.append(key)
        elif (len(path) == 1 or isinstance(get_or_none(tree, path[:-1]), (dict, type(None)))) and set_at(tree, path, value):
            touched.append(key)
    return touched or None


# ---- neutral rewrites ------------------------------------------------------------

def neutral_text(rng, kind, tree):
    """The same values written another way."""
    if kind == "reorder":
        tree = shuffled(rng, tree)
        return dump(tree)
    text = dump(tree)
    lines = text.split("\n")
    if kind == "comments":
        out = ["# a values file", ""]
        for line in lines:
            if line and rng.random() < 0.2:
                out.append(" " * (len(line) - len(line.lstrip())) + "# about the next key")
            out.append(line + ("  # note" if line.rstrip().endswith(":") is False and line and rng.random() < 0.2 and "'" not in line and '"' not in line and "#" not in line else ""))
        return "\n".join(out)
    if kind == "quote":
        return yaml.safe_dump(quote_strings(tree), sort_keys=False, allow_unicode=True, width=1000)
    if kind == "flow":
        sections = [k for k, v in tree.items() if isinstance(v, dict) and v]
        if not sections:
            return None
        chosen = set(rng.sample(sections, min(3, len(sections))))
        parts = []
        for k, v in tree.items():
            if k in chosen:
                flow = yaml.safe_dump(v, sort_keys=False, default_flow_style=True, allow_unicode=True, width=100000).strip()
                parts.append(dump({k: None}).replace("null", flow, 1))
            else:
                parts.append(dump({k: v}))
        return "".join(parts)
    if kind == "crlf":
        return text.replace("\n", "\r\n")
    if kind == "anchor":
        # A scalar written once with an anchor and reused by alias.
        seen = {}
        for i, line in enumerate(lines):
            m = re.match(r"^(\s*[A-Za-z][\w-]*): ([A-Za-z][\w./-]*)$", line)
            if not m or m.group(2) in ("true", "false", "null", "yes", "no", "on", "off"):
                continue
            if m.group(2) in seen:
                j = seen[m.group(2)]
                lines[j] = re.sub(r": (\S+)$", r": &v \1", lines[j])
                lines[i] = f"{m.group(1)}: *v"
                return "\n".join(lines)
            seen[m.group(2)] = i
        return None
    if kind == "merge":
        # One entry of a section given through a merge key.
        sections = [k for k, v in tree.items() if isinstance(v, dict) and len(v) >= 2]
        if not sections:
            return None
        name = rng.choice(sections)
        section = dict(tree[name])
        first = next(iter(section))
        merged = {"<<": {first: section.pop(first)}, **section}
        return dump({**tree, name: merged}).replace("'<<':", "<<:")
    raise ValueError(kind)


def shuffled(rng, node):
    if isinstance(node, dict):
        items = list(node.items())
        rng.shuffle(items)
        return {k: shuffled(rng, v) for k, v in items}
    if isinstance(node, list):
        return [shuffled(rng, v) for v in node]
    return node


class Quoted(str):
    pass


yaml.SafeDumper.add_representer(Quoted, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style='"'))


def quote_strings(node):
    if isinstance(node, dict):
        return {k: quote_strings(v) for k, v in node.items()}
    if isinstance(node, list):
        return [quote_strings(v) for v in node]
    return Quoted(node) if isinstance(node, str) else node


# ---- knowledge for changes --------------------------------------------------------

def enums_of(schema, prefix=()):
    """(path, allowed values) of every enum field the schema declares, objects only."""
    out = []
    for name, field in (schema.get("fields") or {}).items():
        path = prefix + (name,)
        if field.get("enum"):
            out.append((path, [str(e) for e in field["enum"] if e is not None]))
        if field.get("type") == "object":
            out.extend(enums_of(field, path))
    return out


def load_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f)


# Chart versions whose charts are not public (catalog/inferred.yaml): their own
# keys are those of the newest chart in the corpus, less what they removed.
INFERRED_BASE = {"2.18.0": "2.15.1"}


def foreign_keys(corpus, target, neighbours, changes):
    own = load_yaml(os.path.join(corpus, f"values/defaults/values-{INFERRED_BASE.get(target, target)}.yaml")) or {}
    removed = {tuple(c["key"].split(".")) for c in changes if c["kind"] == "removed"}
    own_paths = {p for p, _ in walk(own) if not any(p[:len(r)] == r for r in removed)}
    out = []
    for other in neighbours:
        tree = load_yaml(os.path.join(corpus, f"values/defaults/values-{other}.yaml")) or {}
        for path, value in walk(tree):
            if path not in own_paths and path[:-1] in own_paths | {()} and not any(isinstance(p, int) for p in path):
                out.append((path, value))
    return sorted(out, key=lambda pv: dotted(pv[0]))


# ---- main ---------------------------------------------------------------------------

def bases_of(corpus, patterns):
    """(name, tree) of every base file the patterns name."""
    out = []
    for pattern in patterns:
        if pattern.startswith("agent:"):
            out.append((pattern, {"deploymentChart": "agent", **agent_defaults(pattern[6:])}))
            continue
        agent = pattern.startswith("agent+")
        pattern = pattern[6:] if agent else pattern
        base, pattern = (ROOT, pattern[1:]) if pattern.startswith("@") else (corpus, pattern)
        for path in sorted(glob.glob(os.path.join(base, pattern))):
            tree = load_yaml(path)
            if isinstance(tree, dict) and tree:
                out.append((os.path.relpath(path, base), {"deploymentChart": "agent", **tree} if agent else tree))
    return out


def agent_defaults(version):
    """The agent chart's values at a version, rebuilt from its key history."""
    with open(os.path.join(ROOT, "catalog", "agent", "manifest.tsv")) as f:
        order = [row["version"] for row in csv.DictReader(f, delimiter="\t")]
    at = order.index(version)
    tree = {}
    with open(os.path.join(ROOT, "catalog", "agent", "key-history.tsv")) as f:
        rows = sorted(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE), key=lambda r: r["key"].count("."))
    for row in rows:
        if not order.index(row["first_version"]) <= at <= order.index(row["last_version"]):
            continue
        parts = row["key"].split(".")
        parent = tree
        for p in parts[:-1]:
            parent = parent.get(p) if isinstance(parent, dict) else None
        if not isinstance(parent, dict):
            continue
        if row["type"] == "map":
            parent.setdefault(parts[-1], {})
        else:
            parent[parts[-1]] = json.loads(row["default"]) if row["default"] else None
    return tree


def empty_stubs(tree):
    """externalServices entries whose every field is null or 0: the chart
    tests their host and leaves them off; Polyaxon's validator counts them
    as configured (and so rejects the chart's own defaults at the root)."""
    services = tree.get("externalServices")
    if not isinstance(services, dict):
        return []
    stubs = [k for k, v in services.items() if isinstance(v, dict) and all(x in (None, 0, "", False) for x in v.values())]
    for k in stubs:
        del services[k]
    return [f"externalServices.{k}" for k in stubs]


# Whole-file rejections of the charts' own defaults, and the key that causes each.
ROOT_FIXES = [
    # 1.x defaults carry an `agent` section (enabled: false); 1.x validators refuse any on a platform deployment.
    ("unexpected `agent` key", "agent"),
]


def clean(validator, trees, workdir):
    """Removes the chart's empty externalServices stubs, then what the
    validator rejects at a key, from every base (three rounds at most)."""
    removed = {name: empty_stubs(tree) for name, tree in trees.items()}
    for _ in range(3):
        paths = {}
        for name, tree in trees.items():
            paths[name] = os.path.join(workdir, "clean-" + re.sub(r"[^\w.@-]", "_", name))
            with open(paths[name], "w") as f:
                f.write(dump(tree))
        left = False
        for name, verdict in zip(paths, run_validator(validator, list(paths.values()))):
            for error in verdict["errors"]:
                loc = error["loc"] or next((key for text, key in ROOT_FIXES if text in error["msg"]), "")
                if loc and remove_loc(trees[name], loc):
                    removed[name].append(loc)
                    left = True
        for p in paths.values():
            os.remove(p)
        if not left:
            break
    return removed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--corpus", default=os.environ.get("POLYAXON_CORPUS"))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", help="validators, comma separated")
    args = parser.parse_args()
    args.corpus = args.corpus or testdata.shared("corpus")
    with open(os.path.join(ROOT, "catalog", "changes.yaml")) as f:
        changes = yaml.safe_load(f)
    manifest = []
    only = set(args.only.split(",")) if args.only else None
    for validator, (target, patterns, share) in PLAN.items():
        if only and validator not in only:
            continue
        rng = random.Random(f"{args.seed}-{validator}")
        outdir = os.path.join(args.out, validator)
        os.makedirs(outdir, exist_ok=True)
        with open(os.path.join(ROOT, "catalog", "schema", f"{validator}.json")) as f:
            schema = json.load(f)["root"]
        ctx = {
            "enums": enums_of(schema),
            # Merges are migrate's knowledge; the linter judges the section that left.
            "changes": [c for c in changes if version_key(c["since"]) <= version_key(target) and c["kind"] != "merged"],
            "foreign": foreign_keys(args.corpus, target, NEIGHBOURS[validator], [c for c in changes if version_key(c["since"]) <= version_key(target)]),
        }
        trees = dict(bases_of(args.corpus, patterns))
        removed = clean(validator, trees, outdir)

        def emit(case_id, text, base, kind, paths, neutral, source=None):
            file = os.path.join(outdir, f"{case_id}.yaml")
            with open(file, "w", newline="") as f:
                f.write(text)
            manifest.append({"id": case_id, "file": file, "validator": validator, "target": target, "base": base, "kind": kind, "paths": paths, "neutral": neutral, "source": source})

        for b, (name, tree) in enumerate(sorted(trees.items())):
            base_id = f"b{b}"
            emit(base_id, dump(tree), base_id, "base", removed[name], False, name)
            size = len(list(walk(tree)))
            per_kind = max(2, round(CASES_PER_BASE_KIND * share * args.scale * min(1.0, size / 150)))
            n = 0
            for kind in NEUTRAL:
                text = neutral_text(rng, kind, tree)
                if text is not None:
                    emit(f"{base_id}-n{n}", text, base_id, kind, [], True)
                    n += 1
            for kind in MUTATIONS:
                done, tries = 0, 0
                while done < per_kind and tries < per_kind * 5:
                    tries += 1
                    copy = deepcopy(tree)
                    paths = globals()[kind](rng, copy, ctx)
                    if paths:
                        emit(f"{base_id}-m{n}", dump(copy), base_id, kind, paths, False)
                        n += 1
                        done += 1
    with open(os.path.join(args.out, "manifest.jsonl"), "w") as f:
        for entry in manifest:
            f.write(json.dumps(entry) + "\n")


def version_key(v):
    return tuple(int(x) if x.isdigit() else 0 for x in re.split(r"[.\-a-z]+", v)[:3])


if __name__ == "__main__":
    main()
