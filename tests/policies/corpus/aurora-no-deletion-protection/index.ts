import { platform } from "../platform";

platform({ database: "aurora", transform: { aurora: (args) => ({ ...args, deletionProtection: false }) } });
