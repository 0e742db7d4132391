import { WAITING_ROOM_MIGRATION } from "../waiting-room/schema";
import { Database } from "./database";

/**
 * Versioned, append-only migrations. Never edit a released entry: add a new version.
 * They live in TypeScript rather than .sql files so the compiled image needs nothing beside dist/.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
    {
        version: 1,
        name: "events-orders-tickets-outbox",
        sql: `
CREATE TABLE events (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  starts_at   timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ticket_types (
  id           uuid PRIMARY KEY,
  event_id     uuid NOT NULL REFERENCES events (id),
  name         text NOT NULL,
  price_cents  integer NOT NULL CHECK (price_cents >= 0),
  capacity     integer NOT NULL CHECK (capacity >= 0),
  sold         integer NOT NULL DEFAULT 0,
  sort_order   integer NOT NULL,
  -- Second guard behind the conditional UPDATE: the database itself refuses an oversold row.
  CONSTRAINT ticket_types_sold_within_capacity CHECK (sold >= 0 AND sold <= capacity)
);
CREATE INDEX ticket_types_event_idx ON ticket_types (event_id);

CREATE TABLE orders (
  id              uuid PRIMARY KEY,
  event_id        uuid NOT NULL REFERENCES events (id),
  ticket_type_id  uuid NOT NULL REFERENCES ticket_types (id),
  email           text NOT NULL,
  quantity        integer NOT NULL CHECK (quantity BETWEEN 1 AND 10),
  amount_cents    integer NOT NULL,
  status          text NOT NULL DEFAULT 'confirmed',
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE idempotency_keys (
  key           text PRIMARY KEY,
  request_hash  text NOT NULL,
  order_id      uuid NOT NULL REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tickets (
  id          uuid PRIMARY KEY,
  order_id    uuid NOT NULL REFERENCES orders (id),
  event_id    uuid NOT NULL REFERENCES events (id),
  code        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_order_idx ON tickets (order_id);

-- Exactly-once admission is this primary key, not a read before the insert.
CREATE TABLE checkins (
  ticket_id      uuid PRIMARY KEY REFERENCES tickets (id),
  gate           text NOT NULL,
  checked_in_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id         uuid NOT NULL REFERENCES orders (id),
  kind             text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz,
  -- Set after the last attempt: a permanently failing address must not inflate the backlog forever.
  failed_at        timestamptz,
  last_error       text,
  -- One confirmation per order, however often the purchase is replayed.
  CONSTRAINT outbox_one_per_order UNIQUE (order_id, kind)
);
-- The worker's queue scan and the backlog count only ever look at unsent rows.
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;
`,
    },
    {
        version: 2,
        name: "order-secret",
        // The order secret's hash (lookups) and its sealed copy (replays); see services/order-secret.ts.
        // Orders from before have neither: they can no longer be looked up, only replayed and scanned.
        sql: `
ALTER TABLE orders ADD COLUMN access_hash bytea;
ALTER TABLE orders ADD COLUMN access_sealed bytea;
`,
    },
    { version: 3, name: "waiting-rooms", sql: WAITING_ROOM_MIGRATION },
];

/** Arbitrary constant shared by every instance of the service: the migration advisory lock. */
const MIGRATION_LOCK_KEY = 726_351_904;
/** How long a migration waits for a table lock or for another instance's migration. */
const MIGRATION_LOCK_TIMEOUT_SECONDS = 120;
/**
 * The client's own per-statement wait in the migration transaction (the server runs it without a
 * statement_timeout); long enough for any migration we would run at start-up, short enough that a
 * hung connection does not keep a task from ever starting.
 */
const MIGRATION_CLIENT_TIMEOUT_MS = 30 * 60_000;

export interface MigrateOptions {
    /** Run in this schema (created if needed); tests use it to get a clean schema per run. */
    schema?: string;
}

/**
 * Applies pending migrations in one transaction under a transaction-level advisory lock, so two
 * instances starting at once apply each version exactly once: the second waits on the lock, then
 * sees the first one's versions and has nothing left to do.
 */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<number[]> {
    if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
        throw new Error(`migrate: schema must be a plain lower-case identifier, got "${options.schema}"`);
    }
    return db.transaction(
        async (tx) => {
            // The pool's 10 s statement_timeout is for requests; an index build or a table rewrite may take
            // longer. A bounded lock_timeout still stops a migration from queueing forever behind a long
            // transaction (and everything else from queueing behind the migration's lock request).
            await tx.query("SET LOCAL statement_timeout = 0");
            await tx.query(`SET LOCAL lock_timeout = '${MIGRATION_LOCK_TIMEOUT_SECONDS}s'`);
            await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
            if (options.schema) {
                await tx.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
                await tx.query(`SET LOCAL search_path TO ${options.schema}`);
            }
            await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
            const done = await tx.query<{ version: number }>("SELECT version FROM schema_migrations");
            const applied = new Set(done.rows.map((row) => Number(row.version)));
            const ran: number[] = [];
            for (const migration of MIGRATIONS) {
                if (applied.has(migration.version)) continue;
                for (const statement of splitStatements(migration.sql)) await tx.query(statement);
                await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
                    migration.version,
                    migration.name,
                ]);
                ran.push(migration.version);
            }
            return ran;
        },
        { clientTimeoutMs: MIGRATION_CLIENT_TIMEOUT_MS },
    );
}

/** Our migrations hold no functions or quoted semicolons, so splitting on ";" at line ends is exact. */
function splitStatements(sql: string): string[] {
    return sql
        .split(/;\s*$/m)
        .map((statement) => statement.replace(/^\s*--.*$/gm, "").trim())
        .filter(Boolean);
}
