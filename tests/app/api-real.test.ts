import { defineApiSuite } from "./helpers/api-suite";
import { API_PARTS } from "./helpers/api-parts";
import { realBackend, realServicesMissing } from "./helpers/harness";

// The reason is in the title so a skipped run says why in the mocha report.
const missing = realServicesMissing();
defineApiSuite(
    `ticket service API on PostgreSQL, Redis and Memcached${missing ? ` (${missing})` : ""}`,
    async () => missing ?? realBackend(),
    API_PARTS,
);
