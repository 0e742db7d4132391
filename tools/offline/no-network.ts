/**
 * Offline means offline: the plan and policy commands refuse every network connection that does not stay
 * on this machine. A program or a third-party policy that calls an AWS API (AWSGuard's certificate-expiry
 * and IAM-key rules use the AWS SDK, whose credential chain would also probe the EC2 metadata address)
 * fails at once with a message naming the host, instead of waiting on a timeout or leaving the machine.
 */
// The modules themselves, not `import *` namespaces (whose properties are read-only getters).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dns = require("dns") as typeof import("dns");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const net = require("net") as typeof import("net");

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|::ffff:127(\.\d{1,3}){3})$/i;

export class OfflineNetworkError extends Error {
    constructor(readonly host: string) {
        super(
            `network access to ${host} refused: the offline engine and its policies run without the network (no AWS API calls)`,
        );
        this.name = "OfflineNetworkError";
    }
}

function hostOf(args: unknown[]): string {
    const first = args[0];
    if (Array.isArray(first)) return hostOf(first);
    if (first && typeof first === "object") {
        const opts = first as { path?: unknown; host?: unknown };
        return opts.path ? "localhost" : String(opts.host ?? "localhost");
    }
    if (typeof first === "string" && !/^\d+$/.test(first)) return "localhost"; // an IPC path
    return typeof args[1] === "string" ? args[1] : "localhost";
}

let installed = false;

export function refuseNetwork(): void {
    if (installed) return;
    installed = true;
    // No credentials probe of the instance metadata service by any AWS SDK.
    process.env.AWS_EC2_METADATA_DISABLED = "true";
    const connect = net.Socket.prototype.connect as (...args: unknown[]) => import("net").Socket;
    net.Socket.prototype.connect = function (this: import("net").Socket, ...args: unknown[]) {
        const host = hostOf(args);
        if (LOOPBACK.test(host)) return connect.apply(this, args);
        const err = new OfflineNetworkError(host);
        process.nextTick(() => this.destroy(err));
        return this;
    } as typeof net.Socket.prototype.connect;
    const lookup = dns.lookup as (...args: unknown[]) => void;
    (dns as { lookup: unknown }).lookup = (hostname: string, ...rest: unknown[]) => {
        if (LOOPBACK.test(hostname)) return lookup(hostname, ...rest);
        const callback = rest[rest.length - 1] as (err: Error) => void;
        process.nextTick(() => callback(new OfflineNetworkError(hostname)));
    };
    const lookupPromise = dns.promises.lookup as (...args: unknown[]) => Promise<unknown>;
    (dns.promises as { lookup: unknown }).lookup = async (hostname: string, ...rest: unknown[]) => {
        if (LOOPBACK.test(hostname)) return lookupPromise(hostname, ...rest);
        throw new OfflineNetworkError(hostname);
    };
}
