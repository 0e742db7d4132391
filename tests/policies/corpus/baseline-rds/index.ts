import { platform } from "../platform";

platform();
