import { defineApiSuite } from "./helpers/api-suite";
import { pgliteBackend } from "./helpers/harness";

defineApiSuite("ticket service API on PGlite (embedded default)", pgliteBackend);
