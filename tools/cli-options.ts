/**
 * The options `npm run plan` and `npm run policy` share: which programs to run and which packs judge them.
 *
 *   --program DIR          a Pulumi program folder (Pulumi.yaml + Pulumi.<stack>.yaml); repeatable; default
 *                          this repository (`--dir` is an older spelling)
 *   --stack NAME           the stack file to use (Pulumi.<NAME>.yaml)
 *   --pack-config FILE     before any --pack: the config of our pack (default policies/config/<environment>.json);
 *                          right after a --pack: that pack's config, as `--policy-pack-config` pairs with
 *                          `--policy-pack` in the Pulumi CLI (`--config` is an older spelling)
 *   --pack DIR|PACKAGE     another CrossGuard pack, from a folder or an installed npm package; repeatable
 *   --no-default-pack      run only the --pack packs
 *   --enforcement ENV      judge as prod or staging (our config files) whatever the stack declares; default
 *                          the stack's boxoffice:environment, and prod for programs that declare none
 */
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENTS, readPackConfigFile } from "./policy-config";
import type { PackRun } from "./policy-runner";

export interface ProgramOptions {
    programs: string[];
    stack?: string;
    json: boolean;
    /** Our pack's config file, when given. */
    packConfig?: string;
    /** Other packs, as given (spec and optional config file). */
    packs: { spec: string; config?: string }[];
    defaultPack: boolean;
    enforcement?: string;
}

export class UsageError extends Error {}

export function parseProgramOptions(
    argv: string[],
    usage: string,
    extra: (arg: string) => boolean = () => false,
): ProgramOptions {
    const o: ProgramOptions = { programs: [], json: false, packs: [], defaultPack: true };
    for (let i = 0; i < argv.length; i++) {
        const raw = argv[i];
        const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
        const arg = eq > 0 ? raw.slice(0, eq) : raw;
        const value = () => {
            const v = eq > 0 ? raw.slice(eq + 1) : argv[++i];
            if (v === undefined || v === "" || (eq < 0 && v.startsWith("--")))
                throw new UsageError(`${arg} needs a value\n${usage}`);
            return v;
        };
        if (arg === "--json") o.json = true;
        else if (arg === "--stack" || arg === "-s") o.stack = value();
        else if (arg === "--program" || arg === "--dir") o.programs.push(value());
        else if (arg === "--pack") o.packs.push({ spec: value() });
        else if (arg === "--pack-config" || arg === "--config" || arg === "-c") {
            const file = path.resolve(value());
            const last = o.packs[o.packs.length - 1];
            if (last) {
                if (last.config) throw new UsageError(`--pack ${last.spec} has two --pack-config files\n${usage}`);
                last.config = file;
            } else if (o.packConfig) {
                throw new UsageError(`two --pack-config files for the boxoffice pack\n${usage}`);
            } else {
                o.packConfig = file;
            }
        } else if (arg === "--no-default-pack") o.defaultPack = false;
        else if (arg === "--enforcement") {
            const env = value();
            if (!(ENVIRONMENTS as readonly string[]).includes(env))
                throw new UsageError(`--enforcement ${env}: must be one of ${ENVIRONMENTS.join(", ")}\n${usage}`);
            o.enforcement = env;
        } else if (!extra(raw)) throw new UsageError(`unknown argument ${raw}\n${usage}`);
    }
    if (o.stack !== undefined && !/^[A-Za-z0-9_.-]+$/.test(o.stack))
        throw new UsageError(`invalid stack name ${JSON.stringify(o.stack)}\n${usage}`);
    if (!o.defaultPack && o.packs.length === 0)
        throw new UsageError(`--no-default-pack needs at least one --pack\n${usage}`);
    for (const file of [o.packConfig, ...o.packs.map((p) => p.config)]) {
        if (file !== undefined && !fs.existsSync(file))
            throw new UsageError(`policy pack config ${file} not found\n${usage}`);
    }
    return o;
}

/** The other packs, loaded once for all programs (the pack loader only when there are any). */
export function otherPacks(o: ProgramOptions): PackRun[] {
    if (o.packs.length === 0) return [];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadPack } = require("./policy-packs") as typeof import("./policy-packs");
    return o.packs.flatMap(({ spec, config }) =>
        loadPack(spec).map((pack) => ({ pack, config: config ? readPackConfigFile(config) : undefined })),
    );
}
