/**
 * Run as a child process (NODE_EXTRA_CA_CERTS is read once, at start-up): connects through
 * PgDatabase to each URL given as JSON in argv[2] and prints, per case, "ok" or the error code.
 */
import { PgDatabase } from "../../../app/src/db/pg-database";

interface Case {
    name: string;
    url: string;
    tlsByDefault: boolean;
}

async function main(): Promise<void> {
    const cases = JSON.parse(process.argv[2]) as Case[];
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
    process.stdout.write(JSON.stringify(results));
}

void main();
