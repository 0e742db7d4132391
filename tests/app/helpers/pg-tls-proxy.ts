import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The 8-byte SSLRequest a PostgreSQL client sends before TLS: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export interface TestPki {
    caFile: string;
    /** A CA that signed nothing here: the "wrong bundle". */
    otherCaFile: string;
    /** Server certificate for 127.0.0.1 / localhost, signed by caFile. */
    good: { key: string; cert: string };
    /** Server certificate for another host name, signed by caFile. */
    misnamed: { key: string; cert: string };
}

async function openssl(dir: string, args: string[]): Promise<void> {
    await run("openssl", args, { cwd: dir });
}

/** A throwaway CA and two server certificates (P-256, valid two days), made with the openssl CLI. */
export async function makeTestPki(dir: string): Promise<TestPki> {
    const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    for (const ca of ["ca", "other-ca"]) {
        await openssl(dir, [
            "req",
            "-x509",
            ...key,
            "-keyout",
            `${ca}.key`,
            "-out",
            `${ca}.pem`,
            "-days",
            "2",
            "-subj",
            `/CN=boxoffice test ${ca}`,
        ]);
    }
    const leaf = async (name: string, san: string) => {
        await writeFile(path.join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
        await openssl(dir, ["req", ...key, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`]);
        await openssl(dir, [
            "x509",
            "-req",
            "-in",
            `${name}.csr`,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            `${name}.pem`,
            "-days",
            "2",
            "-extfile",
            `${name}.ext`,
        ]);
        return { key: path.join(dir, `${name}.key`), cert: path.join(dir, `${name}.pem`) };
    };
    return {
        caFile: path.join(dir, "ca.pem"),
        otherCaFile: path.join(dir, "other-ca.pem"),
        good: await leaf("good", "IP:127.0.0.1,DNS:localhost"),
        misnamed: await leaf("misnamed", "DNS:db.elsewhere.invalid"),
    };
}

/**
 * PostgreSQL with TLS, in front of a plain local server: answers the client's SSLRequest with 'S',
 * completes the TLS handshake with the given certificate, then relays the decrypted stream. A client
 * that starts without SSLRequest (sslmode=disable) is relayed in plain text. `sessions` records how
 * each connection arrived.
 */
export class PgTlsProxy {
    readonly sessions: Array<"tls" | "plain"> = [];
    private server?: net.Server;
    private readonly sockets = new Set<net.Socket>();

    constructor(
        private readonly certificate: { key: Buffer; cert: Buffer },
        private readonly target: { host: string; port: number },
    ) {}

    async start(): Promise<number> {
        const server = net.createServer((socket) => this.accept(socket));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        this.server = server;
        return (server.address() as net.AddressInfo).port;
    }

    private accept(socket: net.Socket): void {
        this.sockets.add(socket);
        socket.on("error", () => undefined);
        socket.once("close", () => this.sockets.delete(socket));
        socket.once("data", (first: Buffer) => {
            socket.pause();
            const upstream = net.connect(this.target.port, this.target.host);
            this.sockets.add(upstream);
            upstream.on("error", () => socket.destroy());
            if (!first.subarray(0, 8).equals(SSL_REQUEST)) {
                this.sessions.push("plain");
                upstream.write(first);
                socket.pipe(upstream).pipe(socket);
                socket.resume();
                return;
            }
            this.sessions.push("tls");
            socket.write("S");
            const secure = new tls.TLSSocket(socket, { isServer: true, ...this.certificate });
            secure.on("error", () => upstream.destroy());
            secure.pipe(upstream).pipe(secure);
            socket.resume();
        });
    }

    async close(): Promise<void> {
        for (const socket of this.sockets) socket.destroy();
        await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
    }
}
