/**
 * Mocha root hooks (loaded through .mocharc.json). Shared, expensive test resources (the in-process
 * PostgreSQL, say) register their cleanup here. Serially, afterAll runs once at the very end; with
 * `--parallel`, once after each spec file in its worker — so a cleanup must be repeatable and the resource
 * reopened lazily by the next file. Cleanups stay registered: a helper module is loaded once per worker.
 */
const cleanups: Array<() => Promise<void>> = [];

export function registerCleanup(cleanup: () => Promise<void>): void {
    cleanups.push(cleanup);
}

export const mochaHooks = {
    async afterAll(): Promise<void> {
        for (const cleanup of cleanups) await cleanup();
    },
};
