import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { chromium, type Browser } from "playwright-core";
import { admin, createEvent } from "./fixtures";
import type { Backend } from "./harness";

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const missing = existsSync(CHROMIUM)
    ? undefined
    : `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
// Without the background-networking switches Chromium dials out at start-up, which a closed network refuses.
const FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/**
 * The visitor's page in a real browser, on the given backend (the PGlite file runs it, sharing its database).
 * Skips, saying why, where Chromium is not installed.
 */
export function defineRoomBrowserSuite(open: () => Promise<Backend>): void {
    describe(`waiting room page in headless Chromium${missing ? ` (${missing})` : ""}`, function () {
        this.timeout(120_000);
        let backend: Backend;
        let app: FastifyInstance;
        let browser: Browser;
        let base: string;

        before(async function () {
            if (missing) this.skip();
            backend = await open();
            app = await backend.app();
            base = await app.listen({ host: "127.0.0.1", port: 0 });
            browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
        });

        after(async () => {
            await browser?.close();
            await backend?.close();
        });

        it("shows the place and the wait, keeps the place on reload, moves on when admitted and buys with the token", async () => {
            const event = await createEvent(app, 5, 2500);
            await app.inject({
                method: "POST",
                url: `/events/${event.id}/waiting-room`,
                headers: admin,
                payload: { admitPerMinute: 600 },
            });
            // Two visitors ahead of the browser.
            for (let i = 0; i < 2; i++) {
                await app.inject({
                    method: "POST",
                    url: `/events/${event.id}/queue`,
                    payload: { visitorId: randomBytes(16).toString("base64url") },
                });
            }
            const page = await browser.newPage();
            const errors: string[] = [];
            page.on("pageerror", (error) => errors.push(error.message));
            page.on("console", (message) => {
                if (message.type() === "error") errors.push(message.text());
            });
            page.on("response", (response) => {
                if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
            });
            await page.goto(`${base}/events/${event.id}/queue`);
            await page.locator("#waiting").waitFor({ state: "visible", timeout: 30_000 });
            assert.equal(await page.locator("#ahead").textContent(), "2");
            assert.equal(await page.locator("#position").textContent(), "#3");
            assert.match((await page.locator("#eta").textContent()) ?? "", /less than a minute/);

            await page.reload();
            await page.locator("#waiting").waitFor({ state: "visible", timeout: 30_000 });
            assert.equal(await page.locator("#position").textContent(), "#3", "a reload keeps the place");

            // The inlet admits all three (600/min: one every 100 ms); the page notices at its next poll.
            for (let i = 0; i < 50 && (await app.waitingRoom.tickAll()) >= 0; i++) {
                const snapshot = await app.inject({ url: `/events/${event.id}/waiting-room`, headers: admin });
                if (snapshot.json().admitted >= 3) break;
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            await page.locator("#checkout").waitFor({ state: "visible", timeout: 30_000 });
            assert.match(
                (await page.locator("#ticket-type option").first().textContent()) ?? "",
                /Standing – 25\.00 \(5 left\)/,
            );
            await page.locator("#quantity").fill("2");
            await page.locator("#email").fill("fan@example.com");
            await page.locator("#buy").click();
            await page.locator("#done").waitFor({ state: "visible", timeout: 30_000 });
            const orderId = (await page.locator("#order-id").textContent()) ?? "";
            assert.equal(await page.locator("#tickets li").count(), 2);
            // Each ticket's QR code, fetched with the order's secret and shown inline.
            await page.locator("#tickets img").nth(1).waitFor({ state: "visible", timeout: 30_000 });
            const qrLoaded = await page
                .locator("#tickets img")
                .evaluateAll((imgs) =>
                    imgs.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0),
                );
            assert.deepEqual(qrLoaded, [true, true]);

            const used = await backend.writer.query<{ order_id: string }>(
                "SELECT order_id FROM admission_uses WHERE event_id = $1",
                [event.id],
            );
            assert.deepEqual(
                used.rows.map((r) => r.order_id),
                [orderId],
                "the order consumed the browser's admission",
            );
            assert.deepEqual(errors, []);
        });
    });
}
