#!/usr/bin/env python3
"""Regenerates the committed seed corpora under fuzz/corpus/<target>/.

Sources: the Helm renders, post-renderer captures and values files of
the corpus ($CORPUS, else the copy in testdata/shared), the project's testdata/, and hand-written
tricky inputs (below). Renders are cut into small streams of a few
documents (never the 1.8 MB files whole) so the seeds stay small and fast.

    fuzz/make-seeds.py            # rewrite fuzz/corpus/* (deterministic)

Seed names are content hashes, like libFuzzer's own.
"""
import glob
import hashlib
import os
import random
import re
import shutil
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import testdata  # noqa: E402

CORPUS = os.environ.get("CORPUS") or testdata.shared("corpus")
OUT = os.path.join(FUZZ, "corpus")
SEP = "\n%%%%\n"  # ends the extra values of a postrender input

rng = random.Random(20240601)
seeds = {t: {} for t in ("stream", "postrender", "values", "lint")}


def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    seeds[target][hashlib.sha1(data).hexdigest()] = data


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def split_docs(text):
    """Documents with their leading `---` line (as the stream splitter cuts them)."""
    parts = re.split(r"(?m)^(?=---(?:[ \t].*)?$)", text)
    return [p for p in parts if p]


# ---------------------------------------------------------------- hand-written

# Manifests polyaxon-pr edits, written the unusual ways YAML allows.
LABEL = "  labels:\n    chart: polyaxon-2.15.1\n    release: pax\n"
CONFIGMAP = "---\n# Source: polyaxon/templates/config.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pax-polyaxon-config\n" + LABEL + \
    "data:\n  POLYAXON_K8S_NAMESPACE: polyaxon\n  POLYAXON_DB_HOST: pax-postgresql\n  POLYAXON_DNS_USE_RESOLVER: \"false\"\n  POLYAXON_REDIS_HOST: pax-redis-master\n"
TRICKY_MANIFESTS = [
    # anchors and aliases in a pod spec
    "---\nkind: Deployment\nmetadata:\n  name: pax-polyaxon-api\n" + LABEL +
    "spec:\n  template:\n    spec:\n      containers:\n      - &c\n        name: api\n        image: x\n        env: &env\n        - name: POLYAXON_DB_HOST\n          value: pax-postgresql\n      - *c\n      initContainers:\n      - name: init\n        env: *env\n",
    # merge keys
    "---\nkind: Deployment\nmetadata:\n  name: pax-polyaxon-worker\n" + LABEL +
    "base: &b\n  securityContext: {runAsUser: 1000}\nspec:\n  template:\n    spec:\n      <<: *b\n      containers:\n      - name: w\n        <<: {image: x, securityContext: {}}\n",
    # tags
    "---\nkind: !!str Deployment\nmetadata: !!map\n  name: pax-polyaxon-api\n" + LABEL +
    "spec:\n  template:\n    spec: !custom\n      containers:\n      - name: !!str api\n        image: x\n",
    # flow maps and sequences, with trailing commas
    "---\n{kind: Deployment, metadata: {name: pax-polyaxon-api, labels: {chart: polyaxon-2.15.1, release: pax,},},\n spec: {template: {spec: {containers: [{name: api, image: x, env: [{name: POLYAXON_DB_HOST, value: h},],},],},},},}\n",
    "--- {kind: DaemonSet, metadata: {name: pax-polyaxon-resources, labels: {chart: polyaxon-1.10.1}}, spec: {template: {spec: {containers: [{name: r}]}}}}\n",
    # CRLF line breaks
    ("---\r\nkind: Deployment\r\nmetadata:\r\n  name: pax-polyaxon-api\r\n" + LABEL.replace("\n", "\r\n") +
     "spec:\r\n  template:\r\n    spec:\r\n      containers:\r\n      - name: api\r\n        image: x\r\n"),
    # lone CR line breaks
    "kind: Deployment\rmetadata:\r  name: pax-polyaxon-api\r  labels:\r    chart: polyaxon-2.15.1\rspec:\r  template:\r    spec:\r      containers:\r      - name: api\r",
    # BOM
    "\ufeffkind: Deployment\nmetadata:\n  name: pax-polyaxon-api\n" + LABEL + "spec:\n  template:\n    spec:\n      containers:\n      - name: api\n",
    # duplicate keys
    "---\nkind: Deployment\nmetadata:\n  name: pax-polyaxon-api\n" + LABEL + "spec:\n  template:\n    spec:\n      containers: []\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        env:\n        - {name: POLYAXON_DB_HOST, value: a}\n        - {name: POLYAXON_DB_HOST, value: b}\n",
    # deep nesting
    "---\nkind: Deployment\nmetadata:\n  name: pax-polyaxon-api\n" + LABEL + "spec:\n  template:\n    spec:\n      containers:\n      - name: a\n        args: " + "[" * 60 + "]" * 60 + "\n",
    # block scalars, comments, a document end marker, an empty document
    "---\n# Source: polyaxon/templates/api.yaml\nkind: Deployment # the api\nmetadata:\n  name: pax-polyaxon-api\n" + LABEL +
    "  annotations:\n    note: |\n      ---\n      not a separator\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        command: >-\n          a\n          b\n...\n---\n---\n# Source: empty.yaml\n",
    # Helm 4 framing: no leading marker, the filename annotation
    "kind: StatefulSet\nmetadata:\n  name: pax-postgresql\n  labels:\n    chart: postgresql-12.5.6\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'polyaxon/charts/postgresql/templates/sts.yaml'\nspec:\n  template:\n    spec:\n      containers:\n      - name: pg\n---\nkind: Secret\nmetadata:\n  name: pax-postgresql\n  labels:\n    chart: postgresql-12.5.6\ndata:\n  postgres-password: cGc=\n",
    # a Job hook and a Secret of ours already in the stream
    "---\nkind: Job\nmetadata:\n  name: pax-polyaxon-migrate\n" + LABEL + "  annotations:\n    helm.sh/hook: post-install\nspec:\n  template:\n    spec:\n      containers:\n      - name: m\n        env:\n        - name: POLYAXON_DB_PASSWORD\n          valueFrom:\n            secretKeyRef: {name: pax-postgresql, key: postgres-password}\n---\nkind: Secret\nmetadata:\n  name: pax-polyaxon-postgresql-secret\ndata:\n  postgres-password: eA==\n",
]

TRICKY_VALUES = [
    "base: &b {enabled: true}\nsecurityContext:\n  <<: *b\n  user: 1000\n",
    "a: &a [1, 2]\nb: *a\nc: {<<: [{x: 1}, {y: 2}], z: 3}\n",
    "x: !!str 123\ny: !!int \"7\"\nz: !custom v\nw: !!binary aGk=\n",
    "{securityContext: {enabled: true,}, dns: {backend: coredns,},}\n",
    "securityContext:\r\n  enabled: true\r\n  user: 1000\r\n",
    "securityContext:\r  enabled: true\r  user: 1000\r",
    "\ufeffemail:\n  host: smtp\n",
    "dns:\n  backend: coredns\ndns:\n  backend: kube-dns\nemail: {host: a, host: b}\n",
    "a:" + " [" * 80 + " ]" * 80 + "\n",
    "\n".join("  " * i + f"k{i}:" for i in range(60)) + " v\n",
    "a: 1\n---\nb: 2\n...\n--- {c: 3}\n",
    "? [complex, key]\n: v\n? {a: b}\n: w\n~: null\n1: one\n2.5: x\ntrue: y\n",
    "externalServices:\n  postgresql:\n    password: 12345678\n    host: db\n  redis:\n    password: [a, b]\n",
    "a: .inf\nb: -.nan\nc: 0x1F\nd: 0o17\ne: 1_000\nf: 1e400\ng: 0777\nh: on\n",
    "a: 'single ''quoted'''\nb: \"double \\u00e9 \\x41 \\t\"\nc: |+\n  keep\n\nd: >-\n  fold\n  ed\n",
    "laughs: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n",
    "%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\na: !e!foo x\n",
]

# --set style arguments (flag letter, then the argument).
ARGS = [
    "ssc.enabled=true,sc.user=7", "sname=a\\,b", "smode=0777,t=~,o=on,n=1_000,big=TRUE", "sl[3]=d", "sm[1].x=1",
    "sexternalServices.postgresql.password=p@ss,s3cr3t", "sa={x,y,z}", "sa[0][1].b=2", "sa.b.c.d=", "sk\\.dotted=1",
    "tsecurityContext.user=1000", "texternalServices.redis.password=0123", "jdirs.nvidia={\"lib\":\"/a\",\"bin\":\"/b\"}",
    "ja=[1,2,{\"b\":null}], c=\"x\"", "j{\"a\":{\"b\":1}}", "lexternalServices.rabbitmq.password=a,b=c\\d", "la.b=x,y",
    "sa[-1]=x", "sa[70000]=x", "sa[x]=1", "s" + ".".join(["k"] * 40) + "=1", "s=novalue", "sa,b=1", "sx=1,y",
]


# ---------------------------------------------------------------- from files

def renders():
    """(name, text, values text) for every render, capture and golden input."""
    out = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "rendered", "*", "*.yaml"))):
        if path.endswith(".values.yaml"):
            continue
        vals = path[: -len(".yaml")] + ".values.yaml"
        out.append((os.path.relpath(path, CORPUS), read(path), read(vals) if os.path.exists(vals) else ""))
    for path in sorted(glob.glob(os.path.join(CORPUS, "postrenderer", "captures", "*postrenderer-stdin.yaml"))):
        vals = re.sub(r"\.helm[34].*$", ".values.yaml", path)
        out.append((os.path.relpath(path, CORPUS), read(path), read(vals) if os.path.exists(vals) else ""))
    for path in sorted(glob.glob(os.path.join(ROOT, "testdata", "golden", "*", "input.yaml"))):
        vals = os.path.join(os.path.dirname(path), "values.yaml")
        out.append((os.path.relpath(path, ROOT), read(path), read(vals) if os.path.exists(vals) else ""))
    return out


def letters_for(name):
    """Config letters of the postrender target that suit a render."""
    n = name.lower()
    if "security" in n:
        return ["S", "SA"]
    if "dns" in n:
        return ["D", "K"]
    if "nvidia" in n or "gpu" in n:
        return ["GT", "G"]
    if "pgbouncer" in n:
        return ["PB0", "PB0N"]
    if "external" in n or "probe" in n:
        return ["PRM0", "PRM0prmN", "PRM0X"]
    if "broker-redis" in n:
        return ["R0", "Rr"]
    if "kitchen" in n:
        return ["SDM", "SGTDM"]
    return ["SGDPRM", "SGTDPRMprmN", "PO"]


def small_streams(text, count, limit):
    """Up to `count` streams of a few documents each (at most `limit` bytes),
    keeping the first document (framing, chart label) and any Polyaxon ConfigMap."""
    docs = [d for d in split_docs(text) if "kind: CustomResourceDefinition" not in d]
    if not docs:
        return []
    core = [docs[0]] + [d for d in docs[1:] if "POLYAXON_K8S_NAMESPACE" in d and "kind: ConfigMap" in d and len(d) < limit // 3][:1]
    rest = [d for d in docs if d not in core and len(d) < limit // 2]
    out = []
    for _ in range(count):
        pick = rng.sample(rest, min(len(rest), rng.randint(1, 4)))
        chosen = [d for d in docs if d in core or d in pick]
        s = "".join(chosen)
        while len(s) > limit and len(chosen) > 1:
            chosen.pop()
            s = "".join(chosen)
        if len(s) <= limit:
            out.append(s)
    return out


def values_files():
    files = sorted(glob.glob(os.path.join(CORPUS, "values", "ci", "*.yml")))
    files += sorted(glob.glob(os.path.join(CORPUS, "rendered", "*", "*.values.yaml")))
    files += sorted(glob.glob(os.path.join(ROOT, "testdata", "values", "*.yaml")))
    files += sorted(glob.glob(os.path.join(ROOT, "testdata", "lint", "*.yaml")))
    defaults = sorted(glob.glob(os.path.join(CORPUS, "values", "defaults", "*.yaml")))
    files += defaults[::20] + defaults[-3:]  # one chart values.yaml in twenty, and the newest
    return [read(f) for f in files]


def main():
    if not os.path.isdir(CORPUS):
        sys.exit(f"no corpus at {CORPUS} (set CORPUS)")

    for name, text, vals in renders():
        streams = small_streams(text, 3, 8000)
        for s in streams[:2]:
            add("stream", s)
        for s in streams[:2]:
            for letters in letters_for(name)[:2]:
                add("postrender", letters + "\n" + s)
        if vals and streams:
            add("postrender", "V" + letters_for(name)[0] + "\n" + vals + SEP + streams[-1])
    for m in TRICKY_MANIFESTS:
        add("stream", m)
        for letters in ("SGTDPRM", "SAGDKPRMB0prmN", "PRMX"):
            add("postrender", letters + "\n" + CONFIGMAP + m)
    add("stream", "")
    add("stream", "---")
    add("stream", "--- # c\n---\r\n--- {a: 1}\n---x\n ---\n")

    for text in values_files() + TRICKY_VALUES:
        add("lint", text)
    vals = values_files()
    small = [v for v in vals if len(v) < 4000]
    for text in small + TRICKY_VALUES + vals[-3:]:
        add("values", text)
    for i, arg in enumerate(ARGS):
        base = rng.choice(TRICKY_VALUES + small[:10])
        add("values", base + "\0" + arg)
        add("values", "\0" + arg + "\0" + ARGS[(i + 7) % len(ARGS)])

    shutil.rmtree(OUT, ignore_errors=True)
    for target, files in seeds.items():
        os.makedirs(os.path.join(OUT, target))
        for h, data in files.items():
            with open(os.path.join(OUT, target, h), "wb") as f:
                f.write(data)
        size = sum(len(d) for d in files.values())
        print(f"{target}: {len(files)} seeds, {size // 1024} KiB")


main()
