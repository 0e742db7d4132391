import type { ConnectionOptions } from "node:tls";

/**
 * The sslmode values a database URL may carry, and what each means here. pg 8.23 (through
 * pg-connection-string 2.14) already treats `prefer`, `require` and `verify-ca` as aliases of
 * `verify-full`, but warns that it will switch to libpq's meaning, where `require` encrypts without
 * checking the certificate. We decide it ourselves instead, so that no driver upgrade can quietly
 * stop verifying: every mode that asks for TLS gets a verified one — the chain against Node's CAs
 * plus NODE_EXTRA_CA_CERTS (the RDS bundle in the image), and the host name against the certificate.
 */
export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full", "no-verify"] as const;
export type SslMode = (typeof SSL_MODES)[number];

export function sslModeOf(url: string): string | undefined {
    return new URL(url).searchParams.get("sslmode") ?? undefined;
}

/**
 * The connection string without `sslmode` (node-postgres lets the URL's TLS settings replace the
 * ones we pass) and the TLS options to use instead:
 * - `disable`: plain TCP; `no-verify`: encrypted, certificate not checked (an explicit opt-out);
 * - `allow`, `prefer`, `require`, `verify-ca`, `verify-full`: encrypted and verified;
 * - no sslmode: verified TLS when `tlsByDefault` (production), else whatever node-postgres defaults to.
 */
export function tlsSettings(
    url: string,
    tlsByDefault: boolean,
): { connectionString: string; ssl?: boolean | ConnectionOptions } {
    const parsed = new URL(url);
    const mode = parsed.searchParams.get("sslmode");
    if (mode === null) {
        return { connectionString: url, ssl: tlsByDefault ? { rejectUnauthorized: true } : undefined };
    }
    if (!(SSL_MODES as readonly string[]).includes(mode)) {
        throw new Error(`sslmode must be one of ${SSL_MODES.join(", ")}, got "${mode}"`);
    }
    parsed.searchParams.delete("sslmode");
    parsed.searchParams.delete("uselibpqcompat");
    const connectionString = parsed.toString();
    if (mode === "disable") return { connectionString, ssl: false };
    if (mode === "no-verify") return { connectionString, ssl: { rejectUnauthorized: false } };
    return { connectionString, ssl: { rejectUnauthorized: true } };
}
