"""A sign-in lasts the working day (issue 10): with the Cognito hosted UI, the console renews its
id token with the refresh token before it runs out (and after the computer slept through it), and
the admin API is then called with the new token; locally, a token that ran out says how to get
another, in both languages."""

from __future__ import annotations

import html
import json
import urllib.parse
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from scripts.lib.portal_edge import content_security_policy
from scripts.lib.stack import LocalStack

from .test_staff_console import TOKEN_KEY, console_url

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

DOMAIN, CLIENT_ID = "https://auth.example.test", "console-client"


def cognito_console(
    local_stack: LocalStack, page: Page, tokens: list[dict[str, str]]
) -> list[dict[str, str]]:
    """The console built for a hosted UI whose token endpoint answers ``tokens`` in turn; the forms
    posted to that endpoint, in order."""
    console = console_url(local_stack)
    configured = json.dumps({"auth": {"cognitoDomain": DOMAIN, "clientId": CLIENT_ID}})[1:-1]
    posted: list[dict[str, str]] = []

    def console_page(route: Route) -> None:
        response = route.fetch()
        headers = {
            **response.headers,
            "content-security-policy": content_security_policy(staff_sign_in_domain=DOMAIN),
        }
        route.fulfill(
            response=response, body=response.text().replace('"auth": {}', configured), headers=headers
        )

    def hosted_ui(route: Route) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(route.request.url).query))
        back = (
            query["redirect_uri"]
            + "?"
            + urllib.parse.urlencode({"code": "the-code", "state": query["state"]})
        )
        route.fulfill(
            content_type="text/html", body=f'<meta http-equiv="refresh" content="0;url={html.escape(back)}">'
        )

    def token_endpoint(route: Route) -> None:
        posted.append(dict(urllib.parse.parse_qsl(route.request.post_data or "")))
        answer = tokens[min(len(posted), len(tokens)) - 1]
        route.fulfill(json={**answer, "token_type": "Bearer"}, headers={"Access-Control-Allow-Origin": "*"})

    page.route(lambda url: url.split("?")[0].split("#")[0] == console, console_page)
    page.route(lambda url: url.startswith(f"{DOMAIN}/oauth2/authorize?"), hosted_ui)
    page.route(lambda url: url == f"{DOMAIN}/oauth2/token", token_endpoint)
    return posted


def test_a_cognito_sign_in_renews_its_token_before_it_runs_out(local_stack: LocalStack, page: Page) -> None:
    # An id token that runs out in two minutes (within the renewal lead), then a renewed one
    short = local_stack.issuer.token(roles=["officer"], name="云端专员", lifetime_seconds=120)
    renewed = local_stack.issuer.token(roles=["officer"], name="云端专员", lifetime_seconds=3600)
    posted = cognito_console(
        local_stack,
        page,
        [{"id_token": short, "refresh_token": "the-refresh-token"}, {"id_token": renewed}],
    )
    authorizations: list[str] = []
    page.on(
        "request",
        lambda request: (
            authorizations.append(request.headers.get("authorization", ""))
            if "/admin/" in request.url
            else None
        ),
    )
    page.goto(console_url(local_stack))
    page.click("#sc-signin-button")
    expect(page.locator("#sc-who-name")).to_have_text("云端专员")

    # The refresh token renews the id token without signing in again
    page.wait_for_function(f"sessionStorage.getItem('{TOKEN_KEY}') === {json.dumps(renewed)}")
    assert posted[1] == {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "refresh_token": "the-refresh-token",
    }
    # And the next call to the API carries the new token
    with page.expect_response(lambda response: "/admin/complaints?" in response.url):
        page.evaluate("location.hash = 'queue?view=all'")
    assert authorizations[-1] == f"Bearer {renewed}"
    expect(page.locator("#sc-console")).to_be_visible()


def test_a_sign_in_that_ran_out_while_asleep_is_renewed_on_return(
    local_stack: LocalStack, page: Page
) -> None:
    expired = local_stack.issuer.token(roles=["officer"], name="云端专员", lifetime_seconds=-60)
    renewed = local_stack.issuer.token(roles=["officer"], name="云端专员", lifetime_seconds=3600)
    posted = cognito_console(local_stack, page, [{"id_token": renewed}])
    page.goto(console_url(local_stack) + "#queue")
    page.evaluate(
        "([key, token]) => { sessionStorage.setItem(key, token); sessionStorage.setItem('complaint-portal.staff.refresh', 'kept'); }",
        [TOKEN_KEY, expired],
    )
    page.reload()
    expect(page.locator("#sc-who-name")).to_have_text("云端专员")
    assert posted[0]["grant_type"] == "refresh_token"
    assert posted[0]["refresh_token"] == "kept"


@pytest.mark.parametrize(("lang", "says"), [("zh", "此登录令牌已过期"), ("en", "This token has expired")])
def test_locally_a_token_that_ran_out_says_how_to_get_another(
    local_stack: LocalStack, page: Page, lang: str, says: str
) -> None:
    expired = local_stack.issuer.token(roles=["officer"], name="王专员", lifetime_seconds=-60)
    page.goto(console_url(local_stack, lang) + "#token=" + expired)
    expect(page.locator("#sc-signin-local")).to_be_visible()
    notice = page.locator("#sc-notice")
    expect(notice).to_contain_text(says)
    expect(notice).to_contain_text("./scripts/staff-token")
    expect(notice).to_contain_text("./scripts/serve")
