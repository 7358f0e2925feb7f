#!/usr/bin/env python3
"""Extract the request-body schemas of the Ashby endpoints atsbridge uses from Ashby's OpenAPI
definition, with every $ref resolved and documentation keys dropped, as compact test data.

Usage:
    python3 conformance-tests/tools/extract_request_schemas.py PATH/TO/ashby-openapi.yml \
        > conformance-tests/schemas/ashby-requests.json

Needs PyYAML (`pip install pyyaml`). See conformance-tests/schemas/README.md for the source.
"""

import hashlib
import json
import sys

import yaml

# Endpoints the Ashby adapter calls or may call. Add one here and regenerate when it starts
# calling another; the conformance suite fails on a request to an endpoint not listed.
ENDPOINTS = [
    "apiKey.info",
    "application.changeSource",
    "application.changeStage",
    "application.create",
    "application.info",
    "application.list",
    "application.listHistory",
    "application.update",
    "archiveReason.list",
    "candidate.addEmailMessage",
    "candidate.addTag",
    "candidate.create",
    "candidate.createNote",
    "candidate.info",
    "candidate.list",
    "candidate.listNotes",
    "candidate.search",
    "candidate.update",
    "candidateTag.create",
    "candidateTag.list",
    "communicationTemplate.list",
    "customField.list",
    "customField.setValue",
    "customField.setValues",
    "department.list",
    "hiringTeamRole.list",
    "interview.list",
    "interviewEvent.list",
    "interviewPlan.list",
    "interviewSchedule.cancel",
    "interviewSchedule.create",
    "interviewSchedule.list",
    "interviewSchedule.update",
    "interviewStage.info",
    "interviewStage.list",
    "job.info",
    "job.list",
    "job.search",
    "jobInterviewPlan.info",
    "location.list",
    "source.list",
    "user.info",
    "user.list",
    "user.search",
    "webhook.create",
    "webhook.delete",
]

# Keys that only document; dropped from the extract.
DOC_KEYS = {"description", "example", "examples", "title", "x-readme", "externalDocs", "deprecated", "readOnly", "writeOnly"}


def resolve(node, root, seen=()):
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                return {}
            target = root
            for part in ref.lstrip("#/").split("/"):
                key = part.replace("~1", "/").replace("~0", "~")
                target = target[int(key)] if isinstance(target, list) else target[key]
            merged = resolve(target, root, seen + (ref,))
            extra = {k: v for k, v in node.items() if k != "$ref"}
            if extra:
                merged = dict(merged)
                merged.update(resolve(extra, root, seen))
            return merged
        return {k: resolve(v, root, seen) for k, v in node.items() if k not in DOC_KEYS}
    if isinstance(node, list):
        return [resolve(v, root, seen) for v in node]
    return node


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    with open(path, "rb") as f:
        raw = f.read()
    spec = yaml.safe_load(raw)
    endpoints = {}
    for name in ENDPOINTS:
        op = spec.get("paths", {}).get("/" + name, {}).get("post")
        if op is None:
            continue
        content = (op.get("requestBody") or {}).get("content", {})
        schema = (content.get("application/json") or {}).get("schema")
        endpoints["/" + name] = resolve(schema, spec) if schema else {"type": "object", "properties": {}}
    out = {
        "source": "Ashby OpenAPI definition (api-evangelist/ashby-hq openapi/_original/ashby-openapi.yml "
        "@ 2e9efb92e08d669dd4be2ec2b4d25689adec720e), request bodies only",
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "generated_by": "conformance-tests/tools/extract_request_schemas.py",
        "endpoints": endpoints,
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
