import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Cache } from "../cache/cache";
import { HttpError } from "../errors";
import type { Metrics } from "../metrics";
import type { ModeStore } from "../mode-store";
import type { Stores } from "../services/stores";
import type { TicketSigner } from "../tickets/codes";

/** What the routes share; built once per app by buildApp. */
export interface RouteContext {
  stores: Stores;
  cache: Cache;
  mode: ModeStore;
  signer: TicketSigner;
  metrics: Metrics;
  lifecycle: { draining: boolean };
  adminToken: string;
}

/** How long clients should wait before retrying a write refused in read-only mode. */
export const READ_ONLY_RETRY_AFTER_SECONDS = 5;

export function requireAdmin(adminToken: string) {
  // Compare digests so the comparison takes the same time whatever the length of the guess.
  const expected = createHash("sha256").update(adminToken).digest();
  return async (request: FastifyRequest) => {
    const header = request.headers.authorization ?? "";
    const match = /^Bearer (.+)$/.exec(header);
    const given = createHash("sha256").update(match ? match[1] : "").digest();
    if (!match || !timingSafeEqual(given, expected)) {
      throw new HttpError(401, "unauthorized", "admin calls need Authorization: Bearer <ADMIN_TOKEN>");
    }
  };
}

export function requireWritable(mode: ModeStore) {
  return async (_request: FastifyRequest, _reply: FastifyReply) => {
    if (mode.current() === "read-only") {
      throw new HttpError(
        503,
        "read_only",
        "the service is in read-only mode (database switchover); retry shortly",
        {},
        { "retry-after": String(READ_ONLY_RETRY_AFTER_SECONDS) },
      );
    }
  };
}

export const uuidParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;
