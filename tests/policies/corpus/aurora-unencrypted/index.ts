import { platform } from "../platform";

platform({ database: "aurora", transform: { aurora: (args) => ({ ...args, storageEncrypted: false, kmsKeyId: undefined }) } });
