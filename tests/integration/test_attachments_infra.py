"""The attachments' part of infra/resources.json (issue 12): the table matches its model, the bucket
is private, encrypted, cleaned by lifecycle rules and open to the portal's origin only, each upload
into quarantine calls the processing function, and the roles reach only their prefixes."""

from __future__ import annotations

import json

from chalicelib.storage.attachment_records import AttachmentRecord

from .test_infra_template import ENVIRONMENT, TEMPLATE, _model_shape, _template_shape

RESOURCES = TEMPLATE["Resources"]


def test_the_attachments_table_is_its_model_and_every_function_is_told_it() -> None:
    table = RESOURCES["AttachmentsTable"]
    assert _template_shape(table["Properties"]) == _model_shape(AttachmentRecord)
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionPolicy"] == "Retain"
    assert ENVIRONMENT["ATTACHMENTS_TABLE"] == {"Ref": "AttachmentsTable"}
    assert ENVIRONMENT["ATTACHMENTS_BUCKET"] == RESOURCES["AttachmentsBucket"]["Properties"]["BucketName"]


def test_the_bucket_is_private_encrypted_cleaned_and_open_to_the_portal_only() -> None:
    bucket = RESOURCES["AttachmentsBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    rules = {r["Prefix"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["quarantine/"]["ExpirationInDays"] == 1
    assert rules["cases/"]["ExpirationInDays"] >= 365
    [cors] = bucket["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedOrigins"] == [{"Ref": "PortalOrigin"}]
    assert cors["AllowedMethods"] == ["POST"]
    [deny] = RESOURCES["AttachmentsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_each_upload_into_quarantine_calls_the_processing_function() -> None:
    bucket = RESOURCES["AttachmentsBucket"]
    [notification] = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert notification["Event"] == "s3:ObjectCreated:*"
    assert notification["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "quarantine/"}]
    assert notification["Function"] == {"Fn::GetAtt": ["ProcessAttachmentUpload", "Arn"]}
    # S3 may call it, for this bucket only, before the notification is set up.
    permission = RESOURCES["ProcessAttachmentUploadPermission"]["Properties"]
    assert permission["Principal"] == "s3.amazonaws.com"
    assert "ProcessAttachmentUploadPermission" in bucket["DependsOn"]
    assert RESOURCES["ProcessAttachmentUpload"]["Properties"]["Role"] == {
        "Fn::GetAtt": ["ScheduledJobsRole", "Arn"]
    }


def test_the_api_writes_only_to_quarantine_and_reads_only_case_files() -> None:
    api = RESOURCES["AttachmentsApiPolicy"]["Properties"]
    assert api["Roles"] == [{"Ref": "ApiHandlerRole"}]
    s3 = [s for s in api["PolicyDocument"]["Statement"] if any(a.startswith("s3:") for a in s["Action"])]
    grants = {
        (action, "quarantine/*" in json.dumps(s["Resource"]), "cases/*" in json.dumps(s["Resource"]))
        for s in s3
        for action in s["Action"]
    }
    assert grants == {("s3:PutObject", True, False), ("s3:GetObject", False, True)}
    jobs = RESOURCES["AttachmentsProcessingPolicy"]["Properties"]
    actions = {a for s in jobs["PolicyDocument"]["Statement"] for a in s["Action"]}
    assert not any("Scan" in a or a.endswith(":*") for a in actions)
