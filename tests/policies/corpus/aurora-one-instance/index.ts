import { platform } from "../platform";

platform({ database: "aurora", omit: ["aurora-1"] });
