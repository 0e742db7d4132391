import type { FastifyError, FastifyInstance } from "fastify";
import { isUnavailable } from "./db/database";

/** How long a client should wait before retrying after `503 database_unavailable`. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** An error with its HTTP status and stable machine-readable code: `{"error": code, "message"}`. */
export class HttpError extends Error {
    constructor(
        readonly statusCode: number,
        readonly code: string,
        message: string,
        readonly extra: Record<string, unknown> = {},
        readonly headers: Record<string, string> = {},
    ) {
        super(message);
    }
}

const CODES_BY_STATUS: Record<number, string> = {
    400: "invalid_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "unavailable",
};

/**
 * The input a schema violation is about, as `body/ticketTypes/0/capacity`: the part of the request
 * and the JSON path, plus the property name for a missing or unexpected property.
 */
function fieldOf(error: FastifyError): string {
    const first = error.validation![0];
    const params = (first.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
    const property =
        first.keyword === "required"
            ? params.missingProperty
            : first.keyword === "additionalProperties"
              ? params.additionalProperty
              : undefined;
    return `${error.validationContext ?? "request"}${first.instancePath}${property === undefined ? "" : `/${property}`}`;
}

/** Every error leaves as JSON with a code; validation and parser errors are the client's 400s. */
export function installErrorHandlers(app: FastifyInstance): void {
    app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
        if (error instanceof HttpError) {
            return reply
                .code(error.statusCode)
                .headers(error.headers)
                .send({ error: error.code, message: error.message, ...error.extra });
        }
        if (isUnavailable(error)) {
            // Expected during a failover or an outage: a warning with the error's code, not a 500.
            request.log.warn({ err: error }, "database unavailable");
            return reply.code(503).header("retry-after", String(DATABASE_RETRY_AFTER_SECONDS)).send({
                error: "database_unavailable",
                message: "the database cannot be reached right now; retry shortly",
            });
        }
        const validation = (error as FastifyError).validation;
        if (validation) {
            return reply
                .code(400)
                .send({ error: "invalid_request", message: error.message, field: fieldOf(error as FastifyError) });
        }
        const status = (error as FastifyError).statusCode;
        if (status !== undefined && status >= 400 && status < 500) {
            return reply
                .code(status)
                .send({ error: CODES_BY_STATUS[status] ?? "invalid_request", message: error.message });
        }
        request.log.error({ err: error }, "request failed");
        return reply.code(500).send({ error: "internal_error", message: "internal error" });
    });
    app.setNotFoundHandler((request, reply) => {
        reply
            .code(404)
            .send({ error: "not_found", message: `no route for ${request.method} ${request.url.split("?")[0]}` });
    });
}
