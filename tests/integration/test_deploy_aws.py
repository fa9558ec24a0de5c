"""scripts/lib/deploy_aws.py, the deployment's calls to AWS, against moto's in-process mock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from scripts.lib import deploy_aws

REGION = "ap-southeast-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def _bucket_template(versioned: bool) -> str:
    properties: dict[str, Any] = {}
    if versioned:
        properties["VersioningConfiguration"] = {"Status": "Enabled"}
    return json.dumps(
        {
            "Parameters": {"Tag": {"Type": "String"}},
            "Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": properties}},
            "Outputs": {"BucketName": {"Value": {"Ref": "Bucket"}}, "Tag": {"Value": {"Ref": "Tag"}}},
        }
    )


@pytest.mark.usefixtures("aws")
def test_a_stack_is_created_then_updated_and_an_unchanged_one_is_no_error() -> None:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    assert deploy_aws.stack_outputs(cloudformation, "portal") is None
    created = deploy_aws.deploy_stack(
        cloudformation, "portal", parameters={"Tag": "one"}, template_body=_bucket_template(False)
    )
    assert created["Tag"] == "one"
    [stack] = cloudformation.describe_stacks(StackName="portal")["Stacks"]
    assert stack["EnableTerminationProtection"] is True
    updated = deploy_aws.deploy_stack(
        cloudformation, "portal", parameters={"Tag": "two"}, template_body=_bucket_template(True)
    )
    assert updated == {"BucketName": created["BucketName"], "Tag": "two"}
    again = deploy_aws.deploy_stack(
        cloudformation, "portal", parameters={"Tag": "two"}, template_body=_bucket_template(True)
    )
    assert again == updated


@pytest.mark.usefixtures("aws")
def test_a_stack_is_deployed_from_a_template_uploaded_to_the_artifacts_bucket(tmp_path: Path) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
    name = deploy_aws.artifacts_bucket_name("Complaint-Portal", account, REGION)
    assert name == f"complaint-portal-artifacts-{account}-{REGION}"
    assert deploy_aws.ensure_artifacts_bucket(s3, name, REGION) == name
    assert deploy_aws.ensure_artifacts_bucket(s3, name, REGION) == name  # the second time: kept
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert set(block.values()) == {True}
    template = tmp_path / "template.json"
    template.write_text(_bucket_template(False), encoding="utf-8")
    key = deploy_aws.upload_artifact(s3, name, template, "test")
    assert key.startswith("test/")
    assert key.endswith("-template.json")
    assert deploy_aws.upload_artifact(s3, name, template, "test") == key  # same content, same key
    outputs = deploy_aws.deploy_stack(
        boto3.client("cloudformation", region_name=REGION),
        "portal",
        parameters={"Tag": "url"},
        template_url=f"https://{name}.s3.{REGION}.amazonaws.com/{key}",
    )
    assert outputs["Tag"] == "url"


class _FailedStackEvents:
    """CloudFormation's answer for a stack whose first failure caused the rest (newest first); moto's
    stacks never fail this way."""

    def describe_stack_events(self, StackName: str) -> dict[str, Any]:
        return {
            "StackEvents": [
                {"LogicalResourceId": StackName, "ResourceStatus": "ROLLBACK_COMPLETE"},
                {
                    "LogicalResourceId": "SiteDistribution",
                    "ResourceStatus": "CREATE_FAILED",
                    "ResourceStatusReason": "cancelled",
                },
                {
                    "LogicalResourceId": "MailIdentity",
                    "ResourceStatus": "CREATE_FAILED",
                    "ResourceStatusReason": "already exists",
                },
                {"LogicalResourceId": StackName, "ResourceStatus": "CREATE_IN_PROGRESS"},
            ]
        }


def test_a_failed_stack_names_the_resource_that_failed_first_and_its_reason() -> None:
    reason = deploy_aws._failure_reason(_FailedStackEvents(), "portal")
    assert reason == "MailIdentity CREATE_FAILED: already exists"


@pytest.mark.usefixtures("aws")
def test_the_site_upload_makes_the_bucket_hold_exactly_the_build(tmp_path: Path) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="site", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="site", Key="old/index.html", Body=b"gone")
    site = tmp_path / "site"
    (site / "faq").mkdir(parents=True)
    (site / "assets" / "javascripts").mkdir(parents=True)
    (site / "index.html").write_text("<p>首页</p>", encoding="utf-8")
    (site / "faq" / "index.html").write_text("<p>FAQ</p>", encoding="utf-8")
    (site / "404.html").write_text("<p>404</p>", encoding="utf-8")
    (site / "assets" / "javascripts" / "bundle.f1e2d3c4.min.js").write_text("x", encoding="utf-8")
    (site / "assets" / "javascripts" / "portal.js").write_text("y", encoding="utf-8")
    assert deploy_aws.upload_site(s3, "site", site, ["/404.html"]) == (5, 1)
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket="site")["Contents"]}
    assert keys == {
        "index.html",
        "faq/index.html",
        "404.html",
        "assets/javascripts/bundle.f1e2d3c4.min.js",
        "assets/javascripts/portal.js",
    }
    page = s3.head_object(Bucket="site", Key="faq/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "public, max-age=300"
    assert "portal-status" not in page["Metadata"]
    assert s3.head_object(Bucket="site", Key="404.html")["Metadata"] == {"portal-status": "404"}
    hashed = s3.head_object(Bucket="site", Key="assets/javascripts/bundle.f1e2d3c4.min.js")
    assert hashed["CacheControl"] == "public, max-age=31536000, immutable"
    assert hashed["ContentType"] == "text/javascript; charset=utf-8"
    assert (
        s3.head_object(Bucket="site", Key="assets/javascripts/portal.js")["CacheControl"]
        == "public, max-age=300"
    )


@pytest.mark.usefixtures("aws")
def test_the_distribution_is_invalidated_whole() -> None:
    cloudfront = boto3.client("cloudfront")
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "portal",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": "site.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https"},
        }
    )["Distribution"]
    invalidation = deploy_aws.invalidate_everything(cloudfront, distribution["Id"])
    stored = cloudfront.get_invalidation(DistributionId=distribution["Id"], Id=invalidation)["Invalidation"]
    assert stored["InvalidationBatch"]["Paths"]["Items"] == ["/*"]


@pytest.mark.usefixtures("aws")
def test_the_text_message_settings_are_the_stages() -> None:
    sns = boto3.client("sns", region_name=REGION)
    deploy_aws.set_sms_attributes(sns, sender_id="", monthly_spend_limit_usd=10)
    attributes = sns.get_sms_attributes()["attributes"]
    assert attributes["MonthlySpendLimit"] == "10"
    assert attributes["DefaultSMSType"] == "Transactional"
    assert "DefaultSenderID" not in attributes
    deploy_aws.set_sms_attributes(sns, sender_id="ParkDesk", monthly_spend_limit_usd=100)
    attributes = sns.get_sms_attributes()["attributes"]
    assert (attributes["DefaultSenderID"], attributes["MonthlySpendLimit"]) == ("ParkDesk", "100")
