import type { ClientBase, Pool, PoolClient, QueryResult } from "pg";
import type { Database } from "./database";

/**
 * With synchronous replication (RDS Multi-AZ), COMMIT returns only once the standby has the commit,
 * so a failover cannot lose an acknowledged write. Except when the wait for the standby is cut short:
 *
 * - cancelled (pg_cancel_backend, a client's cancel request): PostgreSQL then reports the commit as
 *   successful with only a WARNING "canceling wait for synchronous replication ... The transaction
 *   has already committed locally, but might not have been replicated to the standby." Any write
 *   whose answer carries that WARNING fails here (CommitNotReplicated, not retried).
 * - terminated (pg_terminate_backend, a fast shutdown): the connection closes without an answer
 *   (a retry follows), but the commit is visible locally. So an order found again by its
 *   Idempotency-Key is returned only after a replication barrier.
 *
 * statement_timeout does not cut the wait short: PostgreSQL disables it before it commits
 * (finish_xact_command in src/backend/tcop/postgres.c), and node-postgres's query_timeout sends no
 * cancel, it only stops waiting — a request that gave up was never acknowledged. The rehearsal's
 * test (tests/app/sync-commit.test.ts) pins both facts against a real primary.
 * https://www.postgresql.org/docs/current/warm-standby.html#SYNCHRONOUS-REPLICATION
 */
export class CommitNotReplicated extends Error {
    readonly code = "SYNC_COMMIT_UNCONFIRMED";
    constructor() {
        super("the commit was not confirmed by the synchronous standby (wait cancelled); outcome unknown");
    }
}

const SYNC_WAIT_CANCELLED = /canceling (the )?wait for synchronous replication/i;
const cancellations = new WeakMap<ClientBase, number>();

/** Counts, per connection, the server's "wait for synchronous replication cancelled" warnings. */
export function guardSyncCommits(pool: Pool): void {
    pool.on("connect", (client) => {
        cancellations.set(client, 0);
        client.on("notice", (notice) => {
            if (SYNC_WAIT_CANCELLED.test(notice.message ?? ""))
                cancellations.set(client, (cancellations.get(client) ?? 0) + 1);
        });
    });
}

function count(client: ClientBase): number {
    return cancellations.get(client) ?? 0;
}

/** COMMIT of an open transaction (sent by `commit`) that never counts an unreplicated commit as success. */
export async function commitDurably(
    client: PoolClient,
    commit: () => Promise<unknown> = () => client.query("COMMIT"),
): Promise<void> {
    const before = count(client);
    await commit();
    if (count(client) !== before) throw new CommitNotReplicated();
}

/** pool.query, plus the check that no synchronous-replication wait was cancelled on the way. */
export async function queryDurably(pool: Pool, sql: string, params?: unknown[]): Promise<QueryResult> {
    const client = await pool.connect();
    // A checked-out client has no idle-error listener of pg-pool's: without ours, a connection that
    // dies now (failover, the endpoint watch closing it) emits an unhandled 'error' and ends the process.
    let failed: Error | undefined;
    const onError = (error: Error) => {
        failed ??= error;
    };
    client.on("error", onError);
    const before = count(client);
    try {
        const result = await client.query(sql, params as unknown[] | undefined);
        if (count(client) !== before) throw new CommitNotReplicated();
        return result;
    } catch (error) {
        failed ??= error as Error;
        throw error;
    } finally {
        client.off("error", onError);
        // As pool.query does: a client that saw an error is not reused.
        client.release(failed);
    }
}

/**
 * Waits until everything committed so far is on the synchronous standby: `touch` is a small
 * idempotent write (it must write WAL; a transaction that only takes an xid does not wait), and its
 * COMMIT waits for the standby to confirm a commit record that follows every earlier commit.
 */
export async function replicationBarrier(db: Database, touch: { sql: string; params: unknown[] }): Promise<void> {
    await db.transaction((tx) => tx.query(touch.sql, touch.params));
}
