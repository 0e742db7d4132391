import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { defineContract, field } from "../contract";
import { DOMAIN_NAME } from "../edge/paired-load-balancers-args";
import { child, Transform } from "../transform";

/** Easy DKIM always hands out three tokens, so the number of CNAME records is known before deployment. */
const EASY_DKIM_TOKENS = 3;

export const SENDING_IDENTITY_CONTRACT = defineContract({
    component: "SendingIdentity",
    fields: {
        domain: DOMAIN_NAME,
        mailFromLabel: field.text(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "one DNS label, e.g. mail"),
        ttlSeconds: field.int(60, 86400, "DNS record TTL"),
    },
    defaults: { mailFromLabel: "mail", ttlSeconds: 1800 },
});

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface SendingIdentityTransform {
    identity?: Transform<aws.sesv2.EmailIdentityArgs>;
    mailFrom?: Transform<aws.sesv2.EmailIdentityMailFromAttributesArgs>;
    /** The three DKIM CNAMEs, the MAIL FROM MX and its SPF record. */
    record?: Transform<aws.route53.RecordArgs>;
}

export interface SendingIdentityArgs {
    /** Domain the service sends from, e.g. `tickets.example.com`; `From:` addresses must be on it. */
    domain: string;
    /** Route 53 hosted zone that holds `domain`: the DKIM, MX and SPF records are written there. */
    hostedZoneId: pulumi.Input<string>;
    /**
     * Label of the custom MAIL FROM subdomain (`<label>.<domain>`): bounces go there, and SPF then passes for the
     * sender's own domain instead of amazonses.com, which DMARC alignment needs. @default "mail"
     */
    mailFromLabel?: string;
    /** TTL of the DNS records, seconds. @default 1800 */
    ttlSeconds?: number;
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: SendingIdentityTransform;
    /** Tags for the identity. @default {} */
    tags?: Record<string, string>;
}

/**
 * An Amazon SES (v2) domain identity the service can send from: Easy DKIM (RSA 2048) with its three CNAME
 * records in the hosted zone, and a custom MAIL FROM subdomain with its MX and SPF records. SES verifies the
 * domain once it sees the DKIM records (usually within minutes, up to 72 hours).
 *
 * Before real buyers get mail: a new account's SES is in the sandbox (it delivers only to verified addresses,
 * at most 200 messages a day); request production access once per account and region (console, or
 * `aws sesv2 put-account-details --production-access-enabled --mail-type TRANSACTIONAL ...`).
 * Cost: none for the identity; SES bills per message sent, Route 53 per hosted zone and query.
 *
 * @example new SendingIdentity("boxoffice-prod-mail", { domain: "tickets.example.com", hostedZoneId: "Z0123456789ABC" })
 */
export class SendingIdentity extends pulumi.ComponentResource {
    /** `arn:<partition>:ses:<region>:<account>:identity/<domain>`: what `ses:SendEmail` is granted on. */
    readonly identityArn: pulumi.Output<string>;
    /** The verified sending domain (`domain`). */
    readonly domain: string;
    /** The custom MAIL FROM domain (bounce handling, SPF alignment). */
    readonly mailFromDomain: string;
    /** The raw SES identity. */
    readonly resources: { identity: aws.sesv2.EmailIdentity };

    constructor(name: string, args: SendingIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const { mailFromLabel: label, ttlSeconds: ttl } = SENDING_IDENTITY_CONTRACT.resolve(name, args);
        super("boxoffice:mail:SendingIdentity", name, {}, opts);
        const parent = { parent: this };
        const t = args.transform ?? {};
        const region = aws.getRegionOutput({}, parent).region;
        const mailFrom = `${label}.${args.domain}`;

        const identity = child(
            aws.sesv2.EmailIdentity,
            `${name}-identity`,
            {
                emailIdentity: args.domain,
                dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
                tags: { ...args.tags, Name: `${name}-identity` },
            },
            parent,
            t.identity,
        );
        // Easy DKIM: `<token>._domainkey.<domain>` CNAME `<token>.dkim.amazonses.com` (SES Developer Guide, "Easy DKIM").
        const tokens = identity.dkimSigningAttributes.apply((d) => d.tokens ?? []);
        for (let i = 0; i < EASY_DKIM_TOKENS; i++) {
            const token = tokens.apply((t) => t[i]);
            child(
                aws.route53.Record,
                `${name}-dkim-${i + 1}`,
                {
                    zoneId: args.hostedZoneId,
                    type: "CNAME",
                    ttl,
                    name: pulumi.interpolate`${token}._domainkey.${args.domain}`,
                    records: [pulumi.interpolate`${token}.dkim.amazonses.com`],
                },
                parent,
                t.record,
            );
        }
        // MAIL FROM: an MX to the region's feedback endpoint and an SPF record allowing SES (SES Developer Guide,
        // "Using a custom MAIL FROM domain"). USE_DEFAULT_VALUE keeps mail flowing (from amazonses.com) should the MX
        // go missing, instead of refusing every send.
        child(
            aws.sesv2.EmailIdentityMailFromAttributes,
            `${name}-mail-from`,
            {
                emailIdentity: identity.emailIdentity,
                mailFromDomain: mailFrom,
                behaviorOnMxFailure: "USE_DEFAULT_VALUE",
            },
            parent,
            t.mailFrom,
        );
        child(
            aws.route53.Record,
            `${name}-mail-from-mx`,
            {
                zoneId: args.hostedZoneId,
                name: mailFrom,
                type: "MX",
                ttl,
                records: [pulumi.interpolate`10 feedback-smtp.${region}.amazonses.com`],
            },
            parent,
            t.record,
        );
        child(
            aws.route53.Record,
            `${name}-mail-from-spf`,
            {
                zoneId: args.hostedZoneId,
                name: mailFrom,
                type: "TXT",
                ttl,
                records: ["v=spf1 include:amazonses.com ~all"],
            },
            parent,
            t.record,
        );

        this.identityArn = identity.arn;
        this.domain = args.domain;
        this.mailFromDomain = mailFrom;
        this.resources = { identity };
        this.registerOutputs({ identityArn: this.identityArn });
    }
}
