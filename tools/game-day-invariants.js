// After a game day: are the ticket service's invariants intact? Plain JavaScript on purpose: it runs inside the
// app's own image as a one-off ECS task (`node -e "$(cat tools/game-day-invariants.js)"`, see docs/game-day.md),
// where only Node and the app's dependencies exist, with the task definition's DATABASE_URL and
// DATABASE_PASSWORD. Prints one JSON line; exits 1 when any count that must be zero is not.
// Environment: SINCE (ISO time the drill started; default: one hour ago), PENDING_GRACE_MINUTES (default 15),
// ACKED_ORDER_IDS (optional, comma-separated ids of orders a client was answered 2xx for).
"use strict";

/** Each query returns one row `{ n }`; every count but `orders` must be 0 after a drill. */
const CHECKS = {
    // More tickets issued than seats, or a counter above capacity (the CHECK constraint guards the counter).
    oversold: `SELECT count(*)::int AS n FROM ticket_types tt
        WHERE tt.sold > tt.capacity OR (SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.ticket_type_id = tt.id) > tt.capacity`,
    // The counter disagrees with the tickets issued: a sale counted without its tickets, or the reverse.
    soldMismatch: `SELECT count(*)::int AS n FROM ticket_types tt
        WHERE tt.sold <> (SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.ticket_type_id = tt.id)`,
    // An order that did not get exactly `quantity` tickets.
    wrongTicketCount: `SELECT count(*)::int AS n FROM orders o
        WHERE o.quantity <> (SELECT count(*) FROM tickets t WHERE t.order_id = o.id)`,
    // A confirmed order without its confirmation in the outbox: that e-mail would never be sent.
    missingConfirmation: `SELECT count(*)::int AS n FROM orders o WHERE o.status = 'confirmed'
        AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.order_id = o.id AND x.kind = 'order_confirmation')`,
    // The primary key makes this 0; counted anyway, as the drill's claim is "no ticket admitted twice".
    doubleAdmissions: `SELECT count(*)::int AS n FROM (SELECT ticket_id FROM checkins GROUP BY ticket_id HAVING count(*) > 1) d`,
    // Confirmations from the drill window still unsent after the grace period: the worker did not recover.
    stuckConfirmations: `SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL
        AND created_at >= $1 AND created_at < now() - make_interval(mins => $2)`,
    // Confirmations given up on since the drill started.
    failedConfirmations: `SELECT count(*)::int AS n FROM outbox WHERE failed_at >= $1`,
    orders: `SELECT count(*)::int AS n FROM orders WHERE created_at >= $1`,
};
const PARAMS = { stuckConfirmations: ["since", "grace"], failedConfirmations: ["since"], orders: ["since"] };

/** Runs every check through `query(sql, params) → rows`; `ackedIds` adds `lostOrders`. */
async function checkInvariants(query, { since, graceMinutes = 15, ackedIds = [] }) {
    const values = { since, grace: graceMinutes };
    const result = { since: since.toISOString() };
    for (const [name, sql] of Object.entries(CHECKS)) {
        const rows = await query(
            sql,
            (PARAMS[name] || []).map((p) => values[p]),
        );
        result[name] = Number(rows[0].n);
    }
    if (ackedIds.length > 0) {
        const rows = await query("SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[])", [ackedIds]);
        result.ackedOrders = ackedIds.length;
        result.lostOrders = ackedIds.length - Number(rows[0].n);
    }
    result.passed = Object.entries(result).every(
        ([k, v]) => typeof v !== "number" || ["orders", "ackedOrders"].includes(k) || v === 0,
    );
    return result;
}

async function main() {
    const { Client } = require("pg");
    if (!process.env.DATABASE_URL)
        throw new Error("DATABASE_URL is not set (run it as the app's task: docs/game-day.md)");
    const url = new URL(process.env.DATABASE_URL);
    if (process.env.DATABASE_PASSWORD) url.password = encodeURIComponent(process.env.DATABASE_PASSWORD);
    const client = new Client({
        connectionString: url.toString(),
        statement_timeout: 60000,
        application_name: "boxoffice-game-day-check",
    });
    await client.connect();
    try {
        const since = process.env.SINCE ? new Date(process.env.SINCE) : new Date(Date.now() - 3600000);
        if (Number.isNaN(since.getTime())) throw new Error(`SINCE = ${process.env.SINCE}: not a date`);
        const ackedIds = (process.env.ACKED_ORDER_IDS || "")
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
        const graceMinutes = Number(process.env.PENDING_GRACE_MINUTES || 15);
        const result = await checkInvariants(async (sql, params) => (await client.query(sql, params)).rows, {
            since,
            graceMinutes,
            ackedIds,
        });
        console.log(JSON.stringify({ gameDayCheck: result }));
        process.exitCode = result.passed ? 0 : 1;
    } finally {
        await client.end();
    }
}

// Run when executed (`node file` or `node -e`), not when a test requires it.
if (require.main === module || module.id === "[eval]") {
    main().catch((err) => {
        console.error(JSON.stringify({ gameDayCheck: { error: err.message } }));
        process.exitCode = 2;
    });
}
module.exports = { checkInvariants, CHECKS };
