import { platform } from "../platform";

platform({ database: "aurora", transform: { "aurora-0": (args) => ({ ...args, publiclyAccessible: true }) } });
