import { platform } from "../platform";

platform({ database: "aurora" });
