/**
 * The load generator's command line, parsed and checked before anything is sent: a bad value stops the
 * run with one message naming the flag, the value and the rule (exit 2).
 */
import { MAX_RATE, Profile, steadyProfile, surgeProfile } from "./profile";

export const USAGE = `usage: npm run loadgen -- --url URL [options]

target and bounds (the run stops by itself at whichever comes first)
  --url URL               the public URL of the service (https://staging.example.com)
  --profile surge|steady  surge: ramp, peak, on-sale burst (3x peak), cool-down; steady: constant  [surge]
  --rate N                requests/s: the peak for surge, the constant for steady                  [20]
  --max-requests N        at most N requests, retries included                                       [1000]
  --max-seconds N         at most N seconds; also the length of the profile                          [60]

what to buy (one of)
  --event ID              an existing event; its ticket types are read from GET /events/ID
  --ticket-type ID        only these ticket types (repeat or comma-separate)
  --create-event          create a "boxoffice load test" event first, with the admin token read from
                          the environment variable BOXOFFICE_ADMIN_TOKEN (never from the command line)
  --capacity N            the created event's capacity       [enough never to sell out: 10 x max-requests]

mix and client
  --scan-share F          share of arrivals that scan a bought ticket                                [0.3]
  --rescan-share F        share of scans that re-scan an admitted ticket (must be refused)           [0.05]
  --lookup-share F        share of arrivals that read the event page                                 [0.2]
  --quantity MIN-MAX      tickets per order                                                          [1-2]
  --email ADDRESS         buyer address        [success+loadgen@simulator.amazonses.com: SES drops it]
  --timeout-ms N          per request                                                                [15000]
  --max-in-flight N       requests in flight at most; arrivals beyond are dropped and counted        [256]
  --seed N                reproducible mix of request kinds

output
  --json                  progress on stderr, one JSON summary line on stdout
  --out DIR               write records.jsonl, summary.json and timeline.svg to DIR
  --acked-order-ids FILE  write the ids of the orders answered 2xx to FILE, one per line (for the
                          game-day invariant check, docs/game-day.md)
  --max-error-rate F      exit 1 when more than this share of requests end in an error`;

export interface CliOptions {
    url: string;
    profileName: "surge" | "steady";
    rate: number;
    maxRequests: number;
    maxSeconds: number;
    eventId?: string;
    ticketTypeIds: string[];
    createEvent: boolean;
    capacity?: number;
    scanShare: number;
    rescanShare: number;
    lookupShare: number;
    quantity: { min: number; max: number };
    email: string;
    timeoutMs: number;
    maxInFlight: number;
    seed?: number;
    json: boolean;
    outDir?: string;
    ackedOrderIdsFile?: string;
    maxErrorRate?: number;
}

export class UsageError extends Error {}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Browsers, proxies and people agree on nothing longer for a test; a day is already a soak test. */
const MAX_SECONDS = 24 * 3600;

export function parseCliArgs(argv: string[]): CliOptions {
    const options: CliOptions = {
        url: "",
        profileName: "surge",
        rate: 20,
        maxRequests: 1000,
        maxSeconds: 60,
        ticketTypeIds: [],
        createEvent: false,
        scanShare: 0.3,
        rescanShare: 0.05,
        lookupShare: 0.2,
        quantity: { min: 1, max: 2 },
        email: "success+loadgen@simulator.amazonses.com",
        timeoutMs: 15_000,
        maxInFlight: 256,
        json: false,
    };
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] =
            argv[i].startsWith("--") && argv[i].includes("=") ? splitOnce(argv[i]) : [argv[i], undefined];
        const value = (): string => {
            const next = inline ?? argv[++i];
            if (next === undefined) throw new UsageError(`${flag} needs a value`);
            return next;
        };
        switch (flag) {
            case "--url":
                options.url = value();
                break;
            case "--profile": {
                const name = value();
                if (name !== "surge" && name !== "steady")
                    throw new UsageError(`--profile ${name}: must be surge or steady`);
                options.profileName = name;
                break;
            }
            case "--rate":
                options.rate = number(flag, value(), { min: 0.01, max: MAX_RATE });
                break;
            case "--max-requests":
                options.maxRequests = number(flag, value(), { min: 1, max: 10_000_000, integer: true });
                break;
            case "--max-seconds":
                options.maxSeconds = number(flag, value(), { min: 1, max: MAX_SECONDS });
                break;
            case "--event":
                options.eventId = uuid(flag, value());
                break;
            case "--ticket-type":
                options.ticketTypeIds.push(
                    ...value()
                        .split(",")
                        .filter(Boolean)
                        .map((id) => uuid(flag, id)),
                );
                break;
            case "--create-event":
                options.createEvent = true;
                break;
            case "--capacity":
                options.capacity = number(flag, value(), { min: 1, max: 10_000_000, integer: true });
                break;
            case "--scan-share":
                options.scanShare = number(flag, value(), { min: 0, max: 1 });
                break;
            case "--rescan-share":
                options.rescanShare = number(flag, value(), { min: 0, max: 1 });
                break;
            case "--lookup-share":
                options.lookupShare = number(flag, value(), { min: 0, max: 1 });
                break;
            case "--quantity":
                options.quantity = quantityRange(value());
                break;
            case "--email":
                options.email = email(value());
                break;
            case "--timeout-ms":
                options.timeoutMs = number(flag, value(), { min: 100, max: 600_000, integer: true });
                break;
            case "--max-in-flight":
                options.maxInFlight = number(flag, value(), { min: 1, max: 100_000, integer: true });
                break;
            case "--seed":
                options.seed = number(flag, value(), { min: 0, max: 2 ** 32 - 1, integer: true });
                break;
            case "--json":
                options.json = true;
                break;
            case "--out":
                options.outDir = value();
                break;
            case "--acked-order-ids":
                options.ackedOrderIdsFile = value();
                break;
            case "--max-error-rate":
                options.maxErrorRate = number(flag, value(), { min: 0, max: 1 });
                break;
            case "--help":
            case "-h":
                throw new UsageError(USAGE);
            default:
                throw new UsageError(`unknown argument ${argv[i]}\n${USAGE}`);
        }
    }
    if (!options.url) throw new UsageError(`--url is required\n${USAGE}`);
    let url: URL;
    try {
        url = new URL(options.url);
    } catch {
        throw new UsageError(`--url ${options.url}: not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
        throw new UsageError(`--url ${options.url}: must be http:// or https://`);
    if (url.username || url.password) throw new UsageError("--url: must not carry credentials (they would be printed)");
    if (options.createEvent === (options.eventId !== undefined)) {
        throw new UsageError("say what to buy: either --event ID [--ticket-type ID] or --create-event");
    }
    if (options.ticketTypeIds.length && !options.eventId) throw new UsageError("--ticket-type needs --event");
    if (options.capacity !== undefined && !options.createEvent)
        throw new UsageError("--capacity applies to --create-event only");
    if (options.scanShare + options.lookupShare > 1) {
        throw new UsageError(
            `--scan-share ${options.scanShare} + --lookup-share ${options.lookupShare}: must not exceed 1`,
        );
    }
    return options;
}

export function cliProfile(options: CliOptions): Profile {
    return options.profileName === "surge"
        ? surgeProfile({ peakRate: options.rate, seconds: options.maxSeconds })
        : steadyProfile(options.rate, options.maxSeconds);
}

function splitOnce(arg: string): [string, string] {
    const at = arg.indexOf("=");
    return [arg.slice(0, at), arg.slice(at + 1)];
}

function number(flag: string, text: string, rule: { min: number; max: number; integer?: boolean }): number {
    const value = Number(text);
    const outside = !Number.isFinite(value) || value < rule.min || value > rule.max;
    if (text.trim() === "" || outside || (rule.integer && !Number.isInteger(value))) {
        throw new UsageError(
            `${flag} ${text}: must be ${rule.integer ? "an integer" : "a number"} in ${rule.min}..${rule.max}`,
        );
    }
    return value;
}

function uuid(flag: string, text: string): string {
    if (!UUID.test(text)) throw new UsageError(`${flag} ${text}: must be a UUID`);
    return text.toLowerCase();
}

function quantityRange(text: string): { min: number; max: number } {
    const match = /^(\d+)(?:-(\d+))?$/.exec(text);
    const min = match ? Number(match[1]) : NaN;
    const max = match ? Number(match[2] ?? match[1]) : NaN;
    if (!(min >= 1 && max <= 10 && min <= max)) {
        throw new UsageError(`--quantity ${text}: must be N or MIN-MAX within 1..10 (the service's limit per order)`);
    }
    return { min, max };
}

function email(text: string): string {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) || text.length > 254)
        throw new UsageError(`--email ${text}: must be an e-mail address`);
    return text;
}
