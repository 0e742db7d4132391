import { platform } from "../platform";

platform({ transform: { "record-secondary": (args) => ({ ...args, healthCheckId: undefined, aliases: args.aliases.map((a: object) => ({ ...a, evaluateTargetHealth: false })) }) } });
