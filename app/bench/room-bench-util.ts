/** Small pure helpers of the waiting-room benchmark (room-bench.ts). */
import { existsSync, readFileSync } from "node:fs";

/** Runs tasks with `concurrency` in flight. */
export async function pool(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
        Array.from({ length: concurrency }, async () => {
            while (next < total) await task(next++);
        }),
    );
}

/** Resolves at wall-clock time `ms` (epoch milliseconds), at once if that has passed. */
export const sleepUntil = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - Date.now())));
/** The `p` quantile (0..1) of an ascending list, 0 when it is empty. */
export const percentile = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? 0;

/** One simulated visitor: its line position, timings and outcome. */
export interface Visitor {
    id: string;
    ticket: string;
    pre: boolean;
    position?: number;
    joinSent: number;
    joinDone: number;
    token?: string;
    bought: boolean;
}

/** CPU seconds a process has used (Linux /proc), or undefined elsewhere. */
export function cpuSeconds(pid: number): number | undefined {
    const file = `/proc/${pid}/stat`;
    if (!existsSync(file)) return undefined;
    const fields = readFileSync(file, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

/** Pairs (a, b) of post-start joins where a's answer came before b was sent, yet a got the later place. */
export function placeInversions(post: Visitor[]): number {
    const byDone = [...post].sort((a, b) => a.joinDone - b.joinDone);
    const bySent = [...post].sort((a, b) => a.joinSent - b.joinSent);
    let inversions = 0;
    let maxBefore = -Infinity;
    let i = 0;
    for (const b of bySent) {
        while (i < byDone.length && byDone[i].joinDone < b.joinSent)
            maxBefore = Math.max(maxBefore, byDone[i++].position!);
        if (maxBefore > b.position!) inversions++;
    }
    return inversions;
}
