/**
 * Pure maths behind scheduled scaling: which Application Auto Scaling scheduled actions a list of schedules
 * and an on-sale window produce, per service. No Pulumi here, so it is unit-tested on its own.
 */

export type ServiceRole = "app" | "worker";
export const SERVICE_ROLES: readonly ServiceRole[] = ["app", "worker"];

export interface Capacity {
    min: number;
    max: number;
}

export interface ScheduleSpec {
    name: string;
    /** cron(...), rate(...) or at(...), evaluated in `timezone`. */
    schedule: string;
    timezone: string;
    appMinTasks?: number;
    appMaxTasks?: number;
    workerMinTasks?: number;
    workerMaxTasks?: number;
}

export interface OnSaleSpec {
    name: string;
    /** Local date-times (yyyy-mm-ddThh:mm:ss) in `timezone`. */
    start: string;
    end: string;
    timezone: string;
    /** Minutes before `start` the floor goes up (Fargate tasks take a minute or two to pass health checks). */
    leadMinutes: number;
    appMinTasks?: number;
    appMaxTasks?: number;
    workerMinTasks?: number;
    workerMaxTasks?: number;
}

export interface PlannedAction {
    /** Unique per service: the scheduled action's name. */
    name: string;
    service: ServiceRole;
    schedule: string;
    timezone: string;
    minCapacity?: number;
    maxCapacity?: number;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

function parseLocal(value: string): number | undefined {
    const m = LOCAL.exec(value);
    if (!m) return undefined;
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
    return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** Local date-time arithmetic: `at()` takes wall-clock time in the action's time zone, so no zone maths is needed. */
export function minusMinutes(local: string, minutes: number): string {
    const t = parseLocal(local);
    if (t === undefined) throw new Error(`${local}: not a local date-time yyyy-mm-ddThh:mm:ss`);
    return new Date(t - minutes * 60_000).toISOString().slice(0, 19);
}

function capacityOf(spec: ScheduleSpec | OnSaleSpec, role: ServiceRole): { min?: number; max?: number } {
    return role === "app"
        ? { min: spec.appMinTasks, max: spec.appMaxTasks }
        : { min: spec.workerMinTasks, max: spec.workerMaxTasks };
}

/**
 * Returns the problem with the inputs (naming the field), or the planned actions.
 * Schedules touch only the services they name a capacity for; the on-sale raises both services at
 * start − lead and restores both to `base` at end. A raised minimum above the base maximum lifts the
 * maximum with it, so Application Auto Scaling never sees min > max.
 */
export function planScheduledActions(
    schedules: ScheduleSpec[],
    onSale: OnSaleSpec | undefined,
    base: Record<ServiceRole, Capacity>,
): { problem: { field: string; value: unknown; rule: string } } | { actions: PlannedAction[] } {
    const actions: PlannedAction[] = [];
    const seen = new Set<string>();
    for (const [i, s] of schedules.entries()) {
        if (seen.has(s.name))
            return { problem: { field: `schedules[${i}].name`, value: s.name, rule: "must be unique" } };
        seen.add(s.name);
        const touched = SERVICE_ROLES.filter(
            (r) => capacityOf(s, r).min !== undefined || capacityOf(s, r).max !== undefined,
        );
        if (touched.length === 0)
            return {
                problem: {
                    field: `schedules[${i}]`,
                    value: s.name,
                    rule: "sets no appMinTasks/appMaxTasks/workerMinTasks/workerMaxTasks",
                },
            };
        for (const role of touched) {
            const c = capacityOf(s, role);
            if (c.min !== undefined && c.max !== undefined && c.min > c.max) {
                return {
                    problem: {
                        field: `schedules[${i}].${role}MinTasks`,
                        value: c.min,
                        rule: `must not exceed ${role}MaxTasks (${c.max})`,
                    },
                };
            }
            actions.push({
                name: `${s.name}-${role}`,
                service: role,
                schedule: s.schedule,
                timezone: s.timezone,
                minCapacity: c.min,
                maxCapacity: c.max,
            });
        }
    }
    if (onSale) {
        const start = parseLocal(onSale.start);
        const end = parseLocal(onSale.end);
        if (start === undefined)
            return { problem: { field: "onSale.start", value: onSale.start, rule: "must be yyyy-mm-ddThh:mm:ss" } };
        if (end === undefined || end <= start)
            return {
                problem: {
                    field: "onSale.end",
                    value: onSale.end,
                    rule: `must be a yyyy-mm-ddThh:mm:ss after start (${onSale.start})`,
                },
            };
        if (seen.has(onSale.name))
            return {
                problem: { field: "onSale.name", value: onSale.name, rule: "must differ from every schedule name" },
            };
        const raiseAt = minusMinutes(onSale.start, onSale.leadMinutes);
        for (const role of SERVICE_ROLES) {
            const c = capacityOf(onSale, role);
            const min = c.min ?? base[role].min;
            const max = Math.max(c.max ?? base[role].max, min);
            if (c.max !== undefined && c.min !== undefined && c.min > c.max) {
                return {
                    problem: {
                        field: `onSale.${role}MinTasks`,
                        value: c.min,
                        rule: `must not exceed ${role}MaxTasks (${c.max})`,
                    },
                };
            }
            actions.push({
                name: `${onSale.name}-raise-${role}`,
                service: role,
                schedule: `at(${raiseAt})`,
                timezone: onSale.timezone,
                minCapacity: min,
                maxCapacity: max,
            });
            actions.push({
                name: `${onSale.name}-restore-${role}`,
                service: role,
                schedule: `at(${onSale.end})`,
                timezone: onSale.timezone,
                minCapacity: base[role].min,
                maxCapacity: base[role].max,
            });
        }
    }
    return { actions };
}
