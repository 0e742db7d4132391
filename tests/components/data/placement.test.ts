import * as assert from "assert";
import { DAILY_WINDOW, WEEKLY_WINDOW, spreadOverAzs } from "../../../components/data/placement";

describe("data placement helpers", () => {
    it("spreads round-robin over the AZs, from an offset", () => {
        assert.deepStrictEqual(spreadOverAzs(5, ["a", "b", "c"]), ["a", "b", "c", "a", "b"]);
        assert.deepStrictEqual(spreadOverAzs(2, ["a", "b", "c"], 1), ["b", "c"]);
        assert.deepStrictEqual(spreadOverAzs(0, ["a"]), []);
    });

    it("knows the daily and weekly window formats", () => {
        assert.ok(
            DAILY_WINDOW.test("02:00-03:00") &&
                !DAILY_WINDOW.test("24:00-01:00") &&
                !DAILY_WINDOW.test("sun:02:00-sun:03:00"),
        );
        assert.ok(
            WEEKLY_WINDOW.test("sun:04:00-sun:05:00") &&
                !WEEKLY_WINDOW.test("04:00-05:00") &&
                !WEEKLY_WINDOW.test("sun:04:60-sun:05:00"),
        );
    });
});
