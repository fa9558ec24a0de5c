"""The local stand-ins the API sends messages to: aws-ses-v2-local for e-mail (SES v2) and moto's
server for SMS (SNS), started, answering, reached with boto3 as the API reaches them, and stopped."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from email.header import Header
from email.mime.text import MIMEText
from typing import Any, Literal

import boto3
import pytest

from scripts.lib.dynamodb_local import DUMMY_AWS_ENV
from scripts.lib.mail_server import MailServer
from scripts.lib.ports import is_port_free
from scripts.lib.sms_server import SmsServer
from tests.support import artifact_path, start_mail_server, start_sms_server
from tests.support.messages import clear_sent_mail, clear_sent_sms, sent_mail, sent_sms

SENDER = "园区投诉受理中心 <complaints@park.example.cn>"
SUBJECT = "您的投诉已受理：7K3M-9QX2-HD4P"


def _client(service: Literal["sesv2", "sns"], url: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=DUMMY_AWS_ENV["AWS_REGION"],
        aws_access_key_id=DUMMY_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    )


@pytest.fixture(scope="module")
def mail() -> Iterator[MailServer]:
    server = start_mail_server(log_path=artifact_path("logs", "mail-server-integration.log"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def sms() -> Iterator[SmsServer]:
    server = start_sms_server(log_path=artifact_path("logs", "sms-server-integration.log"))
    try:
        yield server
    finally:
        server.stop()


def test_the_mail_server_answers_its_health_check_and_shows_its_viewer(mail: MailServer) -> None:
    with urllib.request.urlopen(f"{mail.url}/health-check", timeout=10) as response:
        assert response.status == 200
    with urllib.request.urlopen(mail.viewer_url, timeout=10) as response:
        assert response.status == 200
        assert "text/html" in response.headers["Content-Type"]


def test_an_email_sent_with_boto3_sesv2_lands_in_the_store_with_its_chinese_subject(mail: MailServer) -> None:
    ses = _client("sesv2", mail.url)

    answer = ses.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["zhang.wei@example.cn"]},
        Content={
            "Simple": {
                "Subject": {"Data": SUBJECT, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": "我们已收到您的投诉。", "Charset": "UTF-8"},
                    "Html": {"Data": "<p>我们已收到您的投诉。</p>", "Charset": "UTF-8"},
                },
            }
        },
    )

    [sent] = sent_mail(mail.store_url, to="zhang.wei@example.cn")
    assert sent.message_id == answer["MessageId"]
    assert sent.subject == SUBJECT
    assert sent.sender == SENDER
    assert sent.text == "我们已收到您的投诉。"
    assert sent.html == "<p>我们已收到您的投诉。</p>"


def test_a_raw_mime_email_lands_in_the_store_decoded(mail: MailServer) -> None:
    message = MIMEText("请对处理结果作出评价。", "plain", "utf-8")
    message["Subject"] = Header("请评价：7K3M-9QX2-HD4P", "utf-8").encode()
    message["From"] = "complaints@park.example.cn"
    message["To"] = "li.na@example.cn"

    _client("sesv2", mail.url).send_email(
        FromEmailAddress="complaints@park.example.cn",
        Destination={"ToAddresses": ["li.na@example.cn"]},
        Content={"Raw": {"Data": message.as_bytes()}},
    )

    [sent] = sent_mail(mail.store_url, to="li.na@example.cn")
    assert sent.subject == "请评价：7K3M-9QX2-HD4P"
    assert sent.text is not None
    assert "请对处理结果作出评价。" in sent.text


def test_the_mail_store_can_be_cleared(mail: MailServer) -> None:
    _client("sesv2", mail.url).send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["clear.me@example.cn"]},
        Content={"Simple": {"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "x"}}}},
    )
    assert sent_mail(mail.store_url, to="clear.me@example.cn")

    clear_sent_mail(mail.store_url)

    assert sent_mail(mail.store_url) == []


def test_an_sms_published_to_a_chinese_number_lands_in_motos_data(sms: SmsServer) -> None:
    text = "【投诉平台】您的投诉 7K3M-9QX2-HD4P 已受理，查询码已发送。"

    answer = _client("sns", sms.url).publish(PhoneNumber="+8613800138000", Message=text)

    [sent] = sent_sms(sms.data_url, phone_number="+8613800138000")
    assert sent.message == text
    assert sent.message_id == answer["MessageId"]
    assert sent_sms(sms.data_url, phone_number="+8613900139000") == []


def test_the_sms_data_can_be_cleared(sms: SmsServer) -> None:
    _client("sns", sms.url).publish(PhoneNumber="+8613700137000", Message="x")
    assert sent_sms(sms.data_url, phone_number="+8613700137000")

    clear_sent_sms(sms.data_url)

    assert sent_sms(sms.data_url) == []


def test_a_stopped_server_leaves_its_port_free_and_no_process_behind() -> None:
    for start in (start_mail_server, start_sms_server):
        server = start()
        process = server.process
        assert process is not None
        assert process.poll() is None
        assert not is_port_free(server.port)

        server.stop()

        assert process.poll() is not None
        assert is_port_free(server.port)


def test_the_mail_server_relays_nothing_even_when_our_environment_names_an_smtp_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as smtp:
        smtp.bind(("127.0.0.1", 0))
        smtp.listen()
        smtp.settimeout(1.5)
        transport = {"host": "127.0.0.1", "port": smtp.getsockname()[1], "secure": False}
        monkeypatch.setenv("SMTP_TRANSPORT", json.dumps(transport))
        server = start_mail_server()
        try:
            _client("sesv2", server.url).send_email(
                FromEmailAddress=SENDER,
                Destination={"ToAddresses": ["nobody@example.cn"]},
                Content={"Simple": {"Subject": {"Data": "本地"}, "Body": {"Text": {"Data": "不外发"}}}},
            )
            assert sent_mail(server.store_url, to="nobody@example.cn")
            with pytest.raises(TimeoutError):
                smtp.accept()[0].close()
        finally:
            server.stop()
