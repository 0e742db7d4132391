import * as assert from "assert";
import { EnvMappingError, rehearsalEnvironment, RehearsalValues } from "../../../tools/rehearse/env-map";
import type { ContainerSettings } from "../../../tools/rehearse/plan-settings";

const values: RehearsalValues = {
    writerHost: "db-writer.rehearsal.test",
    readerHosts: ["db-replica-1.rehearsal.test"],
    redisHost: "redis-primary.rehearsal.test",
    memcachedServers: ["mc1.rehearsal.test:11211", "mc2.rehearsal.test:11211"],
    sesEndpoint: "http://email.rehearsal.test:8025",
    cloudWatchEndpoint: "http://ses.rehearsal.test:8025",
    caFile: "/run/ca.crt",
    dataDir: "/run/app1-data",
    secrets: {
        DATABASE_PASSWORD: "db-pw",
        REDIS_AUTH_TOKEN: "redis-token",
        ADMIN_TOKEN: "admin",
        TICKET_SIGNING_KEY: "key",
    },
};

function container(environment: Record<string, string>, secretNames: string[] = []): ContainerSettings {
    return { family: "fam-app", command: ["node", "dist/server.js"], environment, secretNames };
}

describe("rehearsal: task definition environment to rehearsal values", () => {
    it("moves every AWS endpoint to its stand-in, keeping user, database, port and TLS options", () => {
        const env = rehearsalEnvironment(
            container(
                {
                    NODE_ENV: "production",
                    DATABASE_URL: "postgres://boxoffice@x.rds.amazonaws.com:5432/boxoffice?sslmode=verify-full",
                    DATABASE_READ_URLS: "postgres://boxoffice@r.rds.amazonaws.com:5432/boxoffice?sslmode=verify-full",
                    REDIS_URL: "rediss://master.x.cache.amazonaws.com:6379",
                    MEMCACHED_SERVERS: "a.cache.amazonaws.com:11211,b.cache.amazonaws.com:11211",
                    MEMCACHED_TLS: "true",
                    MAIL_TRANSPORT: "ses",
                },
                ["DATABASE_PASSWORD", "ADMIN_TOKEN"],
            ),
            values,
        );
        assert.strictEqual(
            env.DATABASE_URL,
            "postgres://boxoffice@db-writer.rehearsal.test:5432/boxoffice?sslmode=verify-full",
        );
        assert.strictEqual(
            env.DATABASE_READ_URLS,
            "postgres://boxoffice@db-replica-1.rehearsal.test:5432/boxoffice?sslmode=verify-full",
        );
        assert.strictEqual(env.REDIS_URL, "rediss://redis-primary.rehearsal.test:6379");
        assert.strictEqual(env.MEMCACHED_SERVERS, "mc1.rehearsal.test:11211,mc2.rehearsal.test:11211");
        assert.deepStrictEqual(
            [env.MEMCACHED_TLS, env.NODE_ENV, env.DATABASE_PASSWORD, env.ADMIN_TOKEN],
            ["true", "production", "db-pw", "admin"],
        );
        // What the image and the platform provide.
        assert.deepStrictEqual(
            [env.NODE_EXTRA_CA_CERTS, env.BOXOFFICE_DATA_DIR, env.AWS_ENDPOINT_URL_SESV2],
            ["/run/ca.crt", "/run/app1-data", "http://email.rehearsal.test:8025"],
        );
        assert.strictEqual(env.REDIS_AUTH_TOKEN, undefined, "a secret the task does not inject must not appear");
    });

    it("fails loudly, naming every variable and secret it does not know", () => {
        assert.throws(
            () => rehearsalEnvironment(container({ NODE_ENV: "production", NEW_SETTING: "1" }, ["NEW_SECRET"]), values),
            (e: Error) =>
                e instanceof EnvMappingError && /fam-app task definition sets NEW_SETTING, NEW_SECRET/.test(e.message),
        );
    });

    it("refuses a replica or cache node count it does not run, and a mail transport it cannot count", () => {
        assert.throws(
            () => rehearsalEnvironment(container({ DATABASE_READ_URLS: "postgres://a/b,postgres://c/d" }), values),
            /lists 2 replica URL\(s\); the rehearsal runs 1/,
        );
        assert.throws(
            () => rehearsalEnvironment(container({ MEMCACHED_SERVERS: "a:1" }), values),
            /lists 1 node\(s\); the rehearsal runs 2/,
        );
        assert.throws(
            () => rehearsalEnvironment(container({ MAIL_TRANSPORT: "file" }), values),
            /does not send through SES/,
        );
        assert.throws(
            () => rehearsalEnvironment(container({ DATABASE_URL: "not a url" }), values),
            /DATABASE_URL in the plan is not a URL/,
        );
    });
});
