import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";

// semver ships no types; these two functions are all the test needs.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped package, typed by the cast below
const semver = require("semver") as {
    subset(sub: string, sup: string): boolean;
    satisfies(version: string, range: string): boolean;
};

const ROOT = path.resolve(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/**
 * End of life of the Node.js LTS lines (https://nodejs.org/en/about/previous-releases). An image on
 * a line past its date gets no security fixes; this test starts failing the day that happens.
 */
const LTS_END_OF_LIFE: Record<number, string> = { 20: "2026-04-30", 22: "2027-04-30", 24: "2028-04-30" };

describe("Node.js versions", () => {
    const declared = JSON.parse(read("package.json")).engines.node as string;

    it("every locked package supports every Node version package.json declares (npm ci prints no EBADENGINE)", () => {
        const lock = JSON.parse(read("package-lock.json")) as {
            packages: Record<string, { engines?: { node?: string } }>;
        };
        const refusing = Object.entries(lock.packages)
            .filter(([, meta]) => typeof meta.engines?.node === "string" && !semver.subset(declared, meta.engines.node))
            .map(([name, meta]) => `${name} wants ${meta.engines!.node}`);
        assert.deepEqual(refusing, [], `declared ${declared}`);
        assert.equal(
            JSON.parse(read("app/package.json")).engines.node,
            declared,
            "the app declares what the repository does",
        );
        assert.ok(semver.satisfies(process.version, declared), `this Node (${process.version}) is one we declare`);
    });

    it("builds the image on a supported LTS line that the declared engines include", () => {
        const images = [...read("app/Dockerfile").matchAll(/^FROM node:(\d+)-bookworm-slim\b/gm)].map((match) =>
            Number(match[1]),
        );
        assert.equal(images.length, 3, "build, deps and runtime stages");
        for (const major of images) {
            assert.ok(LTS_END_OF_LIFE[major], `node:${major} is not an LTS line`);
            assert.ok(
                new Date(LTS_END_OF_LIFE[major]).getTime() > Date.now(),
                `node:${major} reached end of life on ${LTS_END_OF_LIFE[major]}`,
            );
            assert.ok(semver.satisfies(`${major}.12.0`, declared), `node:${major} is outside the declared ${declared}`);
        }
    });
});
