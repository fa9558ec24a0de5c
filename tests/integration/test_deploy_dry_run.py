"""``./scripts/deploy test --dry-run`` builds every artifact and validates it (cfn-lint clean), and
the templates it makes hold what a security review asks of the deployment."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from chalicelib.jobs.handlers import METRICS_NAMESPACE
from chalicelib.jobs.registry import JOBS
from chalicelib.services.message_delivery import DeliveryCounts
from scripts.lib import portal_edge
from scripts.lib.deploy_stage import load_stage
from scripts.lib.deploy_template import LAMBDA_RUNTIME, TemplateError, headers_policy, job_function

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "test"
# CloudFront's managed policies (the same ids in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
CONFIG = json.loads((ROOT / "api" / ".chalice" / "config.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dry_run() -> subprocess.CompletedProcess[str]:
    shutil.rmtree(BUILD, ignore_errors=True)
    # No credentials at all: the dry run never needs them.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run(
        [str(ROOT / "scripts" / "deploy"), "test", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return done


@pytest.fixture(scope="module")
def template(dry_run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert dry_run.returncode == 0, dry_run.stdout + dry_run.stderr
    document: dict[str, Any] = json.loads((BUILD / "api" / "template.json").read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"]
    return found


@pytest.fixture(scope="module")
def edge(dry_run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert dry_run.returncode == 0, dry_run.stdout + dry_run.stderr
    document: dict[str, Any] = json.loads((BUILD / "edge.json").read_text(encoding="utf-8"))
    return document


def _of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def test_the_dry_run_builds_every_artifact_and_deploys_nothing(
    dry_run: subprocess.CompletedProcess[str],
) -> None:
    assert dry_run.returncode == 0, dry_run.stdout + dry_run.stderr
    assert "==> cfn-lint" in dry_run.stdout
    assert "--dry-run: nothing deployed" in dry_run.stdout
    for artifact in (
        "site/index.html",
        "site/en/index.html",
        "api/deployment.zip",
        "api/template.json",
        "edge.json",
    ):
        assert (BUILD / artifact).is_file(), artifact
    parameters = json.loads((BUILD / "parameters.json").read_text(encoding="utf-8"))
    stage = load_stage("test")
    assert parameters[stage.stack_name]["parameters"]["PortalOrigin"] == "https://test.portal.park.example.cn"
    assert parameters[stage.stack_name]["parameters"]["MailDomain"] == "park.example.cn"


def test_the_api_is_under_api_on_the_distribution_uncached_without_the_host_header(
    resources: dict[str, Any],
) -> None:
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    [behaviour] = [b for b in config["CacheBehaviors"] if b["PathPattern"] == f"{portal_edge.API_PATH}/*"]
    [origin] = [o for o in config["Origins"] if o["Id"] == behaviour["TargetOriginId"]]
    assert origin["DomainName"] == {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    # No origin path: /api/x reaches the stage named api, route /x.
    assert "OriginPath" not in origin
    assert resources["RestAPI"]["Properties"]["StageName"] == portal_edge.API_PATH.strip("/")
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert set(behaviour["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "ApiHeadersPolicy"}
    site = config["DefaultCacheBehavior"]
    assert site["ResponseHeadersPolicyId"] == {"Ref": "PortalHeadersPolicy"}
    assert site["ViewerProtocolPolicy"] == "redirect-to-https"
    events = {a["EventType"] for a in site["FunctionAssociations"]}
    assert events == {"viewer-request", "viewer-response"}


def _headers(policy: dict[str, Any]) -> dict[str, str]:
    """The headers a response headers policy sends, read back as CloudFront sends them."""
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    headers = {}
    if "ContentSecurityPolicy" in security:
        headers["Content-Security-Policy"] = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    if "ContentTypeOptions" in security:
        headers["X-Content-Type-Options"] = "nosniff"
    if "FrameOptions" in security:
        headers["X-Frame-Options"] = security["FrameOptions"]["FrameOption"]
    if "ReferrerPolicy" in security:
        headers["Referrer-Policy"] = security["ReferrerPolicy"]["ReferrerPolicy"]
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        parts = [f"max-age={hsts['AccessControlMaxAgeSec']}"]
        parts += ["includeSubDomains"] * hsts["IncludeSubdomains"] + ["preload"] * hsts["Preload"]
        headers["Strict-Transport-Security"] = "; ".join(parts)
    for item in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[item["Header"]] = item["Value"]
    return headers


def test_the_portals_headers_policy_sends_the_local_servers_headers_and_hsts(
    resources: dict[str, Any],
) -> None:
    stage = load_stage("test")
    expected = portal_edge.response_headers(https=True, staff_sign_in_domain=stage.staff_sign_in_domain)
    sent = _headers(resources["PortalHeadersPolicy"])
    assert sent == expected
    # The same CSP as the local server's, with the stage's sign-in origin for the console's token call.
    local = portal_edge.response_headers(https=False, staff_sign_in_domain=stage.staff_sign_in_domain)
    assert sent["Content-Security-Policy"] == local["Content-Security-Policy"]
    assert f"connect-src 'self' {stage.staff_sign_in_domain};" in sent["Content-Security-Policy"]
    assert sent["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"
    assert "frame-ancestors 'none'" in sent["Content-Security-Policy"]
    # The API keeps its own headers; CloudFront adds HSTS only, overriding nothing.
    assert _headers(resources["ApiHeadersPolicy"]) == {
        "Strict-Transport-Security": sent["Strict-Transport-Security"]
    }


def test_a_headers_policy_refuses_an_hsts_other_than_the_definition() -> None:
    with pytest.raises(TemplateError, match="HSTS"):
        headers_policy("portal", {"Strict-Transport-Security": "max-age=60"})


def test_the_site_bucket_is_private_encrypted_versioned_and_read_by_this_distribution_only(
    resources: dict[str, Any],
) -> None:
    bucket = resources["SiteBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    statements = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    [allow] = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert "${SiteDistribution}" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    [site] = [o for o in config["Origins"] if o["Id"] == config["DefaultCacheBehavior"]["TargetOriginId"]]
    assert site["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert site["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy identity besides OAC


def test_the_web_acl_is_attached_and_limits_submissions_lookups_and_complainant_actions(
    resources: dict[str, Any], edge: dict[str, Any]
) -> None:
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    assert config["WebACLId"] == {"Ref": "WebAclArn"}
    acl = edge["Resources"]["WebAcl"]["Properties"]
    assert acl["Scope"] == "CLOUDFRONT"
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    managed = rules["aws-common-rule-set"]["Statement"]["ManagedRuleGroupStatement"]
    assert (managed["VendorName"], managed["Name"]) == ("AWS", "AWSManagedRulesCommonRuleSet")
    limits = load_stage("test").rate_limits

    def scope(name: str) -> tuple[int, str, re.Pattern[str]]:
        statement = rules[name]["Statement"]["RateBasedStatement"]
        method, path = statement["ScopeDownStatement"]["AndStatement"]["Statements"]
        assert statement["AggregateKeyType"] == "IP"
        assert rules[name]["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
        regex = path["RegexMatchStatement"]["RegexString"]
        return statement["Limit"], method["ByteMatchStatement"]["SearchString"], re.compile(regex)

    limit, method, submissions = scope("rate-submissions")
    assert (limit, method) == (limits.submissions, "POST")
    assert submissions.match("/api/complaints")
    assert not submissions.match("/api/complaints/GB2027X/feedback")
    limit, method, lookups = scope("rate-lookups")
    assert (limit, method) == (limits.lookups, "GET")
    assert lookups.match("/api/complaints/TS20270105ABCD")
    assert lookups.match("/api/status-page")
    assert not lookups.match("/api/complaints/TS20270105ABCD/feedback")
    assert not lookups.match("/api/meta")
    limit, method, actions = scope("rate-complainant-actions")
    assert (limit, method) == (limits.complainant_actions, "POST")
    for action in ("information", "feedback", "review", "withdraw"):
        assert actions.match(f"/api/complaints/TS20270105ABCD/{action}")
    assert not actions.match("/api/complaints")
    body = json.loads(acl["CustomResponseBodies"]["rate-limited"]["Content"])
    assert set(body["error"]) == {"code", "message", "fields"}


def test_every_scheduled_job_is_a_function_on_its_rule(resources: dict[str, Any]) -> None:
    functions = _of_type(resources, "AWS::Serverless::Function")
    for job in JOBS:
        properties = functions[job_function(job.name)]["Properties"]
        [event] = properties["Events"].values()
        assert event["Type"] == "Schedule"
        assert event["Properties"]["Schedule"] == job.schedule.expression()


def test_every_table_has_point_in_time_recovery_and_deletion_protection(resources: dict[str, Any]) -> None:
    tables = _of_type(resources, "AWS::DynamoDB::Table")
    assert tables
    for name, table in tables.items():
        properties = table["Properties"]
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert properties["DeletionProtectionEnabled"] is True, name


def test_every_function_has_its_runtime_memory_log_group_and_alarms(resources: dict[str, Any]) -> None:
    functions = _of_type(resources, "AWS::Serverless::Function")
    alarms = _of_type(resources, "AWS::CloudWatch::Alarm")
    memory = {
        name: settings.get("lambda_memory_size", CONFIG["lambda_memory_size"])
        for name, settings in CONFIG.get("lambda_functions", {}).items()
    }
    for name, function in functions.items():
        properties = function["Properties"]
        assert properties["Runtime"] == LAMBDA_RUNTIME
        assert properties["LoggingConfig"]["LogGroup"] == {"Ref": f"{name}LogGroup"}
        for metric in ("Errors", "Throttles"):
            alarm = alarms[f"{name}{metric}Alarm"]["Properties"]
            assert alarm["MetricName"] == metric
            assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": name}}]
    # Set on purpose in api/.chalice/config.json (the README says why): a full vCPU for what people
    # wait on (the API, the staff authorizer, the monthly report's workbook), the default for jobs.
    assert functions["APIHandler"]["Properties"]["MemorySize"] == memory["api_handler"] == 1769
    assert functions["StaffAuthorizer"]["Properties"]["MemorySize"] == memory["staff_authorizer"]
    for job in JOBS:
        expected = memory.get(job.name, CONFIG["lambda_memory_size"])
        assert functions[job_function(job.name)]["Properties"]["MemorySize"] == expected
    for name in _of_type(resources, "AWS::DynamoDB::Table"):
        assert f"{name}ThrottlesAlarm" in alarms
    for required in ("Api5xxRateAlarm", "FailedDeliveriesAlarm", "OverdueCasesAlarm", "MailBounceRateAlarm"):
        assert required in alarms
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    failed = alarms["FailedDeliveriesAlarm"]["Properties"]
    assert failed["Namespace"] == METRICS_NAMESPACE
    assert failed["MetricName"] in DeliveryCounts().as_counts()
    assert failed["Dimensions"] == [{"Name": "Function", "Value": {"Ref": job_function("deliver_outbox")}}]
    overdue = alarms["OverdueCasesAlarm"]["Properties"]
    assert overdue["Namespace"] == METRICS_NAMESPACE
    assert overdue["MetricName"] == "overdue"  # daily_digest's count (tests/unit/test_chasing.py)
    assert overdue["Threshold"] == {"Ref": "OverdueCasesAlarmThreshold"}
    assert overdue["Dimensions"] == [{"Name": "Function", "Value": {"Ref": job_function("daily_digest")}}]


def test_ses_sends_through_the_stacks_configuration_set(resources: dict[str, Any]) -> None:
    identity = resources["MailIdentity"]["Properties"]
    assert identity["EmailIdentity"] == {"Ref": "MailDomain"}
    assert identity["ConfigurationSetAttributes"] == {"ConfigurationSetName": {"Ref": "MailConfigurationSet"}}


_NODE_HARNESS = """
const fs = require('fs');
const code = fs.readFileSync(process.argv[1], 'utf8');
const handler = new Function(code + '; return handler;')();
const cases = JSON.parse(process.argv[2]);
console.log(JSON.stringify(cases.map((event) => handler(event))));
"""


def _run_function(resources: dict[str, Any], name: str, events: list[dict[str, Any]], tmp: Path) -> list[Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the CloudFront Functions (npm's node, as ./scripts/test installs)")
    source = tmp / f"{name}.js"
    source.write_text(resources[name]["Properties"]["FunctionCode"], encoding="utf-8")
    done = subprocess.run(
        [node, "-e", _NODE_HARNESS, str(source), json.dumps(events)],
        capture_output=True,
        text=True,
        check=True,
    )
    answers: list[Any] = json.loads(done.stdout)
    return answers


def _request(uri: str, querystring: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"request": {"uri": uri, "querystring": querystring or {}, "headers": {}}}


def test_the_viewer_request_function_maps_directory_urls_and_missing_pages(
    resources: dict[str, Any], tmp_path: Path
) -> None:
    cases = {
        "/": "/index.html",
        "/faq/": "/faq/index.html",
        "/en/status/": "/en/status/index.html",
        "/staff/reports/": "/staff/reports/index.html",
        "/no-such-page/": "/404.html",
        "/en/no-such-page/": "/en/404.html",
        "/no-such-page": "/404.html",
        "/assets/stylesheets/portal.css": "/assets/stylesheets/portal.css",
    }
    answers = _run_function(
        resources, "SiteViewerRequestFunction", [_request(uri) for uri in cases], tmp_path
    )
    assert [answer["uri"] for answer in answers] == list(cases.values())
    [redirect, with_query] = _run_function(
        resources,
        "SiteViewerRequestFunction",
        [_request("/faq"), _request("/en/status", {"no": {"value": "TS20270105ABCD"}, "x": {"value": ""}})],
        tmp_path,
    )
    assert redirect["statusCode"] == 301
    assert redirect["headers"]["location"]["value"] == "/faq/"
    assert with_query["headers"]["location"]["value"] == "/en/status/?no=TS20270105ABCD&x"


def test_each_language_has_its_own_404_page_in_its_language() -> None:
    """The i18n plugin builds each language into one directory and each build writes 404.html at
    its root: the last (English) replaced the default's until the hook kept each (portal_data.py)."""
    for page, lang, title in (("404.html", "zh", "页面不存在"), ("en/404.html", "en", "Page not found")):
        html = (BUILD / "site" / page).read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html, page
        assert f"<h1>{title}</h1>" in html, page
    assert 'href="/en/status/"' in (BUILD / "site" / "en" / "404.html").read_text(encoding="utf-8")


def test_the_viewer_response_function_answers_a_404_page_with_404(
    resources: dict[str, Any], tmp_path: Path
) -> None:
    marked = {"response": {"statusCode": 200, "headers": {"x-amz-meta-portal-status": {"value": "404"}}}}
    plain = {"response": {"statusCode": 200, "headers": {"content-type": {"value": "text/html"}}}}
    [not_found, page] = _run_function(resources, "SiteViewerResponseFunction", [marked, plain], tmp_path)
    assert not_found["statusCode"] == 404
    assert "x-amz-meta-portal-status" not in not_found["headers"]
    assert page == plain["response"]


def test_the_bundle_carries_bytecode_valid_whatever_the_sources_times(
    dry_run: subprocess.CompletedProcess[str],
) -> None:
    assert dry_run.returncode == 0, dry_run.stdout + dry_run.stderr
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(BUILD / "api" / "deployment.zip") as bundle:
        names = set(bundle.namelist())
        for module in (
            "app",
            "chalicelib/web/public",
            "chalicelib/storage/models",
            "botocore/client",
            "pydantic/main",
        ):
            head, _, name = module.rpartition("/")
            cached = f"{head + '/' if head else ''}__pycache__/{name}.{tag}.pyc"
            assert cached in names, cached
            # PEP 552: flags 0b01, a hash-based .pyc whose source is not checked (Lambda unzips the
            # sources with times a zip keeps only to 2 seconds).
            flags = int.from_bytes(bundle.read(cached)[4:8], "little")
            assert flags == 0b01, (cached, flags)
