import { platform } from "../platform";

platform({ transform: { db: (args) => ({ ...args, multiAz: false }) } });
