import assert from "node:assert/strict";
import type { SuiteContext } from "../api-suite";
import { ADMIN_TOKEN } from "../harness";

export function adminAuthPart(t: SuiteContext): void {
    it("accepts the Bearer scheme in any letter case and after several spaces (RFC 9110 §11.1)", async () => {
        for (const authorization of [
            `bearer ${ADMIN_TOKEN}`,
            `BEARER ${ADMIN_TOKEN}`,
            `bEaReR  ${ADMIN_TOKEN}`,
            `Bearer ${ADMIN_TOKEN}`,
        ]) {
            const response = await t.app.inject({ url: "/admin/mode", headers: { authorization } });
            assert.equal(response.statusCode, 200, `${authorization.split(" ")[0]}: ${response.body}`);
        }
        for (const authorization of [
            `Bearer${ADMIN_TOKEN}`,
            `Basic ${ADMIN_TOKEN}`,
            "bearer",
            "bearer ",
            `bearer ${ADMIN_TOKEN}x`,
            ADMIN_TOKEN,
        ]) {
            const response = await t.app.inject({ url: "/admin/mode", headers: { authorization } });
            assert.equal(response.statusCode, 401, authorization.replace(ADMIN_TOKEN, "<token>"));
            assert.equal(response.json().error, "unauthorized");
        }
    });
}
