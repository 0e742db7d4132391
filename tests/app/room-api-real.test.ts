import { realBackend, realServicesMissing } from "./helpers/harness";
import { defineRoomSuite } from "./helpers/room-suite";

const missing = realServicesMissing();
defineRoomSuite(
    `waiting room API on PostgreSQL and Redis${missing ? ` (${missing})` : ""}`,
    async () => missing ?? realBackend(),
);
