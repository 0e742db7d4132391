import { pgliteBackend } from "./helpers/harness";
import { defineRoomSuite } from "./helpers/room-suite";

defineRoomSuite("waiting room API on PGlite with the in-process queue (embedded default)", pgliteBackend);
