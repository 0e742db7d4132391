import pino, { Logger } from "pino";

/** Anything that could admit someone or act as an admin stays out of the logs. */
export const REDACT_PATHS = [
  "req.headers.authorization",
  'req.headers["idempotency-key"]',
  "headers.authorization",
  "authorization",
  "code",
  "*.code",
  "body.code",
  "token",
  "*.token",
  "adminToken",
  "password",
  "*.password",
];

export function createLogger(level = "info", name = "boxoffice"): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
  });
}
