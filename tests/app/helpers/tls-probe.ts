/**
 * Connects through PgDatabase to each case's URL and tells, per case, "ok" or the error code. Run as a child
 * process (NODE_EXTRA_CA_CERTS is read once, at start-up) with the cases as JSON in argv[2], it prints the
 * results; imported, `probeCases` runs in the importing process with that process's trust.
 */
import { PgDatabase } from "../../../app/src/db/pg-database";

export interface Case {
    name: string;
    url: string;
    tlsByDefault: boolean;
}

export async function probeCases(cases: Case[]): Promise<Record<string, string>> {
    const results: Record<string, string> = {};
    for (const item of cases) {
        const db = new PgDatabase({ url: item.url, tlsByDefault: item.tlsByDefault, max: 1, connectTimeoutMs: 10_000 });
        try {
            await db.query("SELECT 1");
            results[item.name] = "ok";
        } catch (error) {
            const code = (error as { code?: unknown }).code;
            results[item.name] = typeof code === "string" ? code : String((error as Error).message);
        } finally {
            await db.close();
        }
    }
    return results;
}

if (require.main === module) {
    void probeCases(JSON.parse(process.argv[2]) as Case[]).then((results) =>
        process.stdout.write(JSON.stringify(results)),
    );
}
