import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";

/** Easy DKIM always hands out three tokens, so the number of CNAME records is known before deployment. */
const EASY_DKIM_TOKENS = 3;
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

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
    readonly domain: string;
    readonly mailFromDomain: string;

    constructor(name: string, args: SendingIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const label = args.mailFromLabel ?? "mail";
        const ttl = args.ttlSeconds ?? 1800;
        const check = argChecker("SendingIdentity", name);
        check.that(DNS_NAME.test(args.domain), "domain", args.domain, "must be a lower-case DNS name like tickets.example.com");
        check.that(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label), "mailFromLabel", label, "must be one DNS label, e.g. mail");
        check.intRange("ttlSeconds", ttl, 60, 86400, "DNS record TTL");
        super("boxoffice:mail:SendingIdentity", name, {}, opts);
        const parent = { parent: this };
        const region = aws.getRegionOutput({}, parent).region;
        const mailFrom = `${label}.${args.domain}`;

        const identity = new aws.sesv2.EmailIdentity(`${name}-identity`, {
            emailIdentity: args.domain,
            dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
            tags: { ...args.tags, Name: `${name}-identity` },
        }, parent);
        // Easy DKIM: `<token>._domainkey.<domain>` CNAME `<token>.dkim.amazonses.com` (SES Developer Guide, "Easy DKIM").
        const tokens = identity.dkimSigningAttributes.apply((d) => d.tokens ?? []);
        for (let i = 0; i < EASY_DKIM_TOKENS; i++) {
            const token = tokens.apply((t) => t[i]);
            new aws.route53.Record(`${name}-dkim-${i + 1}`, {
                zoneId: args.hostedZoneId, type: "CNAME", ttl,
                name: pulumi.interpolate`${token}._domainkey.${args.domain}`,
                records: [pulumi.interpolate`${token}.dkim.amazonses.com`],
            }, parent);
        }
        // MAIL FROM: an MX to the region's feedback endpoint and an SPF record allowing SES (SES Developer Guide,
        // "Using a custom MAIL FROM domain"). USE_DEFAULT_VALUE keeps mail flowing (from amazonses.com) should the MX
        // go missing, instead of refusing every send.
        new aws.sesv2.EmailIdentityMailFromAttributes(`${name}-mail-from`, {
            emailIdentity: identity.emailIdentity, mailFromDomain: mailFrom, behaviorOnMxFailure: "USE_DEFAULT_VALUE",
        }, parent);
        new aws.route53.Record(`${name}-mail-from-mx`, {
            zoneId: args.hostedZoneId, name: mailFrom, type: "MX", ttl, records: [pulumi.interpolate`10 feedback-smtp.${region}.amazonses.com`],
        }, parent);
        new aws.route53.Record(`${name}-mail-from-spf`, {
            zoneId: args.hostedZoneId, name: mailFrom, type: "TXT", ttl, records: ["v=spf1 include:amazonses.com ~all"],
        }, parent);

        this.identityArn = identity.arn;
        this.domain = args.domain;
        this.mailFromDomain = mailFrom;
        this.registerOutputs({ identityArn: this.identityArn });
    }
}
