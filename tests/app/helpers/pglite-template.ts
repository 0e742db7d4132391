import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { MIGRATIONS, migrate } from "../../../app/src/db/migrations";
import { PGliteDatabase } from "../../../app/src/db/pglite-database";

/**
 * A fresh PGlite spends 2-4 s of CPU (much more on a loaded machine) in initdb; loading a dump of a
 * migrated one takes about 0.5 s. The dump is made once and kept in the temp directory under a name
 * derived from the PGlite version and the migrations, so a change to either makes a new one; every
 * test process (and every spec file with --parallel) then starts from it.
 */
/** The installed PGlite's version (its package.json is not exported, so found from its entry point). */
function pgliteVersion(): string {
    for (
        let dir = path.dirname(require.resolve("@electric-sql/pglite"));
        dir !== path.dirname(dir);
        dir = path.dirname(dir)
    ) {
        try {
            const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
                name?: string;
                version?: string;
            };
            if (manifest.name === "@electric-sql/pglite" && manifest.version) return manifest.version;
        } catch {
            // not the package root yet
        }
    }
    throw new Error("cannot find the version of @electric-sql/pglite");
}

const KEY = createHash("sha256").update(pgliteVersion()).update(JSON.stringify(MIGRATIONS)).digest("hex").slice(0, 16);
const FILE = path.join(os.tmpdir(), `boxoffice-test-pglite-${KEY}.tar.gz`);

let dump: Promise<Buffer> | undefined;

async function makeDump(): Promise<Buffer> {
    try {
        return await readFile(FILE);
    } catch {
        const db = await PGliteDatabase.open();
        try {
            await migrate(db);
            const blob = await db.pglite.dumpDataDir("gzip");
            const bytes = Buffer.from(await blob.arrayBuffer());
            // Written aside and renamed: a process reading at the same moment sees all of it or none.
            const partial = `${FILE}.${process.pid}.${randomBytes(4).toString("hex")}`;
            await writeFile(partial, bytes);
            await rename(partial, FILE);
            return bytes;
        } finally {
            await db.close();
        }
    }
}

/**
 * Mocha global fixture (this file is also required from .mocharc.json): makes the dump once in the
 * main process before the workers start, instead of each worker making its own on a cold machine.
 */
export async function mochaGlobalSetup(): Promise<void> {
    await (dump ??= makeDump());
}

/** A migrated PGlite of its own, started from the shared dump. */
export async function migratedPGlite(): Promise<PGliteDatabase> {
    dump ??= makeDump();
    const bytes = await dump;
    const { PGlite } = await import("@electric-sql/pglite");
    const instance: PGlite = await PGlite.create({ loadDataDir: new Blob([bytes]) });
    const db = new PGliteDatabase(instance);
    // Cheap, and proves the dump is current: nothing left to apply.
    const pending = await migrate(db);
    if (pending.length > 0) throw new Error(`PGlite test dump ${FILE} was missing migrations ${pending.join(", ")}`);
    return db;
}
