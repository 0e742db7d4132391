import pino, { DestinationStream, Logger } from "pino";

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

export function createLogger(level = "info", name = "boxoffice", destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
  return destination ? pino(options, destination) : pino(options);
}
