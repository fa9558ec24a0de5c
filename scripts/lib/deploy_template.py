"""The deployment's CloudFormation templates, made from the files under ``infra/`` and the code.

What is written by hand lives in ``infra/``: ``resources.json`` (tables, secrets, staff user pool,
roles, gateway responses), ``site.json`` (the site bucket, origin access control, the distribution
with its ``/api/*`` behaviour) and ``operations.json`` (SES, the alarm topic). What would otherwise
be written a second time is made here from where it is defined:

* the response headers policies, from ``scripts/lib/portal_edge.py`` (the local server's headers;
  one source of the CSP);
* the CloudFront Functions' code, from ``infra/cloudfront/*.js`` and the built site's pages;
* the WAF web ACL (a stack of its own in us-east-1, where CloudFront takes web ACLs from), its
  rate-based rules scoped to the API's own routes (read from the Chalice app's route table);
* after ``chalice package``: every function's log group, errors and throttles alarms, every table's
  throttles alarm, the API's 5xx rate and the jobs' own figures, read from the packaged template,
  so a new function, job or table gets its alarms without a line here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from scripts.lib import portal_edge
from scripts.lib.deploy_stage import RateLimits, Stage
from scripts.lib.paths import REPO_ROOT

__all__ = [
    "FRAGMENTS",
    "LAMBDA_RUNTIME",
    "SITE_FUNCTIONS",
    "TemplateError",
    "add_operations",
    "api_route_regex",
    "edge_template",
    "function_code",
    "headers_policy",
    "job_function",
    "merged_fragment",
    "not_found_pages",
    "site_pages",
]

INFRA_DIR = REPO_ROOT / "infra"
FRAGMENTS = (INFRA_DIR / "resources.json", INFRA_DIR / "site.json", INFRA_DIR / "operations.json")
SITE_FUNCTIONS = {
    "SiteViewerRequestFunction": INFRA_DIR / "cloudfront" / "viewer-request.js",
    "SiteViewerResponseFunction": INFRA_DIR / "cloudfront" / "viewer-response.js",
}
# Chalice takes the runtime from the Python that packages (and downloads the wheels of the
# dependencies with compiled parts, pydantic-core and cryptography, for that Python): the runtime is
# the version the project is built and tested with, and the deploy refuses any other.
LAMBDA_RUNTIME = "python3.11"
# CloudFront Functions: the largest code it takes.
_FUNCTION_CODE_LIMIT = 10_240
_SECTIONS = ("Parameters", "Conditions", "Globals", "Resources", "Outputs")
# What WAF answers a client over a rate limit with: the API's error shape, in both languages (a
# web ACL cannot read Accept-Language for its own answers).
_RATE_LIMITED_BODY = json.dumps(
    {
        "error": {
            "code": "rate_limited",
            "message": "请求过于频繁，请几分钟后再试。 Too many requests: try again in a few minutes.",
            "fields": {},
        }
    },
    ensure_ascii=False,
)


class TemplateError(ValueError):
    """The infra files or the packaged template are not what the deployment needs (named)."""


# --------------------------------------------------------------------------- the merged fragment


def merged_fragment(stage: Stage, site_dir: Path, fragments: Iterable[Path] = FRAGMENTS) -> dict[str, Any]:
    """The template ``chalice package --merge-template`` takes: the infra files, each resource,
    parameter and output in exactly one of them, with the headers policies and function code."""
    merged: dict[str, Any] = {}
    for path in fragments:
        part = json.loads(path.read_text(encoding="utf-8"))
        for key, value in part.items():
            if key not in _SECTIONS:
                merged.setdefault(key, value)  # Description: the first file's
                continue
            section = merged.setdefault(key, {})
            twice = sorted(set(section) & set(value))
            if twice:
                raise TemplateError(f"{path.name}: {key} {', '.join(twice)} already defined in another file")
            section.update(value)
    resources = merged["Resources"]
    resources["PortalHeadersPolicy"] = headers_policy(
        "portal", portal_edge.response_headers(https=True, staff_sign_in_domain=stage.staff_sign_in_domain)
    )
    # The API's answers carry their own headers (api/chalicelib/web/security_headers.py, their own
    # CSP); CloudFront adds only what the API cannot know it is served with: HSTS.
    resources["ApiHeadersPolicy"] = headers_policy(
        "api",
        {"Strict-Transport-Security": portal_edge.STRICT_TRANSPORT_SECURITY.header()},
        override=False,
    )
    pages, missing = site_pages(site_dir), not_found_pages(site_dir)
    for name, source in SITE_FUNCTIONS.items():
        resources[name]["Properties"]["FunctionCode"] = function_code(source, pages, missing)
    return merged


def headers_policy(name: str, headers: Mapping[str, str], *, override: bool = True) -> dict[str, Any]:
    """A CloudFront response headers policy that sends exactly ``headers``: the security headers
    CloudFront knows by name in their own places, every other header as a custom header."""
    security: dict[str, Any] = {}
    custom: list[dict[str, Any]] = []
    for header, value in headers.items():
        key = header.lower()
        if key == "content-security-policy":
            security["ContentSecurityPolicy"] = {"ContentSecurityPolicy": value, "Override": override}
        elif key == "strict-transport-security":
            hsts = portal_edge.STRICT_TRANSPORT_SECURITY
            if value != hsts.header():
                raise TemplateError(f"HSTS {value!r} is not portal_edge's {hsts.header()!r}")
            security["StrictTransportSecurity"] = {
                "AccessControlMaxAgeSec": hsts.max_age_seconds,
                "IncludeSubdomains": hsts.include_subdomains,
                "Preload": hsts.preload,
                "Override": override,
            }
        elif key == "x-content-type-options":
            if value != "nosniff":
                raise TemplateError(f"X-Content-Type-Options {value!r}: CloudFront sends nosniff only")
            security["ContentTypeOptions"] = {"Override": override}
        elif key == "x-frame-options":
            security["FrameOptions"] = {"FrameOption": value.upper(), "Override": override}
        elif key == "referrer-policy":
            security["ReferrerPolicy"] = {"ReferrerPolicy": value, "Override": override}
        else:
            custom.append({"Header": header, "Value": value, "Override": override})
    config: dict[str, Any] = {
        "Name": {"Fn::Sub": f"${{AWS::StackName}}-{name}-headers"},
        "Comment": f"The {name}'s security headers, from scripts/lib/portal_edge.py",
        "SecurityHeadersConfig": security,
    }
    if custom:
        config["CustomHeadersConfig"] = {"Items": custom}
    return {
        "Type": "AWS::CloudFront::ResponseHeadersPolicy",
        "Properties": {"ResponseHeadersPolicyConfig": config},
    }


def site_pages(site_dir: Path) -> list[str]:
    """The built site's page addresses: every directory with an index.html, as ``/dir/``."""
    pages = []
    for index in sorted(site_dir.rglob("index.html")):
        relative = index.parent.relative_to(site_dir).as_posix()
        pages.append("/" if relative == "." else f"/{relative}/")
    if "/" not in pages:
        raise TemplateError(f"{site_dir} has no index.html: build the site first")
    return pages


def not_found_pages(site_dir: Path) -> list[tuple[str, str]]:
    """Each language's 404 page by address prefix, the longest prefix first and "/" last: a
    language's own when the build has one, else the default language's."""
    if not (site_dir / "404.html").is_file():
        raise TemplateError(f"{site_dir} has no 404.html")
    found = [
        (f"/{page.parent.relative_to(site_dir).as_posix()}/", f"/{page.relative_to(site_dir).as_posix()}")
        for page in sorted(site_dir.glob("*/404.html"))
    ]
    return [*found, ("/", "/404.html")]


def function_code(source: Path, pages: list[str], not_found: list[tuple[str, str]]) -> str:
    code = source.read_text(encoding="utf-8")
    code = code.replace("var PAGES = {};", f"var PAGES = {json.dumps(dict.fromkeys(pages, 1))};")
    code = code.replace(
        "var NOT_FOUND = [];",
        f"var NOT_FOUND = {json.dumps([{'prefix': prefix, 'page': page} for prefix, page in not_found])};",
    )
    if len(code.encode("utf-8")) > _FUNCTION_CODE_LIMIT:
        raise TemplateError(
            f"{source.name}: {len(code)} bytes with the site's pages, over CloudFront's 10 KB"
        )
    return code


# --------------------------------------------------------------------------- the edge stack (WAF)


def api_route_regex(paths: Iterable[str]) -> str:
    """A regular expression for these Chalice route paths under the portal's API_PATH: a path
    parameter is one segment."""
    alternatives = []
    for path in sorted(paths):
        segments = [
            "[^/]+" if re.fullmatch(r"\{[^}]+\}", segment) else re.escape(segment)
            for segment in path.split("/")
        ]
        alternatives.append("/".join(segments))
    return f"^{re.escape(portal_edge.API_PATH)}({'|'.join(alternatives)})$"


def rate_limited_routes(
    routes: Mapping[str, Iterable[str]], status_page: str
) -> dict[str, tuple[str, list[str]]]:
    """The public routes each rate limit covers (method, paths), read from the route table
    (``{path: methods}``): submissions, lookups (the public status, as JSON or the status page)
    and the complainant's actions on a case."""
    case = "/complaints/{tracking_no}"
    posts = sorted(path for path, methods in routes.items() if "POST" in methods)
    groups = {
        "submissions": ("POST", ["/complaints"]),
        "lookups": ("GET", [case, f"/{status_page}"]),
        "complainant_actions": ("POST", [path for path in posts if path.startswith(case + "/")]),
    }
    for name, (method, paths) in groups.items():
        absent = [path for path in paths if method not in routes.get(path, ())]
        if absent or not paths:
            raise TemplateError(f"the {name} rate limit names routes the API does not have: {absent}")
    return groups


def edge_template(
    limits: RateLimits, routes: Mapping[str, Iterable[str]], status_page: str
) -> dict[str, Any]:
    """The stack in us-east-1: the distribution's web ACL. Per client address and five minutes, a
    limit on submissions, on lookups and on complainant actions (answered 429 in the API's error
    shape); then AWS's managed common rule set."""
    rules: list[dict[str, Any]] = []
    for priority, (name, (method, paths)) in enumerate(rate_limited_routes(routes, status_page).items()):
        rules.append(
            {
                "Name": f"rate-{name.replace('_', '-')}",
                "Priority": priority,
                "Action": {
                    "Block": {
                        "CustomResponse": {"ResponseCode": 429, "CustomResponseBodyKey": "rate-limited"}
                    }
                },
                "Statement": {
                    "RateBasedStatement": {
                        "Limit": getattr(limits, name),
                        "EvaluationWindowSec": 300,
                        "AggregateKeyType": "IP",
                        "ScopeDownStatement": {
                            "AndStatement": {
                                "Statements": [
                                    {
                                        "ByteMatchStatement": {
                                            "FieldToMatch": {"Method": {}},
                                            "PositionalConstraint": "EXACTLY",
                                            "SearchString": method,
                                            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                                        }
                                    },
                                    {
                                        "RegexMatchStatement": {
                                            "FieldToMatch": {"UriPath": {}},
                                            "RegexString": api_route_regex(paths),
                                            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                                        }
                                    },
                                ]
                            }
                        },
                    }
                },
                "VisibilityConfig": _visibility(f"rate-{name}"),
            }
        )
    rules.append(
        {
            "Name": "aws-common-rule-set",
            "Priority": len(rules),
            "OverrideAction": {"None": {}},
            "Statement": {
                "ManagedRuleGroupStatement": {
                    "VendorName": "AWS",
                    "Name": "AWSManagedRulesCommonRuleSet",
                    # Its body limit is 8 KB; the API takes up to MAX_BODY_BYTES (64 KB) and refuses
                    # more itself with a 413 in the caller's language. Counted, not blocked.
                    "RuleActionOverrides": [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}],
                }
            },
            "VisibilityConfig": _visibility("aws-common-rule-set"),
        }
    )
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "The complaint portal's edge: the CloudFront distribution's WAF web ACL (made by scripts/lib/deploy_template.py; CloudFront takes web ACLs from us-east-1 only).",
        "Resources": {
            "WebAcl": {
                "Type": "AWS::WAFv2::WebACL",
                "Properties": {
                    "Name": {"Ref": "AWS::StackName"},
                    "Scope": "CLOUDFRONT",
                    "DefaultAction": {"Allow": {}},
                    "CustomResponseBodies": {
                        "rate-limited": {"ContentType": "APPLICATION_JSON", "Content": _RATE_LIMITED_BODY}
                    },
                    "Rules": rules,
                    "VisibilityConfig": _visibility("web-acl"),
                },
            }
        },
        "Outputs": {"WebAclArn": {"Value": {"Fn::GetAtt": ["WebAcl", "Arn"]}}},
    }


def _visibility(name: str) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


# --------------------------------------------------------------------------- after chalice package


def job_function(job_name: str) -> str:
    """The packaged template's resource name of a job's function (Chalice's naming)."""
    return "".join(part.title() for part in job_name.split("_"))


def add_operations(template: dict[str, Any], *, jobs: Iterable[str], jobs_namespace: str) -> dict[str, Any]:
    """``template`` (the packaged one) with every function's log group and alarms, every table's
    throttles alarm, the API's 5xx rate alarm and the jobs' alarms (on the counts their functions
    write as embedded metrics under ``jobs_namespace``); each function's runtime checked."""
    resources: dict[str, Any] = template["Resources"]
    functions = sorted(name for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function")
    tables = sorted(name for name, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table")
    job_functions = {job_function(job): job for job in jobs}
    added: dict[str, Any] = {}
    for name in functions:
        properties = resources[name]["Properties"]
        if properties["Runtime"] != LAMBDA_RUNTIME:
            raise TemplateError(f"{name} runs {properties['Runtime']}, not {LAMBDA_RUNTIME}")
        log_group = f"{name}LogGroup"
        added[log_group] = {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {"RetentionInDays": {"Ref": "LogRetentionDays"}},
        }
        properties["LoggingConfig"] = {"LogGroup": {"Ref": log_group}, "LogFormat": "Text"}
        what = f"a run of the job {job_functions[name]} failed" if name in job_functions else f"{name} raised"
        added[f"{name}ErrorsAlarm"] = _alarm(
            f"{what} (Lambda errors ≥ 1 in 5 minutes)",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": {"Ref": name}},
        )
        added[f"{name}ThrottlesAlarm"] = _alarm(
            f"{name} was throttled (≥ 1 in 5 minutes)",
            "AWS/Lambda",
            "Throttles",
            {"FunctionName": {"Ref": name}},
        )
    for name in tables:
        added[f"{name}ThrottlesAlarm"] = _table_throttles_alarm(name)
    added["Api5xxRateAlarm"] = _api_5xx_alarm(resources["RestAPI"]["Properties"])
    missing = [job for function, job in job_functions.items() if function not in resources]
    if missing:
        raise TemplateError(f"jobs without a function in the packaged template: {missing}")
    added["FailedDeliveriesAlarm"] = _alarm(
        "The outbox's delivery failed for messages it will not retry (deliver_outbox counted failed ≥ 1).",
        jobs_namespace,
        "failed",
        {"Function": {"Ref": job_function("deliver_outbox")}},
    )
    added["OverdueCasesAlarm"] = _alarm(
        "The supervisors' daily digest counted more overdue cases than OverdueCasesAlarmThreshold.",
        jobs_namespace,
        "overdue",
        {"Function": {"Ref": job_function("daily_digest")}},
        statistic="Maximum",
        period=86_400,
        threshold={"Ref": "OverdueCasesAlarmThreshold"},
        comparison="GreaterThanThreshold",
    )
    twice = sorted(set(added) & set(resources))
    if twice:
        raise TemplateError(f"resources made here are already in the template: {twice}")
    resources.update(added)
    return template


def _alarm(
    description: str,
    namespace: str,
    metric: str,
    dimensions: Mapping[str, Any],
    *,
    statistic: str = "Sum",
    period: int = 300,
    threshold: Any = 1,
    comparison: str = "GreaterThanOrEqualToThreshold",
) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "Namespace": namespace,
            "MetricName": metric,
            "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions.items()],
            "Statistic": statistic,
            "Period": period,
            "EvaluationPeriods": 1,
            "Threshold": threshold,
            "ComparisonOperator": comparison,
            # No data: nothing ran, nothing failed.
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    }


def _metric(metric_id: str, namespace: str, name: str, dimensions: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Id": metric_id,
        "ReturnData": False,
        "MetricStat": {
            "Metric": {
                "Namespace": namespace,
                "MetricName": name,
                "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions.items()],
            },
            "Period": 300,
            "Stat": "Sum",
        },
    }


def _metrics_alarm(
    description: str, metrics: list[dict[str, Any]], threshold: float, comparison: str
) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "Metrics": metrics,
            "EvaluationPeriods": 1,
            "Threshold": threshold,
            "ComparisonOperator": comparison,
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    }


def _table_throttles_alarm(table: str) -> dict[str, Any]:
    dimensions = {"TableName": {"Ref": table}}
    return _metrics_alarm(
        f"{table}: DynamoDB throttled reads or writes (≥ 1 in 5 minutes)",
        [
            _metric("reads", "AWS/DynamoDB", "ReadThrottleEvents", dimensions),
            _metric("writes", "AWS/DynamoDB", "WriteThrottleEvents", dimensions),
            {
                "Id": "throttles",
                "Label": "throttle events",
                "Expression": "FILL(reads, 0) + FILL(writes, 0)",
                "ReturnData": True,
            },
        ],
        1,
        "GreaterThanOrEqualToThreshold",
    )


def _api_5xx_alarm(rest_api: Mapping[str, Any]) -> dict[str, Any]:
    dimensions = {"ApiName": rest_api["DefinitionBody"]["info"]["title"], "Stage": rest_api["StageName"]}
    return _metrics_alarm(
        "More than 5% of the API's answers in 5 minutes were 5xx (at least 20 requests)",
        [
            _metric("errors", "AWS/ApiGateway", "5XXError", dimensions),
            _metric("requests", "AWS/ApiGateway", "Count", dimensions),
            {
                "Id": "rate",
                "Label": "5xx share",
                "Expression": "IF(requests >= 20, errors / requests, 0)",
                "ReturnData": True,
            },
        ],
        0.05,
        "GreaterThanThreshold",
    )
