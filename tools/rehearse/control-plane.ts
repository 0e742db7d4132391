/**
 * The rehearsal's control plane, one process in its own namespace: the database failover controller
 * (RDS), the DNS failover (Route 53) and an observer of names and load balancer targets, with a small
 * HTTP API for the drill and for people exploring a `--keep` run:
 *
 *   GET  /state                 controller state, current answers, load balancer views
 *   GET  /events?since=<ms>     everything that happened, with times
 *   POST /initial-sync          require the first standby (bring-up)
 *   POST /rebuild               restore redundancy after a fault
 *   POST /switchover            planned switchover with held writes
 *
 * Usage: node tools/ts-run.js tools/rehearse/control-plane.ts <run dir>
 */
import http from "node:http";
import { ControlEvent, DbController } from "./db-controller";
import { Observer } from "./observer";
import type { PgCluster } from "./postgres";
import { Route53StandIn } from "./route53-standin";
import { loadState, RunState } from "./run-state";
import { haproxySocket } from "./servers";
import { adminApiFleet, switchover } from "./switchover";
import { hostsOf } from "./topology";

export const CONTROL_PORT = 7000;

export function clusterOf(s: RunState): PgCluster {
    return {
        runDir: s.runDir,
        subnet: s.topology.subnet,
        caFile: s.certs.caFile,
        certFile: s.certs.certFile,
        keyFile: s.certs.keyFile,
        passwords: {
            postgres: s.secrets.postgresPassword,
            replicator: s.secrets.replicatorPassword,
            app: s.secrets.DATABASE_PASSWORD,
        },
        appUser: s.appUser,
        appDatabase: s.appDatabase,
    };
}

async function main(runDir: string): Promise<void> {
    const s = loadState(runDir);
    const events: ControlEvent[] = [];
    const emit = (e: Omit<ControlEvent, "at">, at = Date.now()) => {
        const event = { at, ...e };
        events.push(event);
        process.stdout.write(
            `${new Date(at).toISOString()} ${e.source} ${e.kind} ${e.detail ? JSON.stringify(e.detail) : ""}\n`,
        );
    };
    const dnsHost = hostsOf(s.topology, "dns")[0];
    const dns = { ip: dnsHost.ip, hostsDir: s.hostsDir };
    const cluster = clusterOf(s);
    const db = new DbController(s.topology, cluster, dns, emit);
    const lbs = hostsOf(s.topology, "lb");
    const route53 = s.settings.dnsFailover
        ? new Route53StandIn(
              s.settings.dnsFailover,
              lbs,
              lbs.map((h) => haproxySocket(s, h)),
              s.settings.loadBalancers[0].protocol === "HTTPS",
              s.topology.names.public,
              dns,
              emit,
          )
        : undefined;
    const observer = new Observer(
        dns.ip,
        [s.topology.names.writer, ...s.topology.names.readers, s.topology.names.redisPrimary, s.topology.names.public],
        lbs.map((h) => ({ name: h.name, socket: haproxySocket(s, h) })),
        emit,
    );
    const fleet = adminApiFleet({
        instanceUrls: hostsOf(s.topology, "app").map(
            (h) => `http://${h.ip}:${s.settings.app.environment.PORT ?? "8080"}`,
        ),
        adminToken: s.secrets.ADMIN_TOKEN,
    });

    const routes: Record<string, (url: URL) => Promise<unknown>> = {
        "GET /state": async () => ({
            db: db.state,
            busy: db.busy ?? null,
            dns: route53
                ? {
                      answer: route53.answer,
                      primaryHealthy: route53.healthy("PRIMARY"),
                      secondaryHealthy: route53.healthy("SECONDARY"),
                  }
                : null,
            ...observer.snapshot(),
        }),
        "GET /events": async (url) => events.filter((e) => e.at >= Number(url.searchParams.get("since") ?? 0)),
        "POST /initial-sync": async () => db.initialSync().then(() => db.state),
        "POST /rebuild": async () => db.rebuild(),
        "POST /switchover": async () => switchover(db, cluster, fleet, emit),
        "POST /start-dns-failover": async () => {
            route53?.start();
            return { started: Boolean(route53) };
        },
    };
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://control");
        const route = routes[`${req.method} ${url.pathname}`];
        const reply = (status: number, body: unknown) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(body));
        };
        if (!route) return reply(404, { error: `no route ${req.method} ${url.pathname}` });
        route(url).then(
            (body) => reply(200, body),
            (error) => reply(500, { error: String(error?.message ?? error) }),
        );
    });
    const controlHost = hostsOf(s.topology, "control")[0];
    server.listen(CONTROL_PORT, controlHost.ip);
    db.start();
    observer.start();
    emit({ source: "control", kind: "started" });
    const stop = () => {
        db.stop();
        route53?.stop();
        observer.stop();
        server.close();
        process.exit(0);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}

if (process.argv[1] === __filename) {
    main(process.argv[2]).catch((error) => {
        process.stderr.write(`control plane failed: ${error?.stack ?? error}\n`);
        process.exit(1);
    });
}
