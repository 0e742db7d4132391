/** Stack-config test fixture: the shipped stack files' values, and the problems the parser reports for a variant. */
import * as assert from "assert";
import { ConfigError, parsePlatformConfig } from "../../stacks/config/load";
import { loadStackFiles } from "../../tools/offline/stack-files";

/** The stack file's `boxoffice:*` values, decoded the way `loadConfig` decodes them. */
export function stackRaw(stack: string): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(loadStackFiles(stack).config)) {
        if (key.startsWith("boxoffice:"))
            raw[key.slice("boxoffice:".length)] = /^[[{]/.test(text) ? JSON.parse(text) : text;
    }
    return raw;
}

/** A fixed "now" for the on-sale-in-the-past rule, so no test changes its verdict as the calendar moves on. */
export const NOW = new Date("2026-06-01T12:00:00Z");

export function problemsOf(raw: Record<string, unknown>, region = "eu-west-1", now = NOW): string[] {
    try {
        parsePlatformConfig(raw, region, now);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
        return err.problems;
    }
    assert.fail("config was accepted");
}

export const prod = () => stackRaw("prod");
export const withSection = (section: string, patch: Record<string, unknown>) => {
    const raw = prod();
    raw[section] = { ...(raw[section] as object), ...patch };
    return raw;
};
