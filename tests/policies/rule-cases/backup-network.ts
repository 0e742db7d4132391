/** Violating mutations of the baseline: AWS Backup, the network, and the RPO budget. */
import { TYPES, baseline, mutated, without } from "../fixture";
import { Case, withIngress } from "./common";

export const BACKUP_NETWORK_CASES: Case[] = [
    // Backup
    [
        "backup-plan-schedules",
        "no weekly rule",
        () =>
            mutated("plan", (p) => {
                p.rules.splice(1, 1);
            }),
        /no weekly/,
    ],
    [
        "backup-plan-schedules",
        "no monthly rule (rate-based daily only)",
        () =>
            mutated("plan", (p) => {
                p.rules = [{ ...p.rules[0], schedule: "rate(1 day)" }, p.rules[1]];
            }),
        /no monthly/,
    ],
    [
        "backup-plan-schedules",
        "rule named weekly runs on weekdays",
        () =>
            mutated("plan", (p) => {
                p.rules[1].schedule = "cron(0 5 ? * MON-FRI *)";
            }),
        /rule weekly has schedule "cron\(0 5 \? \* MON-FRI \*\)", which is not a recognised/,
    ],
    [
        "backup-plan-schedules",
        "rule named weekly runs on weekdays: no weekly rule left",
        () =>
            mutated("plan", (p) => {
                p.rules[1].schedule = "cron(0 5 ? * MON-FRI *)";
            }),
        /no weekly rule/,
    ],
    [
        "backup-plan-schedules",
        "rule named weekly without schedule (AWS runs it daily)",
        () =>
            mutated("plan", (p) => {
                delete p.rules[1].schedule;
            }),
        /no weekly rule/,
    ],
    [
        "backup-plan-schedules",
        "first Sunday of the month is not weekly",
        () =>
            mutated("plan", (p) => {
                p.rules[1].schedule = "cron(0 4 ? * SUN#1 *)";
            }),
        /no weekly rule/,
    ],
    [
        "backup-plan-retention",
        "rule named weekly runs on weekdays",
        () =>
            mutated("plan", (p) => {
                p.rules[1].schedule = "cron(0 5 ? * MON-FRI *)";
            }),
        /rule weekly has schedule .* not a recognised .* retention cannot be held/,
    ],
    [
        "backup-plan-retention",
        "daily below floor",
        () =>
            mutated("plan", (p) => {
                p.rules[0].lifecycle.deleteAfter = 1;
            }),
        /daily rule daily keeps 1/,
    ],
    [
        "backup-plan-retention",
        "weekly not longer than daily",
        () =>
            mutated("plan", (p) => {
                p.rules[0].lifecycle.deleteAfter = 40;
            }),
        /weekly retention \(35 d\) is not longer/,
    ],
    [
        "backup-plan-retention",
        "cold storage too short",
        () =>
            mutated("plan", (p) => {
                p.rules[2].lifecycle = { coldStorageAfter: 30, deleteAfter: 100 };
            }),
        /coldStorageAfter 30 \+ 90/,
    ],
    [
        "backup-cross-region-copy",
        "no copy",
        () =>
            mutated("plan", (p) => {
                delete p.rules[0].copyActions;
            }),
        /no copy action/,
    ],
    [
        "backup-cross-region-copy",
        "copy in the same region",
        () =>
            mutated("plan", (p) => {
                p.rules[1].copyActions[0].destinationVaultArn =
                    "arn:aws:backup:eu-west-1:123456789012:backup-vault:other";
            }),
        /only within eu-west-1/,
    ],
    [
        "backup-continuous-retention",
        "PITR 1 day",
        () =>
            mutated("plan", (p) => {
                p.rules[3].lifecycle.deleteAfter = 1;
            }),
        /keeps 1 day/,
    ],
    [
        "backup-continuous-retention",
        "PITR beyond 35 days",
        () =>
            mutated("plan", (p) => {
                p.rules[3].lifecycle.deleteAfter = 60;
            }),
        /at most 35/,
    ],
    [
        "backup-vault-kms",
        "vault without CMK",
        () =>
            mutated("main", (p) => {
                delete p.kmsKeyArn;
            }),
    ],
    ["backup-vault-lock", "vault not locked", () => without("dr-lock"), /dr: no aws.backup.VaultLockConfiguration/],
    [
        "backup-vault-lock",
        "governance mode",
        () =>
            mutated("main-lock", (p) => {
                delete p.changeableForDays;
            }),
        /governance/,
    ],
    [
        "backup-coverage",
        "database untagged",
        () =>
            mutated("db", (p) => {
                delete p.tags["boxoffice:backup"];
            }),
        /missing/,
    ],
    ["backup-coverage", "no selection", () => without("selection"), /no aws.backup.Selection/],
    [
        "backup-coverage",
        "selection on another tag value",
        () =>
            mutated("selection", (p) => {
                p.selectionTags[0].value = "weekly";
            }),
        /no aws.backup.Selection/,
    ],
    // Network
    ["nat-gateway-per-az", "single NAT", () => without("nat-b"), /no NAT gateway in eu-west-1b/],
    [
        "no-public-ingress",
        "SSH open to the world",
        () => {
            const f = baseline();
            f.push({
                type: TYPES.ingress,
                name: "ssh",
                props: {
                    securityGroupId: "sg-app",
                    cidrIpv4: "0.0.0.0/0",
                    fromPort: 22,
                    toPort: 22,
                    ipProtocol: "tcp",
                },
                deps: { securityGroupId: ["sg-app"] },
            });
            return f;
        },
        /ssh: tcp 22-22/,
    ],
    [
        "no-public-ingress",
        "ALB open on 8080",
        () =>
            mutated("alb-in-443", (p) => {
                p.fromPort = 8080;
                p.toPort = 8080;
            }),
        /tcp 8080-8080/,
    ],
    [
        "no-public-ingress",
        "IPv6 all traffic",
        () =>
            mutated("alb-in-80", (p) => {
                delete p.cidrIpv4;
                p.cidrIpv6 = "::/0";
                p.ipProtocol = "-1";
                delete p.fromPort;
                delete p.toPort;
            }),
        /all traffic/,
    ],
    [
        "no-public-ingress",
        "inline ingress on an untagged group",
        () =>
            mutated("sg-app", (p) => {
                delete p.tags;
                p.ingress = [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }];
            }),
        /no tier tag/,
    ],
    [
        "no-public-ingress",
        "security-group rule ingress",
        () => {
            const f = baseline();
            f.push({
                type: "aws:ec2/securityGroupRule:SecurityGroupRule",
                name: "pg-open",
                props: {
                    type: "ingress",
                    securityGroupId: "sg-app",
                    cidrBlocks: ["0.0.0.0/0"],
                    fromPort: 5432,
                    toPort: 5432,
                    protocol: "tcp",
                },
                deps: { securityGroupId: ["sg-app"] },
            });
            return f;
        },
        /pg-open/,
    ],
    [
        "no-public-ingress",
        "SSH from 0.0.0.0/1",
        () => withIngress("sg-app", { cidrIpv4: "0.0.0.0/1", fromPort: 22, toPort: 22, ipProtocol: "tcp" }),
        /extra: tcp 22-22 from the internet \(0\.0\.0\.0\/1\)/,
    ],
    [
        "no-public-ingress",
        "SSH from 128.0.0.0/1",
        () => withIngress("sg-app", { cidrIpv4: "128.0.0.0/1", fromPort: 22, toPort: 22, ipProtocol: "tcp" }),
        /extra: tcp 22-22 from the internet \(128\.0\.0\.0\/1\)/,
    ],
    [
        "no-public-ingress",
        "all traffic from ::/1",
        () => withIngress("sg-app", { cidrIpv6: "::/1", ipProtocol: "-1" }),
        /extra: all traffic from the internet \(::\/1\)/,
    ],
    [
        "no-public-ingress",
        "a public /8 (8.0.0.0/8)",
        () => withIngress("sg-app", { cidrIpv4: "8.0.0.0/8", fromPort: 5432, toPort: 5432, ipProtocol: "tcp" }),
        /\(8\.0\.0\.0\/8\)/,
    ],
    [
        "no-public-ingress",
        "10.0.0.0/7 reaches past private space",
        () => withIngress("sg-app", { cidrIpv4: "10.0.0.0/7", fromPort: 5432, toPort: 5432, ipProtocol: "tcp" }),
        /\(10\.0\.0\.0\/7\)/,
    ],
    [
        "no-public-ingress",
        "a source that is not a CIDR",
        () => withIngress("sg-app", { cidrIpv4: "0.0.0.0", fromPort: 22, toPort: 22, ipProtocol: "tcp" }),
        /"0\.0\.0\.0" \(not a CIDR; treated as open\)/,
    ],
    [
        "no-public-ingress",
        "split halves in a security-group rule",
        () => {
            const f = baseline();
            f.push({
                type: "aws:ec2/securityGroupRule:SecurityGroupRule",
                name: "pg-halves",
                props: {
                    type: "ingress",
                    securityGroupId: "sg-app",
                    cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"],
                    fromPort: 5432,
                    toPort: 5432,
                    protocol: "tcp",
                },
                deps: { securityGroupId: ["sg-app"] },
            });
            return f;
        },
        /pg-halves: tcp 5432-5432 from the internet \(0\.0\.0\.0\/1, 128\.0\.0\.0\/1\)/,
    ],
    [
        "no-public-ingress",
        "inline ingress from ::/1 on the ALB group",
        () =>
            mutated("sg-alb", (p) => {
                p.ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/1"] }];
            }),
        /sg-alb ingress\[0\]: tcp 22-22 from the internet \(::\/1\)/,
    ],
    [
        "kms-key-rotation",
        "no rotation",
        () =>
            mutated("key", (p) => {
                p.enableKeyRotation = false;
            }),
    ],
    [
        "tier-tagged",
        "database without tier",
        () =>
            mutated("db", (p) => {
                delete p.tags["boxoffice:tier"];
            }),
        /missing/,
    ],
    [
        "tier-tagged",
        "service with a wrong tier",
        () =>
            mutated("worker", (p) => {
                p.tags["boxoffice:tier"] = "database";
            }),
        /expected app or worker/,
    ],
    // RPO budget
    [
        "rpo-budget",
        "single-AZ database: 5 minutes of writes on an AZ failure",
        () =>
            mutated("db", (p) => {
                p.multiAz = false;
            }),
        /database db: an AZ failure loses up to 300 s of acknowledged writes, over the 0 s RPO SLO/,
    ],
    [
        "rpo-budget",
        "no cross-region copy",
        () =>
            mutated("plan", (p) => {
                for (const r of p.rules) delete r.copyActions;
            }),
        /losing the region loses all its acknowledged writes/,
    ],
    [
        "rpo-budget",
        "only a weekly cross-region copy",
        () =>
            mutated("plan", (p) => {
                delete p.rules[0].copyActions;
            }),
        /every 168 h/,
    ],
];
