import * as assert from "assert";
import { SendingIdentity } from "../../../components/mail/sending-identity";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, promiseOf } from "../../../tools/offline/values";

const RECORD = "aws:route53/record:Record";

describe("SendingIdentity", () => {
    it("creates an SES domain identity with Easy DKIM (three CNAMEs in the zone) and a custom MAIL FROM with MX and SPF", async () => {
        let mail!: SendingIdentity;
        const run = await runProgram(() => {
            mail = new SendingIdentity("shop-mail", { domain: "tickets.example.com", hostedZoneId: "Z0EXAMPLE" });
        });
        const identity = ofType(run, "aws:sesv2/emailIdentity:EmailIdentity")[0];
        assert.deepStrictEqual(
            [inputsOf(identity).emailIdentity, inputsOf(identity).dkimSigningAttributes],
            ["tickets.example.com", { nextSigningKeyLength: "RSA_2048_BIT" }],
        );
        const tokens: string[] = outputsOf(identity).dkimSigningAttributes.tokens;
        const dkim = [1, 2, 3].map((i) => inputsOf(byName(run, RECORD, `shop-mail-dkim-${i}`)));
        assert.deepStrictEqual(
            dkim.map((r) => [r.zoneId, r.type, r.name, r.records]),
            tokens.map((t) => [
                "Z0EXAMPLE",
                "CNAME",
                `${t}._domainkey.tickets.example.com`,
                [`${t}.dkim.amazonses.com`],
            ]),
        );
        const from = inputsOf(
            ofType(run, "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes")[0],
        );
        assert.deepStrictEqual(
            [from.emailIdentity, from.mailFromDomain, from.behaviorOnMxFailure],
            ["tickets.example.com", "mail.tickets.example.com", "USE_DEFAULT_VALUE"],
        );
        assert.deepStrictEqual(inputsOf(byName(run, RECORD, "shop-mail-mail-from-mx")).records, [
            "10 feedback-smtp.eu-west-1.amazonses.com",
        ]);
        assert.deepStrictEqual(inputsOf(byName(run, RECORD, "shop-mail-mail-from-spf")).records, [
            "v=spf1 include:amazonses.com ~all",
        ]);
        assert.strictEqual(
            await promiseOf(mail.identityArn),
            "arn:aws:ses:eu-west-1:123456789012:identity/tickets.example.com",
        );
        assert.ok(run.resources.filter((r) => r.custom).every((r) => r.name.startsWith("shop-mail-")));
    });

    it("refuses a domain that is not a DNS name", () => {
        assert.throws(() => new SendingIdentity("m", { domain: "Tickets.Example", hostedZoneId: "Z1" }), {
            message:
                'SendingIdentity "m": domain = "Tickets.Example": must be a lower-case DNS name like tickets.example.com',
        });
    });
});
