import { platform } from "../platform";

platform({ omit: ["logs-pab"] });
