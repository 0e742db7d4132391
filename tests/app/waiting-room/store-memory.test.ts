import { MemoryRoomStore } from "../../../app/src/waiting-room/store";
import { defineStoreContract } from "./store-contract";

defineStoreContract("waiting room store: in process (embedded default)", async () => {
    const store = new MemoryRoomStore();
    const opened = {
        get store() {
            return store;
        },
        async loseEverything() {
            // What a restart of the embedded server does to the queue: a new, empty store.
            const next = new MemoryRoomStore();
            Object.assign(store, next);
        },
        async close() {},
    };
    return opened;
});
