"""The deployment's calls to AWS, and nothing else: a thin layer over boto3 clients.

``scripts/lib/deploy.py`` decides what to deploy and calls these with clients it makes; every
function here takes its client, so the tests run them against moto's in-process mock
(tests/integration/test_deploy_aws.py) where moto has the calls (CloudFormation, S3, CloudFront,
SNS, STS).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

__all__ = [
    "DeployError",
    "artifacts_bucket_name",
    "cache_control",
    "content_type",
    "deploy_stack",
    "ensure_artifacts_bucket",
    "invalidate_everything",
    "set_sms_attributes",
    "stack_outputs",
    "upload_artifact",
    "upload_site",
]

# How long a stack may take: a new CloudFront distribution alone takes some minutes.
_WAITER = {"Delay": 15, "MaxAttempts": 240}
# Material's own files carry a hash of their content in their name: cached for a year. Everything
# else (pages, the portal's scripts and styles) for five minutes; each deployment invalidates the
# distribution's copies.
_HASHED = re.compile(r"\.[0-9a-f]{8,}\.min\.(js|css)$")
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".gz": "application/gzip",
    ".txt": "text/plain; charset=utf-8",
    ".webmanifest": "application/manifest+json",
}


class DeployError(RuntimeError):
    """A deployment step AWS refused or that ended in a failed state (the stack's reason named)."""


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str] | None:
    """The stack's outputs, or None when there is no such stack."""
    try:
        [stack] = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def deploy_stack(
    cloudformation: Any,
    stack_name: str,
    *,
    parameters: Mapping[str, str],
    capabilities: Iterable[str] = (),
    template_body: str | None = None,
    template_url: str | None = None,
) -> dict[str, str]:
    """Create the stack, or update it to this template and parameters (no change is no error);
    wait until it is complete and return its outputs."""
    source = {"TemplateBody": template_body} if template_body is not None else {"TemplateURL": template_url}
    arguments: dict[str, Any] = {
        "StackName": stack_name,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        "Capabilities": list(capabilities),
        **source,
    }
    if stack_outputs(cloudformation, stack_name) is None:
        cloudformation.create_stack(**arguments, EnableTerminationProtection=True)
        waiter = "stack_create_complete"
    else:
        try:
            cloudformation.update_stack(**arguments)
        except ClientError as error:
            if "No updates are to be performed" not in str(error):
                raise
            return stack_outputs(cloudformation, stack_name) or {}
        waiter = "stack_update_complete"
    try:
        cloudformation.get_waiter(waiter).wait(StackName=stack_name, WaiterConfig=_WAITER)
    except Exception as error:  # the waiter's own error says only "failed"
        raise DeployError(f"{stack_name}: {_failure_reason(cloudformation, stack_name)}") from error
    return stack_outputs(cloudformation, stack_name) or {}


def _failure_reason(cloudformation: Any, stack_name: str) -> str:
    events = cloudformation.describe_stack_events(StackName=stack_name)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"].endswith("_FAILED")]
    if not failed:
        return "the stack did not complete"
    first = failed[-1]  # events are newest first: the first failure caused the rest
    return f"{first['LogicalResourceId']} {first['ResourceStatus']}: {first.get('ResourceStatusReason', '')}"


def artifacts_bucket_name(stack_name: str, account: str, region: str) -> str:
    return f"{stack_name.lower()}-artifacts-{account}-{region}"[:63]


def ensure_artifacts_bucket(s3: Any, name: str, region: str) -> str:
    """A private bucket for the stack's code and template (made once, before the stack exists)."""
    try:
        s3.head_bucket(Bucket=name)
        return name
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **location)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    return name


def upload_artifact(s3: Any, bucket: str, path: Path, prefix: str) -> str:
    """Upload ``path`` under its content's hash (a re-run uploads nothing new); its key."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    key = f"{prefix}/{digest}-{path.name}"
    s3.upload_file(str(path), bucket, key)
    return key


def content_type(path: Path) -> str:
    return _CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def cache_control(key: str) -> str:
    if _HASHED.search(key):
        return "public, max-age=31536000, immutable"
    return "public, max-age=300"


def upload_site(s3: Any, bucket: str, site_dir: Path, not_found_pages: Iterable[str]) -> tuple[int, int]:
    """Make the bucket hold exactly the built site: every file with its type and caching, each 404
    page marked with the status it is answered with (infra/cloudfront/viewer-response.js), every
    other object deleted (the bucket's versions keep them 30 days). How many put, how many deleted."""
    not_found = {page.lstrip("/") for page in not_found_pages}
    keys = set()
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        key = path.relative_to(site_dir).as_posix()
        keys.add(key)
        extra: dict[str, Any] = {"ContentType": content_type(path), "CacheControl": cache_control(key)}
        if key in not_found:
            extra["Metadata"] = {"portal-status": "404"}
        s3.upload_file(str(path), bucket, key, ExtraArgs=extra)
    stale = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        stale += [item["Key"] for item in page.get("Contents", []) if item["Key"] not in keys]
    for start in range(0, len(stale), 1000):
        batch = [{"Key": key} for key in stale[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    return len(keys), len(stale)


def invalidate_everything(cloudfront: Any, distribution_id: str) -> str:
    """Invalidate every cached copy (one path, ``/*``, counts as one: the first 1 000 a month are
    free); the invalidation's id."""
    answer = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"deploy-{time.time_ns()}",
        },
    )
    invalidation_id: str = answer["Invalidation"]["Id"]
    return invalidation_id


def set_sms_attributes(sns: Any, *, sender_id: str, monthly_spend_limit_usd: int) -> None:
    """The account's text-message settings in the stack's region (CloudFormation has no resource
    for them): transactional messages, the monthly spend limit, the sender id where given."""
    attributes = {"DefaultSMSType": "Transactional", "MonthlySpendLimit": str(monthly_spend_limit_usd)}
    if sender_id:
        attributes["DefaultSenderID"] = sender_id
    sns.set_sms_attributes(attributes=attributes)
