/**
 * Route 53 stand-in: health-checks each load balancer with the stack's own Route 53 health check
 * settings (path, request interval, failure threshold; from the plan) and answers the public name with
 * the PRIMARY or SECONDARY load balancer by Route 53's failover rules (route53-logic.ts).
 */
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { moveRecord } from "./dns";
import type { Emit } from "./db-controller";
import { haproxyServers } from "./haproxy-admin";
import { inService } from "./haproxy-config";
import type { DnsFailoverCheck, DnsFailoverSettings } from "./plan-settings";
import {
    checkPasses,
    CONNECT_TIMEOUT_MS,
    failoverAnswer,
    FailoverRole,
    FIRST_BYTE_TIMEOUT_MS,
    HealthCheckStatus,
} from "./route53-logic";
import type { Host } from "./topology";

/** One Route 53-style HTTP(S) check: connect within 4 s, first byte within 2 s, 2xx/3xx passes. */
export function httpCheck(o: { ip: string; hostName: string; path: string; tls: boolean }): Promise<boolean> {
    return new Promise((resolve) => {
        let settled = false;
        const done = (ok: boolean) => {
            if (settled) return;
            settled = true;
            clearTimeout(connectTimer);
            clearTimeout(byteTimer);
            req.destroy();
            resolve(ok);
        };
        let byteTimer: NodeJS.Timeout | undefined;
        const options = {
            host: o.ip,
            port: o.tls ? 443 : 80,
            path: o.path,
            method: "GET",
            agent: false,
            headers: { host: o.hostName, "user-agent": "Amazon-Route53-Health-Check-Service (rehearsal)" },
            // Route 53 does not validate the certificate of an HTTPS health check.
            servername: o.hostName,
            rejectUnauthorized: false,
        };
        const req = (o.tls ? https : http).request(options, (res) => {
            done(checkPasses(res.statusCode ?? 0));
            res.resume();
        });
        const connectTimer = setTimeout(() => done(false), CONNECT_TIMEOUT_MS);
        req.on("socket", (socket: net.Socket) => {
            socket.once(o.tls ? "secureConnect" : "connect", () => {
                clearTimeout(connectTimer);
                byteTimer = setTimeout(() => done(false), FIRST_BYTE_TIMEOUT_MS);
            });
        });
        req.on("error", () => done(false));
        req.end();
    });
}

interface Endpoint {
    role: FailoverRole;
    lb: Host;
    check: DnsFailoverCheck;
    status: HealthCheckStatus;
    socket: string;
}

export class Route53StandIn {
    answer: FailoverRole = "PRIMARY";
    private readonly endpoints: Endpoint[];
    private readonly timers: NodeJS.Timeout[] = [];
    private moving = Promise.resolve();

    constructor(
        settings: DnsFailoverSettings,
        lbs: Host[],
        sockets: string[],
        private readonly tls: boolean,
        private readonly publicName: string,
        private readonly dns: { ip: string; hostsDir: string },
        private readonly emit: Emit,
    ) {
        this.endpoints = [settings.primary, settings.secondary].map((check, i) => ({
            role: check.role,
            lb: lbs[i],
            check,
            status: new HealthCheckStatus(check.failureThreshold),
            socket: sockets[i],
        }));
    }

    start(): void {
        for (const e of this.endpoints) {
            const run = async () => {
                await this.checkOnce(e);
                this.timers.push(setTimeout(run, e.check.requestIntervalSeconds * 1000));
            };
            void run();
        }
    }

    stop(): void {
        for (const t of this.timers) clearTimeout(t);
    }

    healthy(role: FailoverRole): boolean {
        return this.endpoints.find((e) => e.role === role)!.status.healthy;
    }

    private async checkOnce(e: Endpoint): Promise<void> {
        let passed = await httpCheck({ ip: e.lb.ip, hostName: e.lb.fqdn, path: e.check.resourcePath, tls: this.tls });
        if (passed && e.check.evaluateTargetHealth) {
            // Evaluate target health: an ALB with no healthy target makes its alias record unhealthy.
            passed = await haproxyServers(e.socket).then(
                (servers) => servers.some(inService),
                () => false,
            );
        }
        if (e.status.record(passed)) {
            this.emit({
                source: "dns",
                kind: e.status.healthy ? "health-check-healthy" : "health-check-unhealthy",
                detail: { role: e.role, lb: e.lb.name },
            });
        }
        const answer = failoverAnswer(this.healthy("PRIMARY"), this.healthy("SECONDARY"));
        if (answer !== this.answer) {
            this.answer = answer;
            const target = this.endpoints.find((x) => x.role === answer)!.lb;
            this.moving = this.moving.then(async () => {
                await moveRecord(this.dns.ip, this.dns.hostsDir, this.publicName, target.ip);
                this.emit({ source: "dns", kind: "failover-answer", detail: { answer, lb: target.name } });
            });
            await this.moving;
        }
    }
}
