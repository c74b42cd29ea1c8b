#!/usr/bin/env python3
"""Validate manifests against the generated JSON Schemas with a third-party validator.

Usage: check_schema.py SCHEMA_DIR PATH...   (files or directories of *.yaml / *.yml)
Exits 0 when every document validates against the schema of its kind, 1 otherwise.
"""
import json
import os
import sys

import jsonschema
import yaml


def manifest_files(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                        yield os.path.join(root, name)
        else:
            yield path


def main():
    schema_dir, paths = sys.argv[1], sys.argv[2:]
    schemas = {}
    for name in os.listdir(schema_dir):
        if name.endswith(".json"):
            with open(os.path.join(schema_dir, name)) as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            kind = schema["properties"]["kind"]["const"]
            schemas[kind] = jsonschema.Draft202012Validator(schema)
    failures = checked = 0
    for path in manifest_files(paths):
        with open(path) as f:
            documents = [d for d in yaml.safe_load_all(f) if d is not None]
        for i, doc in enumerate(documents):
            kind = doc.get("kind") if isinstance(doc, dict) else None
            validator = schemas.get(kind)
            if validator is None:
                print(f"{path}: document {i}: no schema for kind {kind!r}")
                failures += 1
                continue
            checked += 1
            for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
                where = ".".join(str(p) for p in error.path) or "(root)"
                print(f"{path}: document {i} ({kind}): {where}: {error.message}")
                failures += 1
    print(f"{checked} documents checked against {len(schemas)} schemas, {failures} failures")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
