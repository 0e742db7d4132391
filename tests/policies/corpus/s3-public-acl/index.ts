import { platform } from "../platform";

platform({ transform: { logs: (args) => ({ ...args, acl: "public-read" }) } });
