"""``./scripts/deploy STAGE [--dry-run]``: the whole portal to AWS with one command.

1. Reads ``infra/stages/STAGE.json`` (scripts/lib/deploy_stage.py).
2. Builds into ``build/STAGE/``: the site (``site/``), the template chalice merges
   (``infra/resources.json``: infra's files, the headers policies and the CloudFront Functions),
   the packaged API (``api/``: ``deployment.zip`` and ``template.json``, the packaged template with
   the alarms added), the edge stack (``edge.json``, the WAF web ACL) and ``parameters.json``.
3. Checks both templates with cfn-lint: any error or warning fails the build.
4. With AWS credentials and without ``--dry-run``: deploys the edge stack in us-east-1, uploads
   the code and template, creates or updates the stack, sets the account's text-message settings,
   builds the site again with the stack's staff sign-in client when it did not have it yet, uploads
   it, invalidates the distribution and prints the portal's and the staff sign-in URLs.

Without credentials, or with ``--dry-run``, it stops after step 3: CI checks the whole path.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import os
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.lib import deploy_aws
from scripts.lib.deploy_stage import Stage, StageError, load_stage
from scripts.lib.deploy_template import (
    LAMBDA_RUNTIME,
    TemplateError,
    add_operations,
    edge_template,
    merged_fragment,
    not_found_pages,
    site_pages,
)
from scripts.lib.paths import API_DIR, REPO_ROOT
from scripts.lib.portal_edge import API_PATH

__all__ = ["Build", "build", "main"]

BUILD_DIR = REPO_ROOT / "build"
EDGE_REGION = "us-east-1"
_CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND")


@dataclass(frozen=True)
class Build:
    """What a build made, where."""

    stage: Stage
    directory: Path
    site: Path
    fragment: Path
    package: Path
    template: Path
    edge: Path
    parameters: Path
    staff_client_id: str

    @property
    def bundle(self) -> Path:
        return self.package / "deployment.zip"


def _venv_tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _run(argv: list[str], *, cwd: Path, env: Mapping[str, str] | None = None, what: str) -> str:
    done = subprocess.run(
        argv, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        raise TemplateError(f"{what} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def check_environment(stage: Stage) -> None:
    """The Python that packages is the Lambda's runtime, and the stage's API Gateway stage is the
    path the portal calls its API under (CloudFront's /api/* has no origin path)."""
    running = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if running != LAMBDA_RUNTIME:
        raise TemplateError(
            f"this Python is {running}: the Lambda runs {LAMBDA_RUNTIME}, and chalice packages the "
            "dependencies' compiled parts for the Python it runs under"
        )
    config = json.loads((API_DIR / ".chalice" / "config.json").read_text(encoding="utf-8"))
    chalice_stage = config["stages"].get(stage.chalice_stage)
    if chalice_stage is None:
        raise StageError(
            f"{stage.name}.json: chalice_stage {stage.chalice_stage!r} is not in api/.chalice/config.json"
        )
    if chalice_stage.get("api_gateway_stage") != API_PATH.strip("/"):
        raise StageError(
            f"api/.chalice/config.json: stage {stage.chalice_stage}'s api_gateway_stage must be "
            f"{API_PATH.strip('/')!r}, the path CloudFront sends the API's requests under"
        )


def build_site(stage: Stage, site_dir: Path, *, staff_client_id: str = "") -> None:
    """The portal, calling its API under /api on its own origin; the staff console signing in at
    the stack's hosted UI when the stack's app client is known."""
    env = {"PORTAL_URL": stage.portal_url, "NO_MKDOCS_2_WARNING": "1"}
    if staff_client_id:
        env |= {
            "STAFF_COGNITO_DOMAIN": stage.staff_sign_in_domain,
            "STAFF_COGNITO_CLIENT_ID": staff_client_id,
        }
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PORTAL_API_BASE", "STAFF_COGNITO_DOMAIN", "STAFF_COGNITO_CLIENT_ID")
    }
    if site_dir.exists():
        shutil.rmtree(site_dir)
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site_dir)],
        cwd=REPO_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise TemplateError(f"the portal build failed:\n{done.stdout}{done.stderr}")


def _api_routes() -> tuple[dict[str, set[str]], str, list[str], str]:
    """The Chalice app's route table ({path: methods}), the status page's path, the jobs and the
    namespace of their metrics."""
    if str(API_DIR) not in sys.path:
        sys.path.insert(0, str(API_DIR))
    from app import app
    from chalicelib.jobs.handlers import METRICS_NAMESPACE
    from chalicelib.jobs.registry import JOBS
    from chalicelib.web.routing import STATUS_PAGE

    routes = {path: set(methods) for path, methods in app.routes.items()}
    return routes, STATUS_PAGE, [job.name for job in JOBS], METRICS_NAMESPACE


def lint(template: Path, region: str) -> None:
    """cfn-lint: no error and no warning. (Nothing is ignored: a check that must be ignored is
    added to the command here with a comment that says why.)"""
    _run(
        [_venv_tool("cfn-lint"), "--regions", region, "--", str(template)],
        cwd=REPO_ROOT,
        what=f"cfn-lint {template.name}",
    )


def build(stage: Stage, *, staff_client_id: str = "", directory: Path | None = None) -> Build:
    check_environment(stage)
    out = directory or BUILD_DIR / stage.name
    out.mkdir(parents=True, exist_ok=True)
    site, package = out / "site", out / "api"
    fragment, template, edge, parameters = (
        out / "infra" / "resources.json",
        package / "template.json",
        out / "edge.json",
        out / "parameters.json",
    )
    print(
        f"==> building the portal into {site.relative_to(REPO_ROOT) if site.is_relative_to(REPO_ROOT) else site}"
    )
    build_site(stage, site, staff_client_id=staff_client_id)
    routes, status_page, jobs, jobs_namespace = _api_routes()
    fragment.parent.mkdir(parents=True, exist_ok=True)
    _write_json(fragment, merged_fragment(stage, site))
    print("==> chalice package --merge-template")
    if package.exists():
        shutil.rmtree(package)
    try:
        _run(
            [
                _venv_tool("chalice"),
                "package",
                "--stage",
                stage.chalice_stage,
                "--merge-template",
                str(fragment),
                str(package),
            ],
            cwd=API_DIR,
            env={"AWS_DEFAULT_REGION": stage.region},
            what="chalice package",
        )
    finally:
        shutil.rmtree(API_DIR / ".chalice" / "deployments", ignore_errors=True)
    check_bundle_has_requirements(package / "deployment.zip", API_DIR / "requirements.txt")
    compile_bundle(package / "deployment.zip")
    packaged = json.loads((package / "sam.json").read_text(encoding="utf-8"))
    _write_json(template, add_operations(packaged, jobs=jobs, jobs_namespace=jobs_namespace))
    _write_json(edge, edge_template(stage.rate_limits, routes, status_page))
    _write_json(
        parameters,
        {
            stage.edge_stack_name: {"region": EDGE_REGION, "parameters": {}},
            stage.stack_name: {
                "region": stage.region,
                "parameters": stage.stack_parameters(web_acl_arn="the edge stack's WebAclArn output"),
            },
        },
    )
    print("==> cfn-lint")
    lint(template, stage.region)
    lint(edge, EDGE_REGION)
    return Build(stage, out, site, fragment, package, template, edge, parameters, staff_client_id)


def _pins(requirements: Path) -> dict[str, str]:
    """The pinned distributions of a requirements file: normalised name -> version."""
    pins: dict[str, str] = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if "==" in text:
            name, version = text.split("==", 1)
            pins[re.sub(r"[-_.]+", "_", name.split("[", 1)[0]).lower()] = version.strip()
    return pins


def check_bundle_has_requirements(bundle: Path, requirements: Path) -> None:
    """Refuse a bundle without every pinned runtime dependency at its pinned version. chalice
    package only warns when a distribution has no wheel the Lambda's runtime can load (a compiled
    one built for a newer glibc than the runtime's) and leaves it out; the function would then fail
    at its first import of it, in production."""
    with zipfile.ZipFile(bundle) as archive:
        present = {
            (re.sub(r"[-_.]+", "_", match.group(1)).lower(), match.group(2))
            for name in archive.namelist()
            if (match := re.match(r"([^/]+)-([^-/]+)\.dist-info/", name))
        }
    missing = [
        f"{name}=={version}"
        for name, version in _pins(requirements).items()
        if (name, version) not in present
    ]
    if missing:
        raise TemplateError(
            "the Lambda bundle lacks " + ", ".join(sorted(missing)) + ": chalice found no wheel for the "
            f"{LAMBDA_RUNTIME} runtime (pin a release that ships manylinux2014 wheels)"
        )


def compile_bundle(bundle: Path) -> int:
    """Rewrite the Lambda's bundle with the compiled bytecode of every module; how many. Lambda
    cannot write __pycache__ in /var/task, so without it every cold start compiles each module it
    imports from source (botocore, pydantic and the API: several times the import itself). Compiled
    by this Python, which is the runtime's (check_environment), as unchecked-hash .pyc files: valid
    whatever modification times unzipping gives the sources (a zip keeps them to 2 seconds). Any
    .pyc chalice copied from the working tree (timestamp-checked ones) is left out."""
    compiled = 0
    with tempfile.TemporaryDirectory(prefix="bundle-") as tmp:
        work = Path(tmp) / "files"
        rewritten = Path(tmp) / "deployment.zip"
        with (
            zipfile.ZipFile(bundle) as source,
            zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for info in source.infolist():
                if info.filename.endswith(".pyc"):
                    continue
                data = source.read(info)
                # A copy: writing records the new archive's offsets in the entry.
                target.writestr(copy.copy(info), data)
                if not info.filename.endswith(".py"):
                    continue
                (work / info.filename).parent.mkdir(parents=True, exist_ok=True)
                (work / info.filename).write_bytes(data)
                cached = importlib.util.cache_from_source(info.filename)
                try:
                    py_compile.compile(
                        str(work / info.filename),
                        cfile=str(work / cached),
                        dfile=info.filename,
                        doraise=True,
                        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                    )
                except py_compile.PyCompileError:
                    continue  # a file Python would not import either (templates, other Pythons' code)
                target.write(work / cached, cached)
                compiled += 1
        shutil.move(rewritten, bundle)
    return compiled


def _write_json(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def has_credentials(session: Any) -> bool:
    return session.get_credentials() is not None


def deploy(built: Build, session: Any) -> dict[str, str]:
    """Everything after the build, against AWS: the stacks, the site, the invalidation. The
    stack's outputs."""
    stage = built.stage
    print(f"==> the edge stack {stage.edge_stack_name} ({EDGE_REGION})")
    edge = deploy_aws.deploy_stack(
        session.client("cloudformation", region_name=EDGE_REGION),
        stage.edge_stack_name,
        parameters={},
        template_body=built.edge.read_text(encoding="utf-8"),
    )
    account = session.client("sts", region_name=stage.region).get_caller_identity()["Account"]
    s3 = session.client("s3", region_name=stage.region)
    bucket = deploy_aws.ensure_artifacts_bucket(
        s3, deploy_aws.artifacts_bucket_name(stage.stack_name, account, stage.region), stage.region
    )
    code_key = deploy_aws.upload_artifact(s3, bucket, built.bundle, stage.name)
    template = json.loads(built.template.read_text(encoding="utf-8"))
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = {"Bucket": bucket, "Key": code_key}
    uploaded = built.directory / "api" / "template-uploaded.json"
    _write_json(uploaded, template)
    template_key = deploy_aws.upload_artifact(s3, bucket, uploaded, stage.name)
    print(f"==> the stack {stage.stack_name} ({stage.region})")
    outputs = deploy_aws.deploy_stack(
        session.client("cloudformation", region_name=stage.region),
        stage.stack_name,
        parameters=stage.stack_parameters(web_acl_arn=edge["WebAclArn"]),
        capabilities=_CAPABILITIES,
        template_url=f"https://{bucket}.s3.{stage.region}.amazonaws.com/{template_key}",
    )
    deploy_aws.set_sms_attributes(
        session.client("sns", region_name=stage.region),
        sender_id=stage.sms_sender_id,
        monthly_spend_limit_usd=stage.sms_monthly_spend_limit_usd,
    )
    publish_site(built, outputs, session)
    return outputs


def publish_site(built: Build, outputs: Mapping[str, str], session: Any) -> None:
    """Upload the site (built again first if it lacked the stack's staff sign-in client: its pages
    stay the same, so the CloudFront Function's list of them holds) and invalidate."""
    client_id = outputs["StaffConsoleClientId"]
    if client_id != built.staff_client_id:
        pages = site_pages(built.site)
        print("==> building the portal again, with the stack's staff sign-in client")
        build_site(built.stage, built.site, staff_client_id=client_id)
        if site_pages(built.site) != pages:
            raise TemplateError("the second build of the site has other pages than the first")
    print(f"==> uploading the site to {outputs['SiteBucketName']}")
    put, deleted = deploy_aws.upload_site(
        session.client("s3", region_name=built.stage.region),
        outputs["SiteBucketName"],
        built.site,
        [page for _, page in not_found_pages(built.site)],
    )
    print(f"    {put} files, {deleted} old ones removed")
    invalidation = deploy_aws.invalidate_everything(
        session.client("cloudfront"), outputs["SiteDistributionId"]
    )
    print(f"    invalidation {invalidation} of /*")


def summary(stage: Stage, outputs: Mapping[str, str]) -> str:
    portal = outputs["PortalUrlOutput"]
    return "\n".join(
        [
            "",
            f"portal:              {portal}  (English: {portal}en/)",
            f"staff sign-in:       {portal}staff/  (Cognito hosted UI: {outputs['StaffSignInDomain']})",
            f"DNS:                 {stage.domain_name} -> {outputs['SiteDistributionDomainName']} (CNAME or alias)",
            f"SES DKIM (CNAMEs):   {outputs['MailDkimRecords']}",
            f"alarms:              {outputs['AlarmTopicArn']} (confirm the subscription mail to {stage.alarm_email})",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="./scripts/deploy", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("stage", help="a stage file's name under infra/stages/ (test, prod)")
    parser.add_argument("--dry-run", action="store_true", help="build and validate only; never call AWS")
    args = parser.parse_args(argv)
    try:
        stage = load_stage(args.stage)
        session = None
        staff_client_id = ""
        if not args.dry_run:
            import boto3

            session = boto3.Session()
            if has_credentials(session):
                existing = deploy_aws.stack_outputs(
                    session.client("cloudformation", region_name=stage.region), stage.stack_name
                )
                staff_client_id = (existing or {}).get("StaffConsoleClientId", "")
            else:
                session = None
        built = build(stage, staff_client_id=staff_client_id)
        print(
            f"built and validated: {built.directory.relative_to(REPO_ROOT) if built.directory.is_relative_to(REPO_ROOT) else built.directory}/"
        )
        if session is None:
            reason = "--dry-run" if args.dry_run else "no AWS credentials"
            print(f"{reason}: nothing deployed")
            return 0
        outputs = deploy(built, session)
        print(summary(stage, outputs))
        return 0
    except (StageError, TemplateError, deploy_aws.DeployError) as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
