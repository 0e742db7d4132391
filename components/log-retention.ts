/** Values CloudWatch Logs accepts for `retentionInDays` (CloudWatch Logs API, PutRetentionPolicy). */
import { field } from "./contract";

export const LOG_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** The schema of every log-retention argument: one of the values CloudWatch Logs accepts. */
export const logRetentionDays = () => field.numberIn(LOG_RETENTION_DAYS, "CloudWatch Logs retention values");
