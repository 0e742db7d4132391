import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError, seedFrom } from "./config";
import { TicketSigner } from "./tickets/codes";

export const KEY_FILE_NAME = "ticket-signing-key";

function errorCode(error: unknown): string | undefined {
    const code = error && typeof error === "object" ? (error as { code?: unknown }).code : undefined;
    return typeof code === "string" ? code : undefined;
}

/**
 * The signing seed kept in `dataDir/ticket-signing-key` when TICKET_SIGNING_KEY is not set (the
 * embedded default, or a developer's single instance), so tickets stay valid across restarts.
 *
 * A new key is generated only when the file does not exist. Every other failure stops the start:
 * an unreadable, empty or damaged file is the key that signed every ticket sold so far, and
 * replacing it would make all of them fail at the gate.
 */
export async function loadOrCreateSeed(dataDir: string): Promise<Buffer> {
    const file = path.join(dataDir, KEY_FILE_NAME);
    const fix =
        "restore the file, or delete it to start over with a new key (tickets signed with the old key stop scanning)";
    for (;;) {
        let text: string;
        try {
            text = await readFile(file, "utf8");
        } catch (error) {
            if (errorCode(error) !== "ENOENT") {
                throw new ConfigError(
                    `cannot read the ticket signing key ${file} (${errorCode(error) ?? String(error)}); ` +
                        "refusing to start rather than generate a new key that would invalidate every ticket already sold",
                );
            }
            const seed = TicketSigner.generateSeed();
            await mkdir(dataDir, { recursive: true, mode: 0o700 });
            try {
                // "wx": if another process created the key in the meantime, read theirs instead of replacing it.
                await writeFile(file, seed.toString("base64"), { mode: 0o600, flag: "wx" });
                return seed;
            } catch (writeError) {
                if (errorCode(writeError) === "EEXIST") continue;
                throw new ConfigError(
                    `cannot write a new ticket signing key to ${file} (${errorCode(writeError) ?? String(writeError)})`,
                );
            }
        }
        if (text.trim() === "") throw new ConfigError(`the ticket signing key file ${file} is empty; ${fix}`);
        try {
            return seedFrom(text.trim(), `the ticket signing key file ${file}`);
        } catch (error) {
            throw new ConfigError(`${(error as Error).message}; ${fix}`);
        }
    }
}
