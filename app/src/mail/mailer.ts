import { createHash } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";

export interface MailMessage {
    /** Stable per order: the file name locally and the Message-ID header, so resends are recognisable. */
    id: string;
    to: string;
    from: string;
    subject: string;
    text: string;
    attachments?: MailAttachment[];
}

export interface MailAttachment {
    filename: string;
    contentType: string;
    content: Buffer;
}

export interface Mailer {
    /** `signal` aborts when the worker gives up waiting (its send timeout). */
    send(message: MailMessage, options?: { signal?: AbortSignal }): Promise<void>;
}

function headerSafe(value: string): string {
    return value.replace(/[\r\n]+/g, " ");
}

/** Base64 in lines of 76 characters (RFC 2045 §6.8). */
function base64Lines(content: Buffer): string {
    return (content.toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");
}

/**
 * RFC 5322 message; the same bytes go to a file locally and to SES as raw content. With attachments
 * it is multipart/mixed (RFC 2046): the text first, then each attachment in base64. The boundary is
 * derived from the message id, so a resend is byte-identical apart from its Date.
 */
export function toMime(message: MailMessage): string {
    const headers = [
        `From: ${headerSafe(message.from)}`,
        `To: ${headerSafe(message.to)}`,
        `Subject: ${headerSafe(message.subject)}`,
        `Message-ID: <${headerSafe(message.id)}@boxoffice>`,
        `Date: ${new Date().toUTCString()}`,
        "MIME-Version: 1.0",
    ];
    const text = [
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        message.text.replace(/\r?\n/g, "\r\n"),
    ];
    const attachments = message.attachments ?? [];
    if (attachments.length === 0) return [...headers, ...text, ""].join("\r\n");
    const boundary = `boxoffice-${createHash("sha256").update(message.id).digest("hex").slice(0, 24)}`;
    const parts = [
        text.join("\r\n"),
        ...attachments.map((attachment) => {
            const name = attachment.filename.replace(/[^A-Za-z0-9._-]/g, "_");
            return [
                `Content-Type: ${attachment.contentType}; name="${name}"`,
                `Content-Disposition: attachment; filename="${name}"`,
                "Content-Transfer-Encoding: base64",
                "",
                base64Lines(attachment.content),
            ].join("\r\n");
        }),
    ];
    return [
        ...headers,
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        "",
        ...parts.map((part) => `--${boundary}\r\n${part}`),
        `--${boundary}--`,
        "",
    ].join("\r\n");
}

/** Local transport: one .eml per message id, written atomically; a resend overwrites, never duplicates. */
export class FileMailer implements Mailer {
    constructor(private readonly directory: string) {}

    async send(message: MailMessage): Promise<void> {
        await mkdir(this.directory, { recursive: true });
        const target = path.join(this.directory, `${message.id.replace(/[^A-Za-z0-9_-]/g, "_")}.eml`);
        const temporary = `${target}.${process.pid}.tmp`;
        await writeFile(temporary, toMime(message), { mode: 0o600 });
        await rename(temporary, target);
    }
}

/** Per HTTP request to SES; the SDK's own retries (3 attempts) each get this much. */
const SES_CONNECTION_TIMEOUT_MS = 3000;
const SES_REQUEST_TIMEOUT_MS = 5000;

export class SesMailer implements Mailer {
    // Without a request timeout the SDK waits on a stalled connection indefinitely, and the worker
    // would sit on its claimed rows; the worker's abort signal bounds the retries as a whole.
    private readonly client = new SESv2Client({
        requestHandler: { connectionTimeout: SES_CONNECTION_TIMEOUT_MS, requestTimeout: SES_REQUEST_TIMEOUT_MS },
    });

    async send(message: MailMessage, options: { signal?: AbortSignal } = {}): Promise<void> {
        await this.client.send(
            new SendEmailCommand({
                FromEmailAddress: message.from,
                Destination: { ToAddresses: [message.to] },
                Content: { Raw: { Data: Buffer.from(toMime(message)) } },
            }),
            { abortSignal: options.signal },
        );
    }
}

export function createMailer(config: { mailTransport: "ses" | "file"; dataDir: string }): Mailer {
    return config.mailTransport === "ses" ? new SesMailer() : new FileMailer(path.join(config.dataDir, "mail"));
}
