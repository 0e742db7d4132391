/**
 * Pulumi entry point (`main: stacks/` in Pulumi.yaml). The program is a function so the offline engine
 * and the tests can run it under mocks; Pulumi calls it and makes its result the stack outputs.
 */
import { program } from "./program";

export = program;
