/**
 * A local stand-in for Amazon SES v2 (SendEmail with raw content) and CloudWatch (PutMetricData, DescribeAlarms), for
 * the rehearsal's worker. It counts every accepted e-mail per Message-ID: that count is how the drill
 * proves "every confirmed order's e-mail sent exactly once" (the file transport overwrites a resend and
 * would hide it).
 *
 * Acceptance: a send is counted when the stand-in answers it. `POST /_hold` parks new sends without
 * answering (a slow provider); a parked send whose client goes away is dropped, not counted, as a request
 * SES never finished. The drill uses that to kill the worker mid-send. Known difference from SES: no
 * signature check, no sandbox or identity rules, no throttling.
 *
 * Usage: node tools/ts-run.js tools/rehearse/ses-standin.ts <ip> <port>
 */
import { randomUUID } from "node:crypto";
import http from "node:http";

interface Parked {
    messageId: string;
    /** The sender's address: which worker is mid-send. */
    from: string;
    res: http.ServerResponse;
    req: http.IncomingMessage;
}

export class SesStandIn {
    readonly sends = new Map<string, number>();
    /** When and from where each accepted send came, for messages sent more than once. */
    private readonly history = new Map<string, Array<{ at: number; from: string }>>();
    readonly metrics: Array<{ at: number; namespace: string; data: unknown }> = [];
    abandoned = 0;
    private hold = false;
    private readonly parked: Parked[] = [];

    /** The Message-ID header of a raw RFC 5322 message (the worker's stable `order-<id>@boxoffice`). */
    static messageIdOf(raw: string): string | undefined {
        const headers = raw.split(/\r?\n\r?\n/, 1)[0];
        const match = /^Message-ID:\s*<?([^>\r\n]+)>?/im.exec(headers);
        return match?.[1].trim();
    }

    handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
        const url = req.url ?? "/";
        if (req.method === "POST" && url.startsWith("/v2/email/outbound-emails")) return this.sendEmail(req, res, body);
        if (req.method === "POST" && String(req.headers["x-amz-target"] ?? "").endsWith(".PutMetricData")) {
            const parsed = JSON.parse(body || "{}");
            this.metrics.push({ at: Date.now(), namespace: parsed.Namespace, data: parsed.MetricData });
            return json(res, 200, {}, "application/x-amz-json-1.0");
        }
        if (req.method === "POST" && String(req.headers["x-amz-target"] ?? "").endsWith(".DescribeAlarms")) {
            // The waiting room's health gate asks which platform alarms fire: none do here.
            return json(res, 200, { MetricAlarms: [], CompositeAlarms: [] }, "application/x-amz-json-1.0");
        }
        if (req.method === "GET" && url === "/_stats") {
            return json(res, 200, {
                sends: Object.fromEntries(this.sends),
                total: [...this.sends.values()].reduce((a, b) => a + b, 0),
                abandoned: this.abandoned,
                duplicates: [...this.history.entries()]
                    .filter(([, h]) => h.length > 1)
                    .map(([messageId, h]) => ({ messageId, sends: h })),
                parked: this.parked.length,
                parkedFrom: [...new Set(this.parked.map((p) => p.from))],
                hold: this.hold,
                metrics: this.metrics.slice(-20),
            });
        }
        if (req.method === "POST" && url === "/_hold") {
            this.hold = true;
            return json(res, 200, { hold: true });
        }
        if (req.method === "POST" && url === "/_release") {
            this.hold = false;
            const waiting = this.parked.splice(0);
            for (const p of waiting) this.accept(p.messageId, p.req, p.res);
            return json(res, 200, { released: waiting.length });
        }
        return json(res, 404, { message: `no stand-in for ${req.method} ${url}` });
    }

    private sendEmail(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
        let messageId: string | undefined;
        try {
            const raw = Buffer.from(JSON.parse(body).Content.Raw.Data, "base64").toString("utf8");
            messageId = SesStandIn.messageIdOf(raw);
        } catch {
            // fall through to the 400 below
        }
        if (!messageId) return json(res, 400, { message: "raw content with a Message-ID header expected" });
        if (this.hold) {
            const parked = { messageId, from: req.socket.remoteAddress ?? "", req, res };
            this.parked.push(parked);
            res.on("close", () => {
                const i = this.parked.indexOf(parked);
                if (i >= 0) {
                    this.parked.splice(i, 1);
                    this.abandoned++;
                }
            });
            return;
        }
        this.accept(messageId, req, res);
    }

    private accept(messageId: string, _req: http.IncomingMessage, res: http.ServerResponse): void {
        // The request itself is destroyed once its body is read; the response's socket tells whether the client is still there.
        if (res.destroyed || res.socket === null || res.socket.destroyed) {
            this.abandoned++;
            return;
        }
        this.sends.set(messageId, (this.sends.get(messageId) ?? 0) + 1);
        const history = this.history.get(messageId) ?? [];
        history.push({ at: Date.now(), from: res.socket?.remoteAddress ?? "" });
        this.history.set(messageId, history);
        json(res, 200, { MessageId: randomUUID() });
    }
}

function json(res: http.ServerResponse, status: number, value: unknown, type = "application/json"): void {
    res.writeHead(status, { "content-type": type });
    res.end(JSON.stringify(value));
}

export function serve(standIn: SesStandIn, host: string, port: number): Promise<http.Server> {
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            try {
                standIn.handle(req, res, Buffer.concat(chunks).toString("utf8"));
            } catch (error) {
                json(res, 500, { message: String(error) });
            }
        });
    });
    return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

// Run directly (tools/ts-run.js sets argv[1] to the entry file), not when imported by tests.
if (process.argv[1] === __filename) {
    const [host, port] = process.argv.slice(2);
    void serve(new SesStandIn(), host, Number(port)).then(() =>
        process.stdout.write(`ses stand-in on ${host}:${port}\n`),
    );
}
