import { platform } from "../platform";

platform({ omit: ["alb2", "hc2", "record-secondary"] });
