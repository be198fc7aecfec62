"""Drive the simulated tenant with Auth0's official Python SDK (auth0-python 6.x).

Usage: auth0_python_check.py BASE_URL DOMAIN CLIENT_ID CLIENT_SECRET EXPECTED_USERS

The tenant must run the free tier (token endpoint burst 30, Management API burst 2 / 2 per s).
The SDK speaks HTTPS by default; the simulator is plain HTTP on loopback, so the Authentication
client gets protocol="http" and the Management client an explicit base_url. Exits 0 when every
check holds; prints what failed otherwise.
"""

import sys
import time

from auth0.authentication import GetToken
from auth0.authentication.exceptions import RateLimitError
from auth0.management import Auth0
from auth0.management.errors import TooManyRequestsError


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def main():
    base_url, domain, client_id, client_secret, expected_users = sys.argv[1:6]
    expected_users = int(expected_users)
    audience = f"https://{domain}/api/v2/"
    get_token = GetToken(domain, client_id, client_secret=client_secret, protocol=base_url.split("://")[0])

    # 1. Client credentials through the SDK.
    token = get_token.client_credentials(audience)
    check(token["token_type"] == "Bearer" and token["access_token"].count(".") == 2, "client_credentials returns a JWT")
    check(token["expires_in"] == 86400, "expires_in is 86400")

    # 2. Paged users.list; on free (2 burst, 2/s) later pages hit 429 and the SDK's default
    #    retries (x-ratelimit-reset based) must carry it through.
    mgmt = Auth0(base_url=f"{base_url}/api/v2", token=token["access_token"])
    seen = []
    pager = mgmt.users.list(per_page=50, include_totals=True)
    for user in pager:
        seen.append(user.user_id)
    check(len(seen) == expected_users, f"users.list paged through {len(seen)} of {expected_users} users")
    check(len(set(seen)) == len(seen), "no user twice")

    # 3. Management 429 without retries: the SDK raises TooManyRequestsError with Auth0's body.
    strict = Auth0(base_url=f"{base_url}/api/v2", token=token["access_token"], max_retries=0)
    err = None
    for _ in range(10):
        try:
            strict.users.get(seen[0])
        except TooManyRequestsError as e:
            err = e
            break
    check(err is not None, "Management API 429 raised TooManyRequestsError")
    check(err.body == {"statusCode": 429, "error": "Too Many Requests", "message": "Global limit has been reached", "errorCode": "too_many_requests"}, f"Management 429 body {err.body}")

    # 4. Token endpoint 429: RateLimitError with reset_at = the x-ratelimit-reset header.
    rl = None
    for _ in range(60):
        try:
            get_token.client_credentials(audience)
        except RateLimitError as e:
            rl = e
            break
    check(rl is not None, "token endpoint 429 raised RateLimitError")
    header = {k.lower(): v for k, v in dict(rl.headers).items()}.get("x-ratelimit-reset")
    check(header is not None and rl.reset_at == int(header), f"reset_at {rl.reset_at} == x-ratelimit-reset {header}")
    now = time.time()
    check(now - 1 <= rl.reset_at <= now + 2, f"reset_at {rl.reset_at} is an epoch second about now ({now:.0f})")
    check(rl.error_code == "too_many_requests" and rl.message == "Global limit has been reached", f"RateLimitError {rl.error_code}: {rl.message}")
    print("all SDK checks passed")


if __name__ == "__main__":
    main()
