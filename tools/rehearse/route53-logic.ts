/**
 * The Route 53 failover stand-in's rules (pure; tested), from the Route 53 Developer Guide:
 * - a health check changes status after `failureThreshold` consecutive results the other way, in both
 *   directions ("dns-failover-determining-health-of-endpoints");
 * - an HTTP(S) check passes on a 2xx or 3xx answer, connecting within 4 s and answering within 2 s;
 * - an alias record with evaluateTargetHealth is also unhealthy when its load balancer has no healthy
 *   target;
 * - with PRIMARY and SECONDARY failover records, the answer is the primary while it is healthy, else the
 *   secondary while that is healthy; when both are unhealthy Route 53 answers as if both were healthy,
 *   that is, the primary ("dns-failover-problems": "How Route 53 chooses records when health checking
 *   is configured").
 * Known differences: one checker instead of Route 53's fleet (which counts an endpoint healthy when more
 * than 18 % of its checkers say so), plain timers, and a TTL-0 answer instead of the alias's 60 s.
 */

export const CONNECT_TIMEOUT_MS = 4000;
export const FIRST_BYTE_TIMEOUT_MS = 2000;

export function checkPasses(status: number): boolean {
    return status >= 200 && status < 400;
}

/** One health check's status, changed only by `failureThreshold` consecutive contrary results. */
export class HealthCheckStatus {
    healthy = true;
    private contrary = 0;

    constructor(private readonly failureThreshold: number) {
        if (!Number.isInteger(failureThreshold) || failureThreshold < 1 || failureThreshold > 10) {
            throw new Error(`Route 53 failure threshold must be 1..10, got ${failureThreshold}`);
        }
    }

    /** Records one check result; returns true when the status changed. */
    record(passed: boolean): boolean {
        if (passed === this.healthy) {
            this.contrary = 0;
            return false;
        }
        this.contrary++;
        if (this.contrary < this.failureThreshold) return false;
        this.healthy = passed;
        this.contrary = 0;
        return true;
    }
}

export type FailoverRole = "PRIMARY" | "SECONDARY";

export function failoverAnswer(primaryHealthy: boolean, secondaryHealthy: boolean): FailoverRole {
    if (primaryHealthy) return "PRIMARY";
    if (secondaryHealthy) return "SECONDARY";
    return "PRIMARY";
}
