/**
 * Final-snapshot names that are unique per incarnation of a store. RDS and ElastiCache take the final
 * snapshot under the name recorded in the deleted resource's state, and refuse a name that already exists
 * ("DBSnapshotAlreadyExists" / "SnapshotAlreadyExistsFault"); a fixed `<name>-final` therefore fails the
 * second delete or replacement of the same logical store.
 *
 * The name is `<name>-final-<8 hex>`, the hex from a `random.RandomId` whose keepers are the store's
 * arguments: it stays the same while nothing changes (no diff on every `pulumi up`) and is drawn anew
 * whenever an argument changes. A replacement always comes from a changed argument, so the new instance
 * records a new name in the same update while the old one is deleted under its own; a `pulumi destroy`
 * deletes the RandomId too, so a rebuilt stack starts with a fresh name.
 *
 * Not covered: forcing a replacement by hand with no argument changed (`pulumi up --replace <urn>`) keeps the
 * suffix; replace `<name>-final-snapshot-id` in the same command (`--replace` both URNs).
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { child, Transform } from "../transform";

export function uniqueFinalSnapshotName(
    parent: pulumi.Resource,
    name: string,
    keepers: Record<string, unknown>,
    transform?: Transform<random.RandomIdArgs>,
): pulumi.Output<string> {
    const suffix = child(
        random.RandomId,
        `${name}-final-snapshot-id`,
        {
            byteLength: 4,
            keepers: { arguments: pulumi.jsonStringify(keepers as pulumi.Input<Record<string, unknown>>) },
        },
        { parent },
        transform,
    );
    // Letters, digits and single hyphens, starting with a letter: valid for RDS and ElastiCache snapshot names.
    return pulumi.interpolate`${name}-final-${suffix.hex}`;
}
