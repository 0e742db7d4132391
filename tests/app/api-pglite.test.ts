import { defineApiSuite } from "./helpers/api-suite";
import { API_PARTS } from "./helpers/api-parts";
import { pgliteBackend } from "./helpers/harness";

defineApiSuite("ticket service API on PGlite (embedded default)", pgliteBackend, API_PARTS);
