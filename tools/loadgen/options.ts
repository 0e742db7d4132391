/** What a load-generator run is told: where, what to buy, how hard and for how long. */
import type { Resolve } from "./http-client";
import type { Profile } from "./profile";
import type { Progress } from "./summary";

/** The options of a run; the defaults suit a short staging drill. */
export interface LoadGeneratorOptions {
    /** The public URL, e.g. https://staging.example.com (a path prefix is kept). */
    baseUrl: string;
    eventId: string;
    /** Buys pick one of these at random; a type answered sold out is left alone while others remain. */
    ticketTypeIds: string[];
    profile: Profile;
    /** Upper bound on requests sent, retries included. */
    maxRequests: number;
    /** Upper bound on the run: no request leaves after this, in-flight ones end within timeoutMs. */
    maxSeconds: number;
    /** Share of arrivals that scan a ticket (when an acknowledged ticket is waiting). @default 0.3 */
    scanShare?: number;
    /** Share of scans that re-scan an admitted ticket; the service must refuse them. @default 0.05 */
    rescanShare?: number;
    /** Share of arrivals that read the event (GET /events/:id), as browsing fans do. @default 0 */
    lookupShare?: number;
    /** Name resolution per new connection (the drill points it at its own resolver). */
    lookup?: Resolve;
    /** Called about once a second with the last interval's figures. */
    onProgress?: (progress: Progress) => void;
    /** @default 1000 */
    progressIntervalMs?: number;
    /** Per request, connect to last byte. Above the service's write hold (about 10 s). @default 15000 */
    timeoutMs?: number;
    /** @default 256 */
    maxInFlight?: number;
    /** Pool bound; defaults to maxInFlight so requests never queue inside the client unseen. */
    maxConnections?: number;
    /** @default 10000 */
    connectionMaxAgeMs?: number;
    /** Tries per purchase or scan, the first included. @default 6 */
    maxAttempts?: number;
    /** Tickets per order, uniformly in [min, max]. @default {min: 1, max: 2} */
    quantity?: { min: number; max: number };
    /**
     * Buyer address. The default is the SES mailbox simulator, which accepts and drops mail without
     * harming the sender's reputation, also in the SES sandbox:
     * https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html
     */
    email?: string;
    /** @default "loadgen" */
    gate?: string;
    /** Extra headers on every request. */
    headers?: Record<string, string>;
    /** Seeds the choice of request kinds, ticket types and quantities (reproducible mixes). */
    seed?: number;
}
