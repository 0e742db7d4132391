/**
 * The promises a ticketing platform must keep through any failure, checked against the database after
 * a run (or a fault) and against what the load generator was told:
 *
 * - lost orders: every order answered 2xx is stored, for the event and ticket type it was bought for,
 *   with its quantity and exactly the ticket codes the buyer was given;
 * - oversold: per ticket type, sold <= capacity, and sold = the sum of stored order quantities = the
 *   tickets issued (a counter that drifts from the orders is reported as a mismatch);
 * - double admissions: no ticket admitted twice, neither in the database nor in the answers ("admitted"
 *   twice for one code);
 * - e-mails: every confirmed order's confirmation sent exactly once, as counted by a mail sink;
 * - outbox: every order has its outbox row, and none is left unsent once the outbox has drained.
 *
 * "Missing" is decided only when it is certain: at once when the outbox says a confirmation was sent but
 * the sink saw none, otherwise after the drain deadline: the check polls until no confirmation of the
 * event is pending (neither sent nor given up) or `drainTimeoutMs` has passed. The default (90 s) outlasts
 * the worker's claim lease (60 s), so a confirmation held by a worker killed mid-batch is resent before
 * the verdict. Duplicates that happen after the check returns are not seen: stop the workers, or check
 * after their lease has run out.
 */
import type { AcknowledgedOrder } from "./acknowledgement";

export interface InvariantDb {
    query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface InvariantInput {
    eventId: string;
    acknowledged: AcknowledgedOrder[];
    admissions: Array<{ code: string; at: number }>;
    /** Confirmation e-mails per order id, as counted by a mail sink. Read again while the outbox drains. */
    emailsSent: Map<string, number>;
    /** @default 90000 */
    drainTimeoutMs?: number;
    /** @default 250 */
    pollIntervalMs?: number;
}

export interface InvariantResult {
    lostOrders: number;
    oversold: number;
    doubleAdmissions: number;
    duplicateEmails: number;
    missingEmails: number;
    lostOutbox: number;
    /** Codes answered "admitted" that have no check-in row: someone went in unrecorded. */
    lostAdmissions: number;
    /** Ticket types whose sold counter disagrees with the stored orders or the issued tickets. */
    counterMismatches: number;
    /** Acknowledged Idempotency-Keys that are missing or name another order (a replay would sell again). */
    idempotencyMismatches: number;
    /** Whether every confirmation of the event had left the outbox (sent or given up) when judged. */
    drained: boolean;
    drainWaitMs: number;
    /** This event's figures: orders acknowledged and stored, admissions answered, confirmations sent. */
    counts: { acknowledgedOrders: number; storedOrders: number; admissions: number; emailsSent: number };
    /** One line per violation, for people. */
    details: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Per kind of violation; the counts stay exact, the list stays readable. */
const MAX_DETAILS_PER_KIND = 20;

export async function checkInvariants(db: InvariantDb, input: InvariantInput): Promise<InvariantResult> {
    const details = new Details();
    const lost = await checkOrders(db, input, details);
    const capacity = await checkCapacity(db, input.eventId, details);
    const admissions = await checkAdmissions(db, input, details);
    const drain = await waitForDrain(db, input);
    const mail = judgeEmails(drain.rows, input.emailsSent, details);
    await reportStrayEmails(db, input.emailsSent, details);
    return {
        lostOrders: lost.lostOrders,
        oversold: capacity.oversold,
        doubleAdmissions: admissions.double,
        duplicateEmails: mail.duplicate,
        missingEmails: mail.missing,
        lostOutbox: mail.lostOutbox,
        lostAdmissions: admissions.lost,
        counterMismatches: capacity.mismatches,
        idempotencyMismatches: lost.idempotencyMismatches,
        drained: drain.drained,
        drainWaitMs: drain.waitedMs,
        counts: {
            acknowledgedOrders: input.acknowledged.length,
            storedOrders: drain.rows.length,
            admissions: input.admissions.length,
            emailsSent: drain.rows.reduce((sum, row) => sum + sendsOf(input.emailsSent, row.order_id), 0),
        },
        details: details.lines(),
    };
}

class Details {
    private readonly byKind = new Map<string, string[]>();
    add(kind: string, line: string): void {
        const list = this.byKind.get(kind) ?? [];
        list.push(line);
        this.byKind.set(kind, list);
    }
    lines(): string[] {
        return [...this.byKind.entries()].flatMap(([kind, list]) => [
            ...list.slice(0, MAX_DETAILS_PER_KIND).map((line) => `${kind}: ${line}`),
            ...(list.length > MAX_DETAILS_PER_KIND
                ? [`${kind}: ... and ${list.length - MAX_DETAILS_PER_KIND} more`]
                : []),
        ]);
    }
}

async function checkOrders(db: InvariantDb, input: InvariantInput, details: Details) {
    let lostOrders = 0;
    const valid = input.acknowledged.filter((order) => {
        if (UUID.test(order.orderId)) return true;
        lostOrders++;
        details.add("lost order", `acknowledged order id ${JSON.stringify(order.orderId)} is not a UUID`);
        return false;
    });
    const stored = await db.query(
        `SELECT o.id::text AS id, o.event_id::text AS event_id, o.ticket_type_id::text AS ticket_type_id, o.quantity, o.status,
                coalesce(array_agg(t.code ORDER BY t.code) FILTER (WHERE t.code IS NOT NULL), '{}') AS codes
         FROM orders o LEFT JOIN tickets t ON t.order_id = o.id
         WHERE o.id = ANY($1::uuid[]) GROUP BY o.id`,
        [valid.map((order) => order.orderId)],
    );
    const byId = new Map(stored.rows.map((row) => [String(row.id).toLowerCase(), row]));
    for (const order of valid) {
        const row = byId.get(order.orderId.toLowerCase());
        const problems: string[] = [];
        if (!row) problems.push("not stored");
        else {
            if (row.event_id !== input.eventId.toLowerCase()) problems.push(`stored for event ${row.event_id}`);
            if (row.ticket_type_id !== order.ticketTypeId.toLowerCase())
                problems.push(`stored for ticket type ${row.ticket_type_id}`);
            if (Number(row.quantity) !== order.quantity)
                problems.push(`quantity ${row.quantity}, acknowledged ${order.quantity}`);
            if (row.status !== "confirmed") problems.push(`status ${row.status}`);
            const codes = toArray(row.codes);
            const given = [...order.ticketCodes].sort();
            if (codes.length !== given.length || codes.some((code, i) => code !== given[i])) {
                problems.push(`${codes.length} tickets stored, ${given.length} acknowledged, codes differ`);
            }
        }
        if (problems.length) {
            lostOrders++;
            details.add("lost order", `${order.orderId}: ${problems.join("; ")}`);
        }
    }
    const keys = await db.query(
        "SELECT key, order_id::text AS order_id FROM idempotency_keys WHERE key = ANY($1::text[])",
        [valid.map((order) => order.idempotencyKey)],
    );
    const keyOrder = new Map(keys.rows.map((row) => [String(row.key), String(row.order_id).toLowerCase()]));
    let idempotencyMismatches = 0;
    for (const order of valid) {
        const stored = keyOrder.get(order.idempotencyKey);
        if (stored === order.orderId.toLowerCase()) continue;
        idempotencyMismatches++;
        const found = stored ? `names order ${stored}` : "is not stored";
        details.add("idempotency key", `${order.idempotencyKey} ${found}, acknowledged as ${order.orderId}`);
    }
    return { lostOrders, idempotencyMismatches };
}

async function checkCapacity(db: InvariantDb, eventId: string, details: Details) {
    const types = await db.query(
        `SELECT t.id::text AS id, t.name, t.capacity, t.sold,
                (SELECT coalesce(sum(o.quantity), 0) FROM orders o WHERE o.ticket_type_id = t.id AND o.status = 'confirmed') AS ordered,
                (SELECT count(*) FROM tickets k JOIN orders o ON o.id = k.order_id
                 WHERE o.ticket_type_id = t.id AND o.status = 'confirmed') AS issued
         FROM ticket_types t WHERE t.event_id = $1::uuid ORDER BY t.sort_order`,
        [eventId],
    );
    let oversold = 0;
    let mismatches = 0;
    for (const row of types.rows) {
        const [capacity, sold, ordered, issued] = [row.capacity, row.sold, row.ordered, row.issued].map(Number);
        const over = Math.max(sold, ordered, issued) - capacity;
        if (over > 0) {
            oversold += over;
            details.add(
                "oversold",
                `${row.name} (${row.id}): capacity ${capacity}, sold ${sold}, ordered ${ordered}, tickets ${issued}`,
            );
        }
        if (sold !== ordered || issued !== ordered) {
            mismatches++;
            details.add(
                "counter mismatch",
                `${row.name} (${row.id}): sold counter ${sold}, order quantities ${ordered}, tickets ${issued}`,
            );
        }
    }
    return { oversold, mismatches };
}

async function checkAdmissions(db: InvariantDb, input: InvariantInput, details: Details) {
    const twice = new Set<string>();
    const answered = new Map<string, number>();
    for (const { code } of input.admissions) answered.set(code, (answered.get(code) ?? 0) + 1);
    for (const [code, times] of answered) {
        if (times < 2) continue;
        twice.add(code);
        details.add("double admission", `ticket ${ticketIdOf(code)} answered "admitted" ${times} times`);
    }
    const stored = await db.query(
        `SELECT t.code, count(*) AS n FROM checkins c JOIN tickets t ON t.id = c.ticket_id
         WHERE t.event_id = $1::uuid GROUP BY t.code HAVING count(*) > 1`,
        [input.eventId],
    );
    for (const row of stored.rows) {
        const code = String(row.code);
        if (!twice.has(code)) details.add("double admission", `ticket ${ticketIdOf(code)} has ${row.n} check-in rows`);
        twice.add(code);
    }
    const recorded = await db.query(
        "SELECT DISTINCT t.code FROM checkins c JOIN tickets t ON t.id = c.ticket_id WHERE t.code = ANY($1::text[])",
        [[...answered.keys()]],
    );
    const recordedCodes = new Set(recorded.rows.map((row) => String(row.code)));
    let lost = 0;
    for (const code of answered.keys()) {
        if (recordedCodes.has(code)) continue;
        lost++;
        details.add("lost admission", `ticket ${ticketIdOf(code)} was answered "admitted" but has no check-in row`);
    }
    return { double: twice.size, lost };
}

interface OutboxState {
    order_id: string;
    outbox_id: string | null;
    sent_at: Date | null;
    failed_at: Date | null;
    attempts: number | null;
    next_attempt_at: Date | null;
    last_error: string | null;
    now: Date;
}

async function outboxState(db: InvariantDb, eventId: string): Promise<OutboxState[]> {
    const result = await db.query(
        `SELECT o.id::text AS order_id, x.id::text AS outbox_id, x.sent_at, x.failed_at, x.attempts, x.next_attempt_at,
                x.last_error, now() AS now
         FROM orders o LEFT JOIN outbox x ON x.order_id = o.id AND x.kind = 'order_confirmation'
         WHERE o.event_id = $1::uuid AND o.status = 'confirmed'`,
        [eventId],
    );
    // The SELECT names exactly the OutboxState columns.
    return result.rows as unknown as OutboxState[];
}

const pending = (row: OutboxState) => row.outbox_id !== null && row.sent_at === null && row.failed_at === null;

async function waitForDrain(db: InvariantDb, input: InvariantInput) {
    const started = Date.now();
    const deadline = started + (input.drainTimeoutMs ?? 90_000);
    for (;;) {
        const rows = await outboxState(db, input.eventId);
        const drained = !rows.some(pending);
        if (drained || Date.now() >= deadline) return { rows, drained, waitedMs: Date.now() - started };
        await new Promise((resolve) => setTimeout(resolve, input.pollIntervalMs ?? 250));
    }
}

function judgeEmails(rows: OutboxState[], emailsSent: Map<string, number>, details: Details) {
    let duplicate = 0;
    let missing = 0;
    let lostOutbox = 0;
    for (const row of rows) {
        const sends = sendsOf(emailsSent, row.order_id);
        if (sends > 1) {
            duplicate++;
            details.add("duplicate e-mail", `order ${row.order_id}: ${sends} confirmations sent`);
        }
        if (row.outbox_id === null) {
            lostOutbox++;
            details.add("lost outbox row", `order ${row.order_id} has no confirmation row`);
        } else if (pending(row)) {
            lostOutbox++;
            const claimed = row.next_attempt_at !== null && new Date(row.next_attempt_at) > new Date(row.now);
            const state = claimed ? `not due until ${iso(row.next_attempt_at)}` : "due but not picked up";
            const lastError = row.last_error ? `, last error: ${row.last_error}` : "";
            const unsent = `still unsent after the drain deadline (${row.attempts} attempts, ${state}${lastError})`;
            details.add("lost outbox row", `order ${row.order_id} ${unsent}`);
        }
        if (sends > 0) continue;
        if (row.sent_at !== null) {
            missing++;
            details.add(
                "missing e-mail",
                `order ${row.order_id}: the outbox says sent at ${iso(row.sent_at)}, the mail sink saw none`,
            );
        } else if (row.failed_at !== null) {
            missing++;
            const reason = row.last_error ?? "no error recorded";
            details.add("missing e-mail", `order ${row.order_id}: given up after ${row.attempts} attempts (${reason})`);
        } else if (row.outbox_id === null) {
            missing++;
            details.add("missing e-mail", `order ${row.order_id}: no confirmation row, so none will be sent`);
        } else {
            missing++;
            details.add("missing e-mail", `order ${row.order_id}: not sent by the drain deadline`);
        }
    }
    return { duplicate, missing, lostOutbox };
}

/** A confirmation for an order that does not exist (a rolled-back purchase) would be a defect too. */
async function reportStrayEmails(db: InvariantDb, emailsSent: Map<string, number>, details: Details): Promise<void> {
    const ids = [...emailsSent.keys()].filter((id) => UUID.test(id));
    if (!ids.length) return;
    const found = await db.query("SELECT id::text AS id FROM orders WHERE id = ANY($1::uuid[])", [ids]);
    const known = new Set(found.rows.map((row) => String(row.id).toLowerCase()));
    for (const id of ids) {
        if (!known.has(id.toLowerCase()))
            details.add("stray e-mail", `confirmation sent for order ${id}, which is not stored`);
    }
}

function sendsOf(emailsSent: Map<string, number>, orderId: string): number {
    return emailsSent.get(orderId) ?? emailsSent.get(orderId.toLowerCase()) ?? 0;
}

/** node-postgres parses text[]; other drivers may hand back the literal `{a,b}`. */
function toArray(value: unknown): string[] {
    if (Array.isArray(value)) return value.map(String);
    const text = String(value ?? "{}");
    return text === "{}" ? [] : text.slice(1, -1).split(",");
}

function iso(value: unknown): string {
    return value instanceof Date ? value.toISOString() : String(value);
}

/**
 * Names a ticket in reports by its id, never by its code: a code admits its holder, so it has no business
 * in a report or a log. The id is the second UUID inside the signed body (see app/src/tickets/codes.ts).
 */
function ticketIdOf(code: string): string {
    try {
        const body = Buffer.from(code.split(".")[1] ?? "", "base64url");
        const hex = body.subarray(16, 32).toString("hex");
        if (hex.length !== 32) return "(unreadable code)";
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    } catch {
        return "(unreadable code)";
    }
}
