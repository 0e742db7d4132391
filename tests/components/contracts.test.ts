import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { z } from "zod";
import {
    ALARMS_CONTRACT,
    AUTOSCALED_SERVICE_CONTRACT,
    BACKUP_POLICY_CONTRACT,
    CONTAINER_IMAGE_CONTRACT,
    Contract,
    DATABASE_CONTRACT,
    ECS_CLUSTER_CONTRACT,
    GAME_DAYS_CONTRACT,
    MEMCACHED_CLUSTER_CONTRACT,
    NETWORK_CONTRACT,
    PAIRED_LOAD_BALANCERS_CONTRACT,
    REDIS_CACHE_CONTRACT,
    SCHEDULED_SCALING_CONTRACT,
    SENDING_IDENTITY_CONTRACT,
    SERVICE_SECRETS_CONTRACT,
    SERVICE_SECURITY_GROUPS_CONTRACT,
    WEB_FIREWALL_CONTRACT,
    applyTransform,
    field,
} from "../../components";
import * as components from "../../components";
import { ComponentArgError } from "../../components/arg-check";
import { defineContract } from "../../components/contract";
import { literalOf, NOT_LITERAL } from "../../tools/docs/literal";

const ROOT = path.resolve(__dirname, "../..");

/** Every contract, with the file and interface whose JSDoc documents its arguments. */
/** Any contract, as far as this test reads it (its component name and defaults). */
type SomeContract = Pick<
    Contract<Record<string, z.ZodType>, Record<string, unknown>>,
    "component" | "defaults" | "fields"
>;

const DOCUMENTED: [SomeContract, string, string][] = [
    [NETWORK_CONTRACT, "components/network/network-args.ts", "NetworkArgs"],
    [DATABASE_CONTRACT, "components/data/database-args.ts", "DatabaseArgs"],
    [REDIS_CACHE_CONTRACT, "components/data/redis-cache-args.ts", "RedisCacheArgs"],
    [MEMCACHED_CLUSTER_CONTRACT, "components/data/memcached-cluster-args.ts", "MemcachedClusterArgs"],
    [BACKUP_POLICY_CONTRACT, "components/backup/backup-policy-args.ts", "BackupPolicyArgs"],
    [PAIRED_LOAD_BALANCERS_CONTRACT, "components/edge/paired-load-balancers-args.ts", "PairedLoadBalancersArgs"],
    [WEB_FIREWALL_CONTRACT, "components/edge/web-firewall.ts", "WebFirewallArgs"],
    [SERVICE_SECURITY_GROUPS_CONTRACT, "components/edge/service-security-groups.ts", "ServiceSecurityGroupsArgs"],
    [ECS_CLUSTER_CONTRACT, "components/compute/cluster.ts", "EcsClusterArgs"],
    [CONTAINER_IMAGE_CONTRACT, "components/compute/container-image.ts", "ContainerImageArgs"],
    [SERVICE_SECRETS_CONTRACT, "components/compute/service-secrets.ts", "ServiceSecretsArgs"],
    [AUTOSCALED_SERVICE_CONTRACT, "components/compute/autoscaled-service-args.ts", "AutoscaledServiceArgs"],
    [SCHEDULED_SCALING_CONTRACT, "components/compute/scheduled-scaling-args.ts", "ScheduledScalingArgs"],
    [ALARMS_CONTRACT, "components/observability/alarms-args.ts", "AlarmsArgs"],
    [GAME_DAYS_CONTRACT, "components/resilience/game-days.ts", "GameDaysArgs"],
    [SENDING_IDENTITY_CONTRACT, "components/mail/sending-identity.ts", "SendingIdentityArgs"],
];

/** `@default` of each property of an interface, as the literal it states (or NOT_LITERAL for prose). */
function documentedDefaults(file: string, iface: string): Map<string, unknown> {
    const source = ts.createSourceFile(
        file,
        fs.readFileSync(path.join(ROOT, file), "utf8"),
        ts.ScriptTarget.ES2022,
        true,
    );
    const found = new Map<string, unknown>();
    const decl = source.statements.find(
        (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === iface,
    );
    assert.ok(decl, `${iface} in ${file}`);
    for (const member of decl.members) {
        if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) continue;
        for (const tag of ts.getJSDocTags(member)) {
            if (tag.tagName.text !== "default") continue;
            const text = (
                typeof tag.comment === "string" ? tag.comment : (ts.getTextOfJSDocComment(tag.comment) ?? "")
            ).trim();
            found.set(member.name.text, literalOf(text));
        }
    }
    return found;
}

describe("component contracts", () => {
    it("every exported contract is in the documented list above", () => {
        const exported = Object.entries(components)
            .filter(([k]) => k.endsWith("_CONTRACT"))
            .map(([, v]) => v);
        assert.ok(exported.length > 0);
        for (const c of exported)
            assert.ok(
                DOCUMENTED.some(([d]) => d === c),
                `${(c as SomeContract).component} is not checked`,
            );
    });

    for (const [contract, file, iface] of DOCUMENTED) {
        it(`${contract.component}: every default is documented in ${iface} with the contract's value, and no other literal default`, () => {
            const documented = documentedDefaults(file, iface);
            for (const [key, value] of Object.entries(contract.defaults)) {
                assert.ok(
                    documented.has(key),
                    `${iface}.${key} has no @default (the contract's is ${JSON.stringify(value)})`,
                );
                assert.deepStrictEqual(
                    documented.get(key),
                    value,
                    `${iface}.${key}: JSDoc @default disagrees with the contract`,
                );
            }
            for (const key of Object.keys(contract.fields)) {
                if (key in contract.defaults || !documented.has(key)) continue;
                assert.strictEqual(
                    documented.get(key),
                    NOT_LITERAL,
                    `${iface}.${key} documents a literal default the contract does not have`,
                );
            }
        });
    }

    it("resolves defaults, and throws one ComponentArgError for the first problem, fields before rules", () => {
        const c = defineContract({
            component: "Thing",
            fields: { low: field.int(0, 10, "a why"), high: field.int(0, 10, "a why"), mode: field.oneOf(["a", "b"]) },
            defaults: { low: 1, high: 5, mode: "a" },
            rules: (v, report) => {
                if (v.low > v.high) report("low", `must not exceed high (${v.high})`);
            },
        });
        assert.deepStrictEqual(c.resolve("t", {}), { low: 1, high: 5, mode: "a" });
        assert.deepStrictEqual(c.resolve("t", { low: undefined, high: 7 }), { low: 1, high: 7, mode: "a" });
        assert.throws(
            () => c.resolve("t", { low: 6, high: 2 }),
            (e: Error) => {
                assert.ok(e instanceof ComponentArgError);
                assert.strictEqual(e.message, 'Thing "t": low = 6: must not exceed high (2)');
                return true;
            },
        );
        assert.throws(() => c.resolve("t", { low: 60, high: 2, mode: "c" }), {
            message: 'Thing "t": low = 60: must be 0..10 (a why)',
        });
        assert.deepStrictEqual(
            c.problems({ low: 60, high: 2.5, mode: "c" }).map((p) => p.field),
            ["low", "high", "mode"],
            "every field problem, no rule yet",
        );
        assert.throws(() => c.defaultsOf(["nope" as "low"]), /Thing: nope has no default/);
    });

    it("a section is strict, carries the contract's rules (defaults stand in), and can leave them to the stack", () => {
        const c = defineContract({
            component: "Thing",
            fields: { low: field.int(0, 10, "a why"), high: field.int(0, 10, "a why") },
            defaults: { low: 1, high: 5 },
            rules: (v, report) => {
                if (v.low > v.high) report("low", `must not exceed high (${v.high})`);
            },
        });
        const issues = (schema: z.ZodType, value: unknown) =>
            (schema.safeParse(value).error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`);
        assert.deepStrictEqual(issues(c.section(["low"]), { low: 7 }), ["low: must not exceed high (5)"]);
        assert.deepStrictEqual(issues(c.section(["low"]), { low: 1, extra: 1 }), [': Unrecognized key: "extra"']);
        assert.deepStrictEqual(
            issues(c.section(["low"]), { low: 70 }),
            ["low: must be 0..10 (a why)"],
            "no rule over an invalid field",
        );
        assert.deepStrictEqual(issues(c.section(["low"], { rules: false }), { low: 7 }), []);
        assert.deepStrictEqual(issues(c.section(["low"], { extra: { note: z.string() } }), { low: 1, note: "x" }), []);
    });
});

describe("transform", () => {
    const args = { a: 1, tags: { x: "1" } };
    const opts = { protect: false };

    it("leaves arguments alone without a transform", () => {
        assert.deepStrictEqual(applyTransform(undefined, "n", args, opts), [args, opts]);
    });

    it("an object replaces fields shallowly", () => {
        const wider: { a: number; tags: Record<string, string> } = args;
        assert.deepStrictEqual(applyTransform({ tags: { y: "2" } }, "n", wider, opts), [
            { a: 1, tags: { y: "2" } },
            opts,
        ]);
    });

    it("a function edits copies in place, or returns new arguments and options; the originals never change", () => {
        const [edited] = applyTransform<typeof args, typeof opts>(
            (a, _o, name) => {
                a.a = name.length;
            },
            "name",
            args,
            opts,
        );
        assert.deepStrictEqual(edited, { a: 4, tags: { x: "1" } });
        const [replaced, newOpts] = applyTransform<typeof args, typeof opts>(
            (a, o) => [
                { ...a, a: 9 },
                { ...o, protect: true },
            ],
            "n",
            args,
            opts,
        );
        assert.deepStrictEqual([replaced, newOpts], [{ a: 9, tags: { x: "1" } }, { protect: true }]);
        assert.deepStrictEqual([args, opts], [{ a: 1, tags: { x: "1" } }, { protect: false }]);
    });
});
