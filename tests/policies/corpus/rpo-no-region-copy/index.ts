import { platform } from "../platform";

platform({ transform: { "backup-plan": (args) => ({ ...args, rules: args.rules.map(({ copyActions, ...rule }: { copyActions?: unknown }) => rule) }) } });
