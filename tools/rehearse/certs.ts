/**
 * A CA made for the run and one server certificate for `*.rehearsal.test`, so every connection is TLS
 * with full verification exactly as in production (sslmode=verify-full to RDS, rediss:// to
 * ElastiCache, TLS to Memcached, HTTPS at the load balancers): the writer name moves between database
 * servers and the certificate must still match it, as RDS's does. The CA's key is deleted once the
 * certificate is signed.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must } from "./sh";
import { DOMAIN } from "./topology";

export interface RunCertificates {
    caFile: string;
    certFile: string;
    keyFile: string;
    /** Certificate followed by key, as HAProxy wants it. */
    pemFile: string;
}

export async function makeCertificates(dir: string): Promise<RunCertificates> {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const p = (name: string) => path.join(dir, name);
    await must([
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        p("ca.key"),
        "-out",
        p("ca.crt"),
        "-days",
        "2",
        "-subj",
        "/CN=boxoffice rehearsal CA",
    ]);
    writeFileSync(
        p("server.ext"),
        [
            "basicConstraints=CA:FALSE",
            "keyUsage=digitalSignature,keyEncipherment",
            "extendedKeyUsage=serverAuth",
            `subjectAltName=DNS:*.${DOMAIN},DNS:${DOMAIN}`,
            "",
        ].join("\n"),
    );
    await must([
        "openssl",
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        p("server.key"),
        "-out",
        p("server.csr"),
        "-subj",
        `/CN=*.${DOMAIN}`,
    ]);
    await must([
        "openssl",
        "x509",
        "-req",
        "-in",
        p("server.csr"),
        "-CA",
        p("ca.crt"),
        "-CAkey",
        p("ca.key"),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        p("server.ext"),
        "-out",
        p("server.crt"),
    ]);
    rmSync(p("ca.key"));
    writeFileSync(p("server.pem"), readFileSync(p("server.crt"), "utf8") + readFileSync(p("server.key"), "utf8"), {
        mode: 0o600,
    });
    return { caFile: p("ca.crt"), certFile: p("server.crt"), keyFile: p("server.key"), pemFile: p("server.pem") };
}
