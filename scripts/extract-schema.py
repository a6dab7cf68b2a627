#!/usr/bin/env python3
"""Writes, as deterministic JSON, the schema that one Polyaxon validator applies
to a deployment values file. Run it with the Python of one validator venv
(scripts/setup-venvs.sh), e.g.

    .cache/venv/polyaxon-1.20.0/bin/python scripts/extract-schema.py --out catalog/schema/1.20.0.json

It introspects the real classes (pydantic models under polyaxon._deploy.schemas
for 2.x, marshmallow schemas under polyaxon.deploy.schemas for 1.x and under
polyaxon_deploy.schemas for polyaxon-deploy 0.x) starting at DeploymentConfig.

Output: {"format", "validator", "framework_notes", "root", "validators",
"definitions"}; "definitions" (2.x only) holds the Kubernetes client models
(pydantic in kubernetes>=36), which object nodes reference by "ref": class name.
Every node has "type": str|int|float|bool|list|dict|any|object, and
  nullable        null accepted
  enum            allowed values (Enum, Literal, OneOf)
  strict          (int/float/bool/str) no coercion from other types
  items           list item node;  keys / values: dict key and value nodes
  anyOf           union alternatives ("type" is their common type, "dict" when
                  all are mappings (object/dict), else "any")
Object nodes add: class, module, extra (forbid: unknown keys rejected,
ignore: dropped, allow: kept), fields (by data key, as in values files),
required (data keys), object_validators, and for marshmallow one-of schemas
"one_of" + "discriminator". A field node adds attribute (Python name),
required, default, field_validators, also_accepts (other accepted keys),
crashes_validator (marshmallow: declared by the schema but not taken by its
config class's __init__, so a value there makes read() raise TypeError).
"validators" lists the cross-field rules, described by hand from the source
and tied to it by the sha256 of each function's source, so a change in the
installed code shows up in `scripts/extract-schema.sh --check`.
"""
import argparse
import enum
import hashlib
import inspect
import json
import os
import platform
import sys

FORMAT = 1


def dist_version(name):
    try:
        from importlib import metadata  # 3.8+

        return metadata.version(name)
    except ImportError:
        import pkg_resources

        return pkg_resources.get_distribution(name).version


def jsonable(value):
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        out = [jsonable(v) for v in value]
        return None if any(v is _SKIP for v in out) else out
    if isinstance(value, dict):
        out = {str(k): jsonable(v) for k, v in value.items()}
        return None if any(v is _SKIP for v in out.values()) else out
    return _SKIP


_SKIP = object()


def union(nodes, nullable):
    """One node for alternatives: identical ones merged, else anyOf."""
    uniq = []
    for n in nodes:
        if n not in uniq:
            uniq.append(n)
    if len(uniq) == 1:
        node = dict(uniq[0])
    else:
        types = sorted({n["type"] for n in uniq})
        if len(types) == 1:
            common = types[0]
        elif set(types) <= {"object", "dict"}:
            common = "dict"  # every alternative is a YAML mapping
        else:
            common = "any"
        node = {"type": common, "anyOf": uniq}
    node["nullable"] = bool(nullable or node.get("nullable"))
    return node


# ---- pydantic (polyaxon 2.x) ---------------------------------------------------

class Pydantic:
    framework = "pydantic"

    def __init__(self):
        import typing

        import pydantic

        self.typing = typing
        self.pydantic = pydantic
        from pydantic import BaseModel

        self.BaseModel = BaseModel
        self.stack = []
        self.definitions = {}
        self.definitions_in_progress = set()

    def annotation(self, ann, extra_meta=()):
        t = self.typing
        origin = t.get_origin(ann)
        args = t.get_args(ann)
        if origin is t.Annotated:
            return self.annotation(args[0], tuple(args[1:]) + tuple(extra_meta))
        node = self._annotation(ann, origin, args)
        self.apply_metadata(node, extra_meta)
        return node

    def apply_metadata(self, node, metadata):
        import annotated_types as at

        for m in metadata:
            name = type(m).__name__
            if name == "Strict":
                node["strict"] = bool(getattr(m, "strict", True))
            elif isinstance(m, (at.Gt, at.Ge, at.Lt, at.Le, at.MultipleOf, at.MinLen, at.MaxLen)):
                for k in m.__dataclass_fields__:
                    node.setdefault("constraints", {})[k] = jsonable(getattr(m, k))
            elif name == "StringConstraints":
                for k in ("pattern", "min_length", "max_length", "strip_whitespace", "to_lower", "to_upper", "strict"):
                    v = getattr(m, k, None)
                    if v is not None:
                        if k == "strict":
                            node["strict"] = v
                        else:
                            node.setdefault("constraints", {})[k] = jsonable(v)
            elif name in ("_PydanticGeneralMetadata",):
                for k, v in sorted(vars(m).items()):
                    if k == "strict":
                        node["strict"] = v
                    else:
                        node.setdefault("constraints", {})[k] = jsonable(v)
            elif name in ("FieldInfo",):
                pass
            else:
                node.setdefault("metadata", []).append(name)

    def _annotation(self, ann, origin, args):
        t = self.typing
        import types as pytypes

        NoneType = type(None)
        if ann is t.Any or ann is object:
            return {"type": "any"}
        if origin is t.Union or (hasattr(pytypes, "UnionType") and origin is getattr(pytypes, "UnionType")):
            nullable = NoneType in args
            alts = [self.annotation(a) for a in args if a is not NoneType]
            return union(alts, nullable)
        if origin is t.Literal:
            values = [jsonable(a) for a in args]
            kinds = sorted({scalar_type(v) for v in values})
            return {"type": kinds[0] if len(kinds) == 1 else "any", "enum": values}
        if origin in (list, tuple, set, frozenset) or ann in (list, tuple, set, t.List):
            node = {"type": "list"}
            item_args = [a for a in args if a is not Ellipsis]
            if item_args:
                node["items"] = union([self.annotation(a) for a in item_args], False) if len(item_args) > 1 else self.annotation(item_args[0])
            return node
        if origin is dict or ann in (dict, t.Dict) or origin in (t.Mapping,) or ann is t.Mapping:
            node = {"type": "dict"}
            if args:
                k, v = args
                node["keys"] = self.annotation(k)
                node["values"] = self.annotation(v)
            return node
        if inspect.isclass(ann):
            if issubclass(ann, enum.Enum):
                values = [m.value for m in ann]
                kinds = sorted({scalar_type(v) for v in values})
                return {"type": kinds[0] if len(kinds) == 1 else "any", "enum": values, "enum_class": ann.__name__}
            if issubclass(ann, bool):
                return {"type": "bool"}
            if issubclass(ann, int):
                return {"type": "int"}
            if issubclass(ann, float):
                return {"type": "float"}
            if issubclass(ann, (str, bytes)):
                return {"type": "str"}
            if issubclass(ann, self.BaseModel):
                return self.model(ann)
            import datetime
            import uuid

            if issubclass(ann, (datetime.datetime, datetime.date, datetime.time, datetime.timedelta, uuid.UUID)):
                return {"type": "str", "format": ann.__name__}
            # An arbitrary class (e.g. a kubernetes client V1Toleration): a mapping in YAML.
            return {"type": "dict", "class": ann.__name__, "module": ann.__module__, "opaque": True}
        return {"type": "any", "python_type": repr(ann)}

    def model(self, cls):
        if cls.__module__.startswith("kubernetes.") and cls.__name__ not in self.definitions_in_progress:
            # Kubernetes client models (pydantic in kubernetes>=36) are shared by many
            # fields: described once under "definitions" and referenced by name.
            if cls.__name__ not in self.definitions:
                self.definitions_in_progress.add(cls.__name__)
                try:
                    self.definitions[cls.__name__] = self.model(cls)
                finally:
                    self.definitions_in_progress.discard(cls.__name__)
            return {"type": "object", "class": cls.__name__, "ref": cls.__name__}
        if cls in self.stack:
            return {"type": "object", "class": cls.__name__, "recursive": True}
        self.stack.append(cls)
        try:
            config = cls.model_config
            root_field = cls.model_fields.get("root") if getattr(cls, "__pydantic_root_model__", False) else None
            if root_field is not None:
                node = self.annotation(root_field.annotation, tuple(root_field.metadata))
                node["class"] = cls.__name__
                node["module"] = cls.__module__
                node["root_model"] = True
                return node
            decorators = cls.__pydantic_decorators__
            field_validators = {}
            for name, dec in sorted(decorators.field_validators.items()):
                for f in dec.info.fields:
                    field_validators.setdefault(f, []).append("%s (%s)" % (name, dec.info.mode))
            populate = bool(config.get("populate_by_name") or config.get("validate_by_name"))
            node = {
                "type": "object",
                "class": cls.__name__,
                "module": cls.__module__,
                "extra": config.get("extra") or "ignore",
                "nullable": False,
                "fields": {},
                "required": [],
            }
            if populate:
                node["accepts_attribute_names"] = True
            model_validators = ["%s (%s)" % (name, dec.info.mode) for name, dec in sorted(decorators.model_validators.items())]
            if model_validators:
                node["object_validators"] = model_validators
            for name, info in cls.model_fields.items():
                keys = data_keys(name, info)
                f = self.annotation(info.annotation, tuple(info.metadata))
                f.setdefault("nullable", False)
                f["attribute"] = name
                f["required"] = info.is_required()
                if not info.is_required():
                    default = jsonable(info.default) if info.default_factory is None else None
                    if default is not None and default is not _SKIP:
                        f["default"] = default
                if info.discriminator is not None:
                    f["discriminator"] = str(info.discriminator)
                if field_validators.get(name):
                    f["field_validators"] = field_validators[name]
                also = [k for k in keys[1:]]
                if populate and name not in keys:
                    also.append(name)
                if also:
                    f["also_accepts"] = sorted(also)
                node["fields"][keys[0]] = f
                if info.is_required():
                    node["required"].append(keys[0])
            node["required"].sort()
            return node
        finally:
            self.stack.pop()


def data_keys(name, info):
    va = info.validation_alias
    if isinstance(va, str):
        return [va]
    if va is not None and hasattr(va, "choices"):
        out = []
        for c in va.choices:
            if isinstance(c, str):
                out.append(c)
            elif hasattr(c, "path"):
                out.append(".".join(str(p) for p in c.path))
        return out or [info.alias or name]
    return [info.alias or name]


def scalar_type(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    return "any"


# ---- marshmallow (polyaxon 1.x, polyaxon-deploy 0.x) --------------------------

class Marshmallow:
    framework = "marshmallow"

    def __init__(self):
        import marshmallow
        from marshmallow import fields, validate

        self.m = marshmallow
        self.fields = fields
        self.validate = validate
        self.stack = []

    def unknown(self, value):
        return {self.m.RAISE: "forbid", self.m.EXCLUDE: "ignore", self.m.INCLUDE: "allow"}.get(value, str(value))

    def hooks(self, schema):
        """Names of schema-level validators / load processors."""
        cls = type(schema)
        out = {"object_validators": [], "load_hooks": [], "field_validators": {}}
        hooks = getattr(cls, "_hooks", None)  # marshmallow >= 3.0.0rc? ; older: __processors__
        if hooks is None:
            hooks = getattr(cls, "__processors__", {})
        for tag, names in sorted(hooks.items(), key=lambda kv: str(kv[0])):
            kind = tag[0] if isinstance(tag, tuple) else tag
            for attr in sorted(names):
                if kind == "validates_schema":
                    out["object_validators"].append(attr)
                elif kind in ("pre_load", "post_load"):
                    out["load_hooks"].append("%s (%s)" % (attr, kind))
                elif kind == "validates":
                    fn = getattr(cls, attr)
                    hook = getattr(fn, "__marshmallow_hook__", {}) or {}
                    kwargs = hook.get(tag) or hook.get("validates") or {}
                    field = kwargs.get("field_name") if isinstance(kwargs, dict) else None
                    out["field_validators"].setdefault(field or "?", []).append(attr)
        return out

    def schema(self, schema, unknown=None):
        cls = type(schema)
        if cls in self.stack:
            return {"type": "object", "class": cls.__name__, "recursive": True}
        self.stack.append(cls)
        try:
            if hasattr(cls, "SCHEMAS") and hasattr(cls, "TYPE_FIELD"):  # polyaxon's BaseOneOfSchema
                alts = {}
                for key in sorted(cls.SCHEMAS):
                    sub = cls.SCHEMAS[key]
                    alts[str(key)] = self.schema(sub() if inspect.isclass(sub) else sub)
                return {
                    "type": "object",
                    "class": cls.__name__,
                    "module": cls.__module__,
                    "nullable": False,
                    "discriminator": cls.TYPE_FIELD,
                    "discriminator_removed": bool(getattr(cls, "TYPE_FIELD_REMOVE", False)),
                    "one_of": alts,
                }
            hooks = self.hooks(schema)
            node = {
                "type": "object",
                "class": cls.__name__,
                "module": cls.__module__,
                "extra": self.unknown(unknown if unknown is not None else schema.unknown),
                "nullable": False,
                "fields": {},
                "required": [],
            }
            config = getattr(cls, "schema_config", None)
            if config is not None:
                try:
                    node["config_class"] = config().__name__
                except Exception:
                    pass
            if hooks["object_validators"]:
                node["object_validators"] = hooks["object_validators"]
            if hooks["load_hooks"]:
                node["load_hooks"] = [h for h in hooks["load_hooks"] if not h.startswith("make ")]
                if not node["load_hooks"]:
                    del node["load_hooks"]
            accepted_kwargs = self.config_kwargs(schema)
            for name, field in schema.fields.items():
                if getattr(field, "dump_only", False):
                    continue  # not loadable: an unknown key on input
                key = field.data_key or name
                f = self.field(field)
                f["attribute"] = field.attribute or name
                f["required"] = bool(field.required)
                default = field.load_default if hasattr(type(field), "load_default") or "load_default" in vars(field) else field.missing
                if default is not self.m.missing and not callable(default):
                    d = jsonable(default)
                    if d is not None and d is not _SKIP:
                        f["default"] = d
                if accepted_kwargs is not None and (field.attribute or name) not in accepted_kwargs:
                    # post_load calls Config(**data): a key the schema declares but the
                    # config class does not take crashes the validator (TypeError).
                    f["crashes_validator"] = True
                fv = hooks["field_validators"].get(name)
                if fv:
                    f["field_validators"] = fv
                node["fields"][key] = f
                if field.required:
                    node["required"].append(key)
            node["required"].sort()
            return node
        finally:
            self.stack.pop()

    def config_kwargs(self, schema):
        """Keyword names the schema's config class takes, None if any (or unknown)."""
        config = getattr(schema, "schema_config", None)
        if config is None:
            return None
        try:
            sig = inspect.signature(config().__init__)
        except Exception:
            return None
        params = sig.parameters.values()
        if any(p.kind == p.VAR_KEYWORD for p in params):
            return None
        return {p.name for p in params}

    def field(self, field):
        F = self.fields
        node = self._field(field)
        node["nullable"] = bool(field.allow_none)
        enum_values, others = None, []
        for v in field.validators or []:
            if isinstance(v, self.validate.OneOf):
                enum_values = [jsonable(c) for c in v.choices]
            elif isinstance(v, self.validate.Range):
                node.setdefault("constraints", {}).update({k: getattr(v, k) for k in ("min", "max") if getattr(v, k, None) is not None})
            elif isinstance(v, self.validate.Length):
                node.setdefault("constraints", {}).update({k + "_length": getattr(v, k) for k in ("min", "max", "equal") if getattr(v, k, None) is not None})
            elif isinstance(v, self.validate.Email):
                node["format"] = "email"
            elif isinstance(v, self.validate.Regexp):
                node.setdefault("constraints", {})["pattern"] = v.regex.pattern
            else:
                others.append(getattr(v, "__name__", type(v).__name__))
        if enum_values is not None:
            node["enum"] = enum_values
        if others:
            node["validators"] = others
        return node

    def _field(self, field):
        F = self.fields
        cls = type(field)
        name = cls.__name__
        mro = [c.__name__ for c in cls.__mro__]
        if isinstance(field, F.Nested):
            schema = field.schema
            node = self.schema(schema, getattr(field, "unknown", None))
            if getattr(field, "many", False):
                return {"type": "list", "items": node}
            return node
        if name == "SwaggerField":
            # polyaxon: a dict whose keys, snake_cased, are the keyword arguments of a
            # kubernetes client class (`cls(**value)`): unknown first-level keys are
            # rejected, the values are not checked.
            cls = field.cls
            attrs = getattr(cls, "attribute_map", {})
            node = {"type": "dict", "class": cls.__name__, "module": cls.__module__, "opaque": True}
            if attrs:
                node["constructor_fields"] = {
                    json_name: {"type": "any", "attribute": attr, **({"also_accepts": [attr]} if attr != json_name else {})}
                    for attr, json_name in sorted(attrs.items())
                }
            return node
        if name in ("IntOrStr",):
            return {"type": "any", "anyOf": [{"type": "int"}, {"type": "str"}], "field_class": name}
        if name in ("FloatOrStr",):
            return {"type": "any", "anyOf": [{"type": "float"}, {"type": "str"}], "field_class": name}
        if name in ("StrOrList",):
            return {"type": "any", "anyOf": [{"type": "str"}, {"type": "list"}], "field_class": name}
        if name in ("DictOrStr",):
            return {"type": "any", "anyOf": [{"type": "dict"}, {"type": "str"}], "field_class": name}
        if isinstance(field, F.List):
            inner = getattr(field, "inner", None) or getattr(field, "container", None)
            node = {"type": "list"}
            if inner is not None:
                node["items"] = self.field(inner)
            return node
        if hasattr(F, "Tuple") and isinstance(field, F.Tuple):
            return {"type": "list", "items_tuple": [self.field(f) for f in field.tuple_fields]}
        if isinstance(field, F.Dict) or (hasattr(F, "Mapping") and isinstance(field, F.Mapping)):
            node = {"type": "dict"}
            kf = getattr(field, "key_field", None) or getattr(field, "key_container", None)
            vf = getattr(field, "value_field", None) or getattr(field, "value_container", None)
            if kf is not None:
                node["keys"] = self.field(kf)
            if vf is not None:
                node["values"] = self.field(vf)
            if name not in ("Dict", "Mapping"):
                node["field_class"] = name
            return node
        if isinstance(field, F.Boolean):
            return {"type": "bool", "strict": False}
        if isinstance(field, (F.Integer,)):
            return {"type": "int", "strict": bool(getattr(field, "strict", False))}
        if isinstance(field, (F.Float, F.Decimal)) or name == "Number":
            return {"type": "float"}
        if isinstance(field, (F.DateTime, F.Date, F.Time, F.TimeDelta)) if hasattr(F, "Time") else isinstance(field, (F.DateTime, F.Date, F.TimeDelta)):
            return {"type": "str", "format": name}
        if isinstance(field, F.UUID):
            return {"type": "str", "format": "UUID"}
        if isinstance(field, F.String):
            node = {"type": "str"}
            if name == "Email":
                node["format"] = "email"
            elif name not in ("String", "Str"):
                node["field_class"] = name
            return node
        if name == "Raw" or cls is F.Field:
            return {"type": "any"}
        return {"type": "any", "field_class": name, "field_bases": [m for m in mro[1:] if m not in ("object", "FieldABC")][:3]}


# ---- cross-field rules ---------------------------------------------------------

def source_sha(fn):
    return hashlib.sha256(inspect.getsource(fn).encode("utf-8")).hexdigest()


def rules(entries):
    """entries: (path, function, rule text). The function is hashed so a change in
    the installed code is noticed."""
    out = []
    for path, fn, text in entries:
        out.append({
            "path": path,
            "function": "%s.%s" % (fn.__module__, fn.__qualname__),
            "source_sha256": source_sha(fn),
            "rule": text,
        })
    return out


def rules_v2(mod, sc_mod):
    d = mod
    if not hasattr(d, "check_rabbitmq"):
        # polyaxon >= 2.17.0 removed RabbitMQ: no rabbitmq field, broker is Literal["redis"].
        return rules_v2_redis_only(mod, sc_mod)
    agent_keys = ["passwordLength", "passwordAuth", "platformSecret", "encryptionSecret", "user", "globalReplicas", "globalConcurrency",
                  "scheduler", "compiler", "worker", "beat", "(clean_hook: not a field, always null)", "apiHooks", "flower", "postgresql",
                  "redis", "rabbitmq", "broker", "email", "ldap", "intervals", "metrics", "organizationKey"]
    return rules([
        ("", d.check_postgres, "postgresql.enabled is exactly false and externalServices.postgresql is missing/null -> rejected ('A postgresql instance is required')."),
        ("", d.check_redis, "redis.enabled is true and externalServices.redis is set -> rejected ('either enable the in-cluster redis or use an external instance, not both')."),
        ("", d.check_redis, "(redis.enabled is true or externalServices.redis is set) and broker != 'redis' (including broker unset) and redis.nonBroker is not true -> rejected ('redis is enabled but you are using a different broker backend')."),
        ("", d.check_rabbitmq, "rabbitmq.enabled is true and externalServices.rabbitmq is set -> rejected ('not both')."),
        ("", d.check_rabbitmq, "(rabbitmq.enabled is true or externalServices.rabbitmq is set) and broker == 'redis' -> rejected ('rabbitmq is enabled but you are using a different broker backend')."),
        ("", d.validate_platform_deployment, "rabbitmq used and redis used as broker (redis.nonBroker not true) -> rejected ('you don't need to deploy both'); unreachable in practice, the two broker checks above fire first."),
        ("", d.validate_platform_deployment, "any of scheduler/compiler/worker/beat has enabled: true while neither rabbitmq (in-cluster or external) nor redis (in-cluster or external) is used -> rejected ('services that require a broker')."),
        ("", d.validate_deployment_chart, "deploymentChart == 'agent' and agent is missing/null -> rejected ('Agent deployment requires a valid `agent` key'). deploymentChart == 'platform' with agent.enabled only prints a header, no rejection."),
        ("", d.wrong_agent_deployment_keys, "deploymentChart == 'agent' and any of these keys is non-null -> rejected ('Agent deployment received some keys that are not required'): " + ", ".join(agent_keys) + "."),
        ("", d.DeploymentConfig.validate_deployment, "the rules above run as a model validator (mode after): only when every field is valid, and only the first failing rule is reported, with loc ''. deploymentChart defaults to 'platform'."),
        ("affinity, celeryAffinity", d.DeploymentConfig.validate_affinity, "must be a mapping (or V1Affinity); anything else -> value_error 'This field expects a dict or an instance of V1Affinity'."),
        ("tolerations, celeryTolerations", d.DeploymentConfig.validate_tolerations, "each item must be a mapping (or V1Toleration) -> else value_error."),
        ("securityContext", sc_mod.SecurityContextConfig.validate_security_context, "exactly one of runAsUser/runAsGroup truthy -> rejected ('requires both `user` and `group` or none'); 0 counts as unset, so runAsUser: 1000 with runAsGroup: 0 is rejected."),
        ("", d.validate_connections, "defined (artifactsStore/connections names must be unique) but NOT called by 2.15.1's DeploymentConfig: duplicate connection names are accepted."),
    ])


def rules_v2_redis_only(mod, sc_mod):
    d = mod
    agent_keys = ["passwordLength", "passwordAuth", "platformSecret", "encryptionSecret", "user", "globalReplicas", "globalConcurrency",
                  "scheduler", "compiler", "worker", "beat", "(clean_hook: not a field, always null)", "apiHooks", "flower", "postgresql",
                  "redis", "broker", "email", "ldap", "intervals", "metrics", "organizationKey"]
    return rules([
        ("", d.check_postgres, "postgresql.enabled is exactly false and externalServices.postgresql is missing/null -> rejected ('A postgresql instance is required')."),
        ("", d.check_redis, "redis.enabled is true and externalServices.redis is set -> rejected ('either enable the in-cluster redis or use an external instance, not both')."),
        ("", d.check_redis, "(redis.enabled is true or externalServices.redis is set) and broker != 'redis' (i.e. broker unset) and redis.nonBroker is not true -> rejected ('redis is enabled but you are using a different broker backend')."),
        ("", d.validate_platform_deployment, "any of scheduler/compiler/worker/beat has enabled: true while redis is not used as the broker (neither redis.enabled nor externalServices.redis set, or redis.nonBroker is true) -> rejected ('You enabled some services that require a broker, please set redis!'). No RabbitMQ rules: rabbitmq, externalServices.rabbitmq and broker: rabbitmq are rejected as fields (extra_forbidden / literal_error)."),
        ("", d.validate_deployment_chart, "deploymentChart == 'agent' and agent is missing/null -> rejected ('Agent deployment requires a valid `agent` key'). deploymentChart == 'platform' with agent.enabled only prints a header, no rejection."),
        ("", d.wrong_agent_deployment_keys, "deploymentChart == 'agent' and any of these keys is non-null -> rejected ('Agent deployment received some keys that are not required'): " + ", ".join(agent_keys) + "."),
        ("", d.DeploymentConfig.validate_deployment, "the rules above run as a model validator (mode after): only when every field is valid, and only the first failing rule is reported, with loc ''. deploymentChart defaults to 'platform'."),
        ("affinity, celeryAffinity", d.DeploymentConfig.validate_affinity, "must be a mapping (or V1Affinity); anything else -> value_error 'This field expects a dict or an instance of V1Affinity'."),
        ("tolerations, celeryTolerations", d.DeploymentConfig.validate_tolerations, "each item must be a mapping (or V1Toleration) -> else value_error."),
        ("securityContext", sc_mod.SecurityContextConfig.validate_security_context, "exactly one of runAsUser/runAsGroup truthy -> rejected ('requires both `user` and `group` or none'); 0 counts as unset, so runAsUser: 1000 with runAsGroup: 0 is rejected."),
        ("", d.validate_connections, "defined (artifactsStore/connections names must be unique) but NOT called by DeploymentConfig: duplicate connection names are accepted."),
    ])


def rules_v1(mod, sc_mod):
    d = mod
    agent_keys = ["polyaxonSecret", "internalToken", "passwordLength", "user", "globalReplicas", "globalConcurrency", "api", "scheduler",
                  "worker", "beat", "tablesHook", "apiHooks", "hooks", "flower", "postgresql", "redis", "rabbitmq-ha", "broker", "email",
                  "ldap", "intervals", "metrics", "organizationKey", "ui"]
    return rules([
        ("", d.validate_connections, "artifactsStore.name and every connections[].name must be unique -> else rejected ('A connection with name `x` must be unique')."),
        ("", d.validate_deployment_chart, "deploymentChart == 'agent' and agent is missing/null -> rejected ('Agent deployment requires a valid `agent` key')."),
        ("", d.validate_deployment_chart, "deploymentChart == 'platform' and agent is set (non-null, even {}) and environment != 'staging' -> rejected ('Platform deployment received an unexpected `agent` key'). deploymentChart unset skips both checks."),
        ("", d.check_postgres, "postgresql.enabled is exactly false and externalServices.postgresql is missing/null -> rejected ('A postgresql instance is required')."),
        ("", d.check_redis, "redis.enabled is true and externalServices.redis is set -> rejected ('not both')."),
        ("", d.check_redis, "(redis.enabled is true or externalServices.redis is set) and broker != 'redis' (including unset) and redis.nonBroker is not true -> rejected ('redis is enabled but you are using a different broker backend')."),
        ("", d.check_rabbitmq, "rabbitmq-ha.enabled is true and externalServices.rabbitmq is set -> rejected ('not both')."),
        ("", d.check_rabbitmq, "(rabbitmq-ha.enabled is true or externalServices.rabbitmq is set) and broker == 'redis' -> rejected ('rabbitmq is enabled but you are using a different broker backend')."),
        ("", d.validate_platform_deployment, "rabbitmq used and redis used as broker -> rejected ('don't need to deploy both'); unreachable in practice, the broker checks fire first."),
        ("", d.validate_platform_deployment, "any of scheduler/compiler/worker/beat has enabled: true while no broker (rabbitmq-ha/external rabbitmq/redis/external redis) is used -> rejected ('services that require a broker')."),
        ("", d.validate_gateway, "gateway.service.type, when set, must be LoadBalancer, NodePort or ClusterIP -> else rejected ('Received an invalid gateway service type')."),
        ("", d.wrong_agent_deployment_keys, "deploymentChart == 'agent' and any of these keys is non-null -> rejected ('Agent deployment received some keys that are not required'): " + ", ".join(agent_keys) + "."),
        ("", d.DeploymentSchema.validate_deployment, "validates_schema hooks: run only when no field has an error (marshmallow skip_on_field_errors); reported under _schema (loc ''). validate_connections runs first, then validate_deployment (chart, platform, gateway, agent keys)."),
        ("securityContext", sc_mod.validate_security_context, "exactly one of runAsUser/runAsGroup truthy -> rejected ('requires both `user` and `group` or none'); 0 counts as unset."),
    ])


def rules_v06(mod, sc_mod, p_mod):
    d = mod
    return rules([
        ("", d.check_redis, "redis.enabled is exactly false and externalServices.redis is missing/null -> rejected ('A redis instance is required')."),
        ("", d.check_postgres, "postgresql.enabled is exactly false and externalServices.postgresql is missing/null -> rejected ('A postgresql instance is required')."),
        ("", d.check_rabbitmq, "rabbitmq-ha.enabled is exactly false and broker != 'redis' (including unset) and externalServices.rabbitmq is missing/null -> rejected ('Rabbitmq is used as a broker, an instance is required')."),
        ("", d.DeploymentSchema.validate_deployment, "the three checks run as a validates_schema hook (only when no field has an error) and again in DeploymentConfig.__init__ (post_load); reported under _schema (loc ''). No 'not both' rules: in-cluster and external services may both be set, and redis + rabbitmq together are accepted."),
        ("securityContext", sc_mod.validate_security_context, "exactly one of securityContext.user/group truthy -> rejected ('requires both `user` and `group` or none'); 0 counts as unset."),
        ("persistence.logs|repos|upload, persistence.data.*, persistence.outputs.*", p_mod.validate_persistence, "at most one of existingClaim, hostPath, store may be set -> else rejected ('Only one of the option existingClaim, hostPath, and store')."),
        ("persistence.data, persistence.outputs", p_mod.validate_named_persistence, "every value of these dicts must load as a PersistenceEntity (keys existingClaim, mountPath, hostPath, store in s3|gcs|azure, bucket, secret, secretKey, readOnly; unknown keys rejected) -> else rejected ('Persistence name `x` under `data` is not valid')."),
    ])


NOTES = {
    "pydantic": [
        "pydantic 2 lax mode: plain bool accepts true/false, 0/1 and the strings 'true','false','yes','no','on','off','1','0','t','f','y','n' (any case); int accepts integral floats and numeric strings unless strict; str accepts only strings.",
        "StrictInt/StrictStr fields (strict: true) accept only that exact YAML type: port: '8000' is rejected.",
        "Polyaxon's models set populate_by_name: a field is also accepted under its Python attribute name (also_accepts).",
        "Errors are collected for every field; the model validators (cross-field rules) run only when all fields are valid.",
    ],
    "marshmallow": [
        "marshmallow Bool accepts true/false, 0/1 and strings such as 'true','false','yes','no','on','off','1','0','t','f','y','n'; Int (strict: false) accepts integral floats and numeric strings; Str accepts only strings.",
        "Field errors are collected across the whole file; validates_schema hooks (cross-field rules) are skipped when any field has an error.",
        "Only the data key is accepted (the Python attribute name is an unknown key).",
    ],
}


def agent_rejects(read, root):
    """Top-level keys the validator refuses in an agent deployment
    (`deploymentChart: agent`), found by asking it about each key with a
    value of that key's type; [] where the base file is refused already."""
    import tempfile

    def refused(extra):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"deploymentChart": "agent", "agent": {"instance": "org.agent.uuid", "token": "t"}, **extra}, f)
        try:
            read(f.name)
            return False
        except Exception as e:  # noqa: B902 - any refusal; the message says which kind
            return "Agent deployment received some keys" in str(e)
        finally:
            os.remove(f.name)

    samples = {"object": {}, "dict": {}, "list": [], "str": "x", "int": 1, "float": 1.0, "bool": True}
    if refused({}):
        return []
    out = []
    for name, field in sorted(root.get("fields", {}).items()):
        enum = [e for e in field.get("enum", []) if e is not None]
        sample = enum[0] if enum else samples.get(field.get("type"), "x")
        if name not in ("deploymentChart", "agent") and refused({name: sample}):
            out.append(name)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="output file (default: stdout)")
    args = ap.parse_args()

    try:
        import polyaxon._deploy.schemas.deployment as dep
        import polyaxon._deploy.schemas.security_context as sc

        ex = Pydantic()
        root = ex.model(dep.DeploymentConfig)
        validator = {"package": "polyaxon", "version": dist_version("polyaxon"), "framework_version": dist_version("pydantic"),
                     "entrypoint": "polyaxon._deploy.schemas.deployment.DeploymentConfig.read(path)"}
        validators = rules_v2(dep, sc)
        root["agent_rejects"] = agent_rejects(dep.DeploymentConfig.read, root)
    except ImportError:
        try:
            import polyaxon.deploy.schemas.deployment as dep
            import polyaxon.deploy.schemas.security_context as sc

            ex = Marshmallow()
            root = ex.schema(dep.DeploymentConfig.SCHEMA(unknown=dep.DeploymentConfig.UNKNOWN_BEHAVIOUR))
            validator = {"package": "polyaxon", "version": dist_version("polyaxon"), "framework_version": dist_version("marshmallow"),
                         "entrypoint": "polyaxon.deploy.schemas.deployment.DeploymentConfig.read(path)"}
            validators = rules_v1(dep, sc)
            root["agent_rejects"] = agent_rejects(dep.DeploymentConfig.read, root)
        except ImportError:
            import polyaxon_deploy.schemas.deployment as dep
            import polyaxon_deploy.schemas.persistence as pers
            import polyaxon_deploy.schemas.security_context as sc

            ex = Marshmallow()
            root = ex.schema(dep.DeploymentConfig.SCHEMA(unknown=dep.DeploymentConfig.UNKNOWN_BEHAVIOUR))
            validator = {"package": "polyaxon-deploy", "version": dist_version("polyaxon-deploy"), "framework_version": dist_version("marshmallow"),
                         "entrypoint": "polyaxon_deploy.reader.read([path]) (rhea.read, then DeploymentConfig.from_dict)"}
            validators = rules_v06(dep, sc, pers)
            # validate_named_persistence loads each entry of these maps as a
            # PersistenceEntity (from_dict: unknown keys rejected).
            entity = {**ex.schema(pers.PersistenceEntitySchema()), "extra": "forbid"}
            for name in ("data", "outputs"):
                field = root["fields"]["persistence"]["fields"].get(name)
                if field is not None:
                    field["values"] = entity
    validator["framework"] = ex.framework
    validator["python"] = "%d.%d" % sys.version_info[:2]
    root["nullable"] = False
    doc = {
        "format": FORMAT,
        "validator": validator,
        "framework_notes": NOTES[ex.framework],
        "root": root,
        "validators": validators,
    }
    if getattr(ex, "definitions", None):
        doc["definitions"] = ex.definitions
    text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if args.out:
        d = os.path.dirname(args.out)
        if d and not os.path.isdir(d):
            os.makedirs(d)
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
