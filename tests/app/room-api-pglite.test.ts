import { pgliteBackend } from "./helpers/harness";
import { defineRoomBrowserSuite } from "./helpers/room-browser";
import { defineRoomSuite } from "./helpers/room-suite";

// One file, so the browser test shares this worker's PGlite instead of starting another.
defineRoomSuite("waiting room API on PGlite with the in-process queue (embedded default)", pgliteBackend);
defineRoomBrowserSuite(pgliteBackend);
