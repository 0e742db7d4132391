import pino, { DestinationStream, Logger } from "pino";

/**
 * Anything that could admit someone, act as an admin or identify a buyer stays out of the logs.
 * Paths are explicit on purpose: a wildcard such as `*.code` would also hide `err.code`, the
 * SQLSTATE (40001, 57P01) an operator needs to read a failover in the logs.
 */
export const REDACT_PATHS = [
    "req.headers.authorization",
    'req.headers["idempotency-key"]',
    // Waiting room: an admission token buys; a visitor id collects one.
    'req.headers["admission-token"]',
    'req.headers["visitor-id"]',
    'req.headers["order-secret"]',
    // Request URLs hold order and ticket ids and query strings; the app logs route patterns instead,
    // and should a URL ever be logged it is hidden.
    "req.url",
    "url",
    // The order secret (purchase answers, lookups).
    "secret",
    "*.secret",
    "headers.authorization",
    "authorization",
    // Ticket codes travel in request bodies (check-ins); Fastify does not log bodies, but a handler
    // that logs one, or a code it passes explicitly, must not print it.
    "req.body",
    "body.code",
    "code",
    // PGlite (and a driver error decorated by a caller) carry the statement's parameters: ticket
    // codes, e-mail addresses, idempotency keys.
    "err.params",
    "err.cause.params",
    "*.params",
    "token",
    "*.token",
    "adminToken",
    "password",
    "*.password",
];

export function createLogger(level = "info", name = "boxoffice", destination?: DestinationStream): Logger {
    const options = { name, level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
    return destination ? pino(options, destination) : pino(options);
}
