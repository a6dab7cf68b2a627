#!/usr/bin/env python3
"""Runs Polyaxon's own deployment-config validator (polyaxon 2.15.1) over
values files and prints one JSON line per file:

    {"path": ..., "accepted": true|false, "errors": [{"loc": "email.port", "type": ..., "msg": ...}]}

`loc` is the dotted key of each pydantic error ("" for whole-file rules).
Used by the linter's agreement test; needs `pip install polyaxon==2.15.1`.
"""
import json
import sys

from polyaxon._deploy.schemas.deployment import DeploymentConfig


def main():
    for path in sys.argv[1:]:
        errors = []
        try:
            DeploymentConfig.read(path)
        except Exception as e:  # pydantic ValidationError, or Polyaxon's SchemaError for unreadable files
            raw = e.errors() if hasattr(e, "errors") and callable(e.errors) else [{"loc": (), "type": type(e).__name__, "msg": str(e)}]
            for err in raw:
                loc = ".".join(str(part) for part in err.get("loc", ()))
                errors.append({"loc": loc, "type": err.get("type", ""), "msg": str(err.get("msg", ""))[:300]})
        print(json.dumps({"path": path, "accepted": not errors, "errors": errors}))


if __name__ == "__main__":
    main()
