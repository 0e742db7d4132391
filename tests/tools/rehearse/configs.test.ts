import * as assert from "assert";
import { dnsmasqArgs, recordFile } from "../../../tools/rehearse/dns";
import { haproxyConfig, inService, parseShowStat } from "../../../tools/rehearse/haproxy-config";
import {
    commonConf,
    conninfo,
    hbaConf,
    standbyConf,
    SYNC_STANDBY_NAME,
    syncStandbyNames,
} from "../../../tools/rehearse/postgres-config";
import { reconfigScript, redisConf, sentinelConf } from "../../../tools/rehearse/redis-config";

const health = {
    targetGroup: "tg1",
    path: "/healthz",
    intervalSeconds: 10,
    timeoutSeconds: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
    matcher: "200,204",
    deregistrationDelaySeconds: 20,
    port: 8080,
};

describe("rehearsal: generated server configuration", () => {
    it("HAProxy checks with the target group's settings and fails open like an ALB", () => {
        const cfg = haproxyConfig({
            name: "lb1",
            listenIp: "10.0.0.70",
            tlsPem: "/run/server.pem",
            health,
            statsSocket: "/run/lb1.sock",
            targets: [
                { name: "app1", ip: "10.0.0.40", port: 8080 },
                { name: "app2", ip: "10.0.0.41", port: 8080 },
            ],
        });
        assert.match(cfg, /bind 10\.0\.0\.70:443 ssl crt \/run\/server\.pem/);
        assert.match(cfg, /http-check send meth GET uri \/healthz /);
        assert.match(cfg, /http-check expect rstatus \^\(200\|204\)\$/);
        assert.match(cfg, /timeout check 5s/);
        assert.match(cfg, /default-server inter 10s fastinter 10s downinter 10s rise 2 fall 3/);
        assert.match(cfg, /server app1 10\.0\.0\.40:8080 check\n/);
        assert.match(
            cfg,
            /option allbackups\n {4}server app1-failopen 10\.0\.0\.40:8080 backup\n {4}server app2-failopen/,
        );
        assert.match(cfg, /retries 0/);
        assert.match(
            haproxyConfig({ name: "lb", listenIp: "1.2.3.4", health, targets: [], statsSocket: "/s" }),
            /bind 1\.2\.3\.4:80\n/,
        );
    });

    it("HAProxy answers the listener's fixed-response paths itself, as the ALB's rules do", () => {
        const cfg = haproxyConfig({
            name: "lb1",
            listenIp: "10.0.0.70",
            health,
            statsSocket: "/s",
            targets: [],
            fixedResponses: [
                {
                    priority: 1,
                    paths: ["/admin", "/admin/*"],
                    status: 404,
                    contentType: "application/json",
                    body: '{"error":"not_found"}',
                },
            ],
        });
        assert.match(cfg, /acl rule1 path -m reg \^\/admin\$ \^\/admin\/\.\*\$\n/);
        assert.match(
            cfg,
            /http-request return status 404 content-type "application\/json" string "\{\\"error\\":\\"not_found\\"\}" if rule1/,
        );
    });

    it("reads HAProxy's stat CSV: checked servers only, transitional states count as their side", () => {
        const csv =
            "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status\n" +
            "public,FRONTEND,,,,,,,,,,,,,,,,OPEN\n" +
            "targets,app1,,,,,,,,,,,,,,,,UP 1/3\n" +
            "targets,app2,,,,,,,,,,,,,,,,DOWN 1/2\n" +
            "targets,app1-failopen,,,,,,,,,,,,,,,,no check\n" +
            "targets,BACKEND,,,,,,,,,,,,,,,,UP\n";
        const states = parseShowStat(csv);
        assert.deepStrictEqual(
            states.map((s) => [s.server, s.status, inService(s)]),
            [
                ["app1", "UP 1/3", true],
                ["app2", "DOWN 1/2", false],
            ],
        );
    });

    it("dnsmasq answers only the rehearsal's names, forwards nothing, and lets clients re-resolve", () => {
        const args = dnsmasqArgs({ listenIp: "10.0.0.2", hostsDir: "/run/dns", logFile: "/run/q.log" });
        for (const flag of [
            "--no-resolv",
            "--no-hosts",
            "--local=/rehearsal.test/",
            "--listen-address=10.0.0.2",
            "--bind-interfaces",
            "--hostsdir=/run/dns",
            "--local-ttl=0",
            "--conf-file=/dev/null",
        ]) {
            assert.ok(args.includes(flag), flag);
        }
        assert.ok(!args.some((a) => a.startsWith("--server")), "no upstream server");
        assert.strictEqual(recordFile("/run/dns", "db-writer.rehearsal.test"), "/run/dns/db-writer.rehearsal.test");
    });

    it("Redis speaks TLS with the auth token; Sentinel keeps a quorum and moves the primary's name", () => {
        const tls = { certFile: "/c", keyFile: "/k", caFile: "/ca" };
        const replica = redisConf({ ip: "10.0.0.21", dir: "/d", password: "pw", tls, replicaOf: "10.0.0.20" });
        for (const line of [
            "port 0",
            "tls-port 6379",
            "tls-replication yes",
            "requirepass pw",
            "masterauth pw",
            "replicaof 10.0.0.20 6379",
            'save ""',
        ]) {
            assert.ok(replica.split("\n").includes(line), line);
        }
        const sentinel = sentinelConf({
            ip: "10.0.0.25",
            dir: "/d",
            primaryIp: "10.0.0.20",
            password: "pw",
            tls,
            quorum: 2,
            reconfigScript: "/r.sh",
            timings: { downAfterMs: 3000, failoverTimeoutMs: 10000 },
        });
        for (const line of [
            "sentinel monitor boxoffice 10.0.0.20 6379 2",
            "sentinel down-after-milliseconds boxoffice 3000",
            "sentinel client-reconfig-script boxoffice /r.sh",
            "tls-port 26379",
        ]) {
            assert.ok(sentinel.split("\n").includes(line), line);
        }
        const script = reconfigScript({
            hostsDir: "/run/dns",
            name: "redis-primary.rehearsal.test",
            file: "/run/dns/redis-primary.rehearsal.test",
        });
        assert.match(script, /to_ip="\$6"/);
        assert.match(script, /mv -f "\$tmp" '\/run\/dns\/redis-primary\.rehearsal\.test'/);
    });

    it("PostgreSQL: synchronous standby by role name, TLS-only network access, quoted conninfo", () => {
        assert.match(commonConf(), /synchronous_commit = on/);
        assert.match(commonConf(), /wal_log_hints = on/);
        assert.ok(
            !/synchronous_standby_names/.test(commonConf()),
            "set by the controller (ALTER SYSTEM), not the shared file",
        );
        assert.strictEqual(syncStandbyNames(true), SYNC_STANDBY_NAME);
        assert.strictEqual(syncStandbyNames(false), "");
        assert.ok(!/^host /m.test(hbaConf("10.0.0")), "no plain-TCP line");
        assert.match(hbaConf("10.0.0"), /hostssl replication {2}replicator {3}10\.0\.0\.0\/24 {2}scram-sha-256/);
        assert.strictEqual(conninfo({ password: "it's\\x" }), "password='it\\'s\\\\x'");
        const standby = standbyConf({
            sourceHost: "db1.rehearsal.test",
            password: "p'w",
            applicationName: SYNC_STANDBY_NAME,
            caFile: "/ca",
        });
        assert.match(
            standby,
            /^primary_conninfo = '.*application_name=''boxoffice_standby''.*sslmode=''verify-full''.*'$/m,
        );
        assert.match(standby, /password=''p\\''w''/);
    });
});
