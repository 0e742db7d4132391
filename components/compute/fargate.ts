/**
 * Fargate task sizes (ECS Developer Guide, "Task CPU and memory",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size):
 * the one table of valid CPU/memory pairs, used by `AutoscaledService`'s contract and the stack config alike.
 */

const range = (from: number, to: number, step: number) =>
    Array.from({ length: (to - from) / step + 1 }, (_v, i) => from + i * step);

/** CPU units → the memory sizes (MiB) Fargate accepts with them. */
const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
    256: [512, 1024, 2048],
    512: range(1024, 4096, 1024),
    1024: range(2048, 8192, 1024),
    2048: range(4096, 16384, 1024),
    4096: range(8192, 30720, 1024),
    8192: range(16384, 61440, 4096),
    16384: range(32768, 122880, 8192),
};

/** The CPU units Fargate offers. */
export const FARGATE_CPU_UNITS: readonly number[] = Object.keys(FARGATE_SIZES).map(Number);

/** Memory sizes (MiB) Fargate accepts for `cpu` units; empty for a CPU size it does not offer. */
export function fargateMemoryOptions(cpu: number): number[] {
    return [...(FARGATE_SIZES[cpu] ?? [])];
}

/** Why `memory` does not go with `cpu`, or undefined when Fargate offers the pair. */
export function fargateMemoryProblem(cpu: number, memory: number): string | undefined {
    return fargateMemoryOptions(cpu).includes(memory) ? undefined : `is not a valid Fargate memory size for cpu ${cpu}`;
}
