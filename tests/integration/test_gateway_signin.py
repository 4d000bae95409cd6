"""Sign-in at the gateway (issue 10): passwords, throttling, sessions with CSRF, API tokens that
expire and are revoked, roles, and a forged actor that changes nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.runtime.settings import Settings
from tests.integration.gateway_harness import PASSWORD, gateway_on
from tests.integration.system import until


async def test_a_wrong_password_is_refused_and_guessing_is_throttled(settings: Settings) -> None:
    async with gateway_on(settings) as h:
        await h.person("amy", "sales_assistant")
        for _ in range(5):
            wrong = await h.http.post("/session", json={"username": "amy", "password": "nope"})
            assert wrong.status_code == 401
            assert "用户名或密码错误" in wrong.json()["message_zh"]
        right = await h.http.post("/session", json={"username": "amy", "password": PASSWORD})
        assert right.status_code == 429, "the sixth try within 15 minutes waits"
        assert int(right.headers["Retry-After"]) > 0
        nobody = await h.http.post("/session", json={"username": "zed", "password": PASSWORD})
        assert nobody.status_code == 401, "an unknown name is refused like a wrong password"


async def test_a_browser_session_needs_the_csrf_token_to_change_anything(settings: Settings
                                                                         ) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        await h.person("amy", "sales_assistant")
        signed = await h.http.post("/session", json={"username": "amy", "password": PASSWORD})
        assert signed.status_code == 200
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        body = {"request_no": "S-CSRF", "customer": "ACME", "product": "gasket",
                "part_no": "P-1", "salesperson": "bob", "materials": {"drawings": True},
                "purpose": "sample"}
        without = await h.http.post("/commands/sales/request_sample", json=body)
        assert without.status_code == 403 and without.json()["field"] == "X-CSRF-Token"
        assert h.stored("sales") == 0
        token = signed.json()["csrf_token"]
        done = await h.http.post("/commands/sales/request_sample", json=body,
                                 headers={"X-CSRF-Token": token})
        assert done.status_code == 200, done.text
        me = await h.http.get("/session")
        assert me.json()["username"] == "amy" and me.json()["via"] == "session"
        assert (await h.http.delete("/session", headers={"X-CSRF-Token": token})).status_code == 204
        assert (await h.http.get("/session")).status_code == 401


async def test_a_password_change_ends_the_sessions_signed_in_with_the_old_one(
        settings: Settings) -> None:
    async with gateway_on(settings) as h:
        await h.person("amy", "sales_assistant")
        signed = await h.http.post("/session", json={"username": "amy", "password": PASSWORD})
        cookie = dict(h.http.cookies)
        h.http.cookies.clear()
        changed = await h.post("/users/amy/password", "ada", {"password": "another good one"})
        assert changed.status_code == 200, changed.text
        h.http.cookies.update(cookie)
        old = await h.http.get("/session")
        assert old.status_code == 401 and signed.status_code == 200
        new = await h.http.post("/session", json={"username": "amy",
                                                  "password": "another good one"})
        assert new.status_code == 200


async def test_revoked_and_expired_tokens_stop_working(settings: Settings) -> None:
    moment = [datetime.now(UTC)]
    async with gateway_on(settings, clock=lambda: moment[0]) as h:
        await h.person("erp", "sales_assistant")
        assert (await h.get("/session", "erp")).status_code == 200
        issued = await h.post("/users/erp/tokens", "ada", {"label": "short", "days": 1})
        short = {"Authorization": f"Bearer {issued.json()['token']}"}
        assert (await h.http.get("/session", headers=short)).status_code == 200
        moment[0] += timedelta(days=1, seconds=1)
        assert (await h.http.get("/session", headers=short)).status_code == 401
        moment[0] -= timedelta(days=1, seconds=1)
        token_id = h.tokens["erp"].split("_")[1]
        revoked = await h.http.delete(f"/users/erp/tokens/{token_id}", headers=h.as_user("ada"))
        assert revoked.status_code == 200, revoked.text
        refused = await h.get("/session", "erp")
        assert refused.status_code == 401 and "吊销" in refused.json()["message_zh"]
        forged = {"Authorization": "Bearer sf_" + token_id + "_guessed"}
        assert (await h.http.get("/session", headers=forged)).status_code == 401


async def test_a_user_acting_outside_their_roles_is_refused_and_nothing_is_stored(
        settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        await h.person("bob", "salesperson")
        body = {"request_no": "S-ROLE", "customer": "ACME", "product": "gasket",
                "part_no": "P-1", "salesperson": "bob", "materials": {"drawings": True},
                "purpose": "sample"}
        refused = await h.post("/commands/sales/request_sample", "bob", body)
        assert refused.status_code == 403, refused.text
        error = refused.json()
        assert error["kind"] == "forbidden" and error["rule"] == "R-S3"
        assert "sales_assistant" in error["message_en"] and "只有" in error["message_zh"]
        as_other = await h.post("/commands/sales/request_sample", "bob", body,
                                **{"Salesflow-Role": "sales_assistant"})
        assert as_other.status_code == 403 and as_other.json()["field"] == "Salesflow-Role"
        assert h.stored("sales") == 0


async def test_a_forged_actor_is_ignored_and_the_audit_trail_shows_the_real_user(
        settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales", "projections"]) as h:
        await h.person("amy", "sales_assistant")
        body = {"actor": {"user": "boss", "role": "sales_manager"}, "request_no": "S-FORGED",
                "customer": "ACME", "product": "gasket", "part_no": "P-1", "salesperson": "bob",
                "materials": {"drawings": True}, "purpose": "sample"}
        done = await h.post("/commands/sales/request_sample", "amy", body)
        assert done.status_code == 200, done.text

        async def trail() -> list[dict[str, object]]:
            answer = await h.get("/records/S-FORGED/history", "amy")
            return answer.json()["items"] if answer.status_code == 200 else []

        async def recorded() -> bool:
            return bool(await trail())

        await until(recorded, "the audit trail to show S-FORGED")
        rows = await trail()
        assert [(r["actor_user"], r["actor_role"]) for r in rows] == [("amy", "sales_assistant")]


async def test_an_admin_sets_changes_and_clears_an_email_address(settings: Settings) -> None:
    """The 16:00 pack's address (issue 11): set on adding, changed, cleared, shown in the list;
    an address that is not one is refused naming the field, and only an admin may change it."""
    async with gateway_on(settings) as h:
        added = await h.post("/users", "ada", {
            "username": "sue", "display_name": "Sue", "user_department": "sales",
            "roles": ["cs_supervisor"], "password": PASSWORD, "email": "sue@example.com"})
        assert added.status_code == 200, added.text

        async def email_of(name: str) -> str | None:
            listed = (await h.get("/users", "ada")).json()
            return next(p["email"] for p in listed if p["username"] == name)

        assert await email_of("sue") == "sue@example.com"
        changed = await h.http.put("/users/sue/email", json={"email": "sue@cs.example.cn"},
                                   headers=h.as_user("ada"))
        assert changed.status_code == 200, changed.text
        assert await email_of("sue") == "sue@cs.example.cn"
        bad = await h.http.put("/users/sue/email", json={"email": "sue at example"},
                               headers=h.as_user("ada"))
        assert bad.status_code == 422 and "email" in bad.text
        await h.person("amy", "salesperson")
        not_admin = await h.http.put("/users/sue/email", json={"email": "x@example.com"},
                                     headers=h.as_user("amy"))
        assert not_admin.status_code == 403
        cleared = await h.http.put("/users/sue/email", json={"email": None},
                                   headers=h.as_user("ada"))
        assert cleared.status_code == 200, cleared.text
        assert await email_of("sue") is None
