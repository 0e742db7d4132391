/**
 * HAProxy as a stand-in for one ALB: round robin over the app instances, health-checked with the target
 * group's own settings from the plan. Pure text generation; tested.
 *
 * ALB semantics mirrored here:
 * - a target is taken out after `unhealthyThreshold` failed checks and back in after `healthyThreshold`
 *   passed ones, checked every `interval` with `timeout` (HAProxy fall / rise / inter / timeout check);
 * - fail-open: with every target unhealthy an ALB routes to all of them
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html),
 *   which HAProxy does with unchecked backup servers and `option allbackups`;
 * - no retry on another target: an ALB answers 502 when a target refuses the connection (HAProxy: 503).
 * Known differences: HAProxy answers 503 where the ALB answers 502; the deregistration delay is read but
 * not exercised (the drill kills instances, it never deregisters one).
 */
import { FixedResponseRule, matcherCodes, pathPatternRegex, TargetGroupHealth } from "./plan-settings";

export interface HaproxyOptions {
    name: string;
    listenIp: string;
    /** PEM with certificate and key when the plan's listener is HTTPS. */
    tlsPem?: string;
    health: TargetGroupHealth;
    /** The listener's fixed-response rules (e.g. /admin answered 404 at the edge). */
    fixedResponses?: FixedResponseRule[];
    targets: Array<{ name: string; ip: string; port: number }>;
    statsSocket: string;
}

/** ALB's idle timeout default is 60 s. */
const IDLE_TIMEOUT_SECONDS = 60;

export function haproxyConfig(o: HaproxyOptions): string {
    const h = o.health;
    const codes = matcherCodes(h.matcher);
    const bind = o.tlsPem ? `bind ${o.listenIp}:443 ssl crt ${o.tlsPem} alpn http/1.1` : `bind ${o.listenIp}:80`;
    const lines = [
        `# ${o.name}: stands in for an ALB; health check from target group ${h.targetGroup}`,
        "global",
        "    log stdout format raw local0",
        `    stats socket ${o.statsSocket} mode 600 level admin`,
        "    maxconn 4096",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option httplog",
        "    option dontlog-normal",
        "    timeout connect 5s",
        `    timeout client ${IDLE_TIMEOUT_SECONDS}s`,
        `    timeout server ${IDLE_TIMEOUT_SECONDS}s`,
        "    retries 0",
        "",
        "frontend public",
        `    ${bind}`,
        "    option forwardfor",
        ...(o.fixedResponses ?? []).flatMap((rule, i) => [
            `    acl rule${i + 1} path -m reg ${rule.paths.map(pathPatternRegex).join(" ")}`,
            `    http-request return status ${rule.status} content-type ${quote(rule.contentType)} string ${quote(rule.body)} if rule${i + 1}`,
        ]),
        "    default_backend targets",
        "",
        "backend targets",
        "    balance roundrobin",
        "    option httpchk",
        `    http-check send meth GET uri ${h.path} ver HTTP/1.1 hdr host health-check`,
        `    http-check expect rstatus ^(${codes.join("|")})$`,
        `    timeout check ${h.timeoutSeconds}s`,
        `    default-server inter ${h.intervalSeconds}s fastinter ${h.intervalSeconds}s downinter ${h.intervalSeconds}s` +
            ` rise ${h.healthyThreshold} fall ${h.unhealthyThreshold}`,
        ...o.targets.map((t) => `    server ${t.name} ${t.ip}:${t.port} check`),
        "    # fail-open: with every target unhealthy, route to all of them as an ALB does",
        "    option allbackups",
        ...o.targets.map((t) => `    server ${t.name}-failopen ${t.ip}:${t.port} backup`),
        "",
    ];
    return lines.join("\n");
}

/** A double-quoted HAProxy config word. */
function quote(text: string): string {
    return `"${text.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

export interface ServerState {
    backend: string;
    server: string;
    /** UP, DOWN, MAINT, "UP 1/2" (rising), "DOWN 1/3" (falling), no check. */
    status: string;
}

/** Parses HAProxy's `show stat` CSV into the checked servers' states (backups and frontends skipped). */
export function parseShowStat(csv: string): ServerState[] {
    const lines = csv.split("\n").filter((l) => l.trim());
    if (lines.length === 0) return [];
    const header = lines[0].replace(/^# /, "").split(",");
    const col = (name: string) => header.indexOf(name);
    const [pxname, svname, status] = [col("pxname"), col("svname"), col("status")];
    return lines
        .slice(1)
        .map((l) => l.split(","))
        .filter((f) => f[svname] !== "FRONTEND" && f[svname] !== "BACKEND" && !f[svname].endsWith("-failopen"))
        .map((f) => ({ backend: f[pxname], server: f[svname], status: f[status] }));
}

/** Receiving traffic: UP, including "UP 1/3" (a check failed, not yet taken out); "DOWN 1/2" is not yet back. */
export function inService(state: ServerState): boolean {
    return state.status.startsWith("UP");
}
