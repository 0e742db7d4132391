/**
 * AWS Region names, for arguments that name a second Region (a backup copy) and for a stack's `aws:region`.
 * Pure data, shared by the components' contracts and the stack config.
 */

/** Commercial AWS Regions (AWS General Reference, "Regional endpoints"). */
export const AWS_REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "mx-central-1",
    "sa-east-1",
] as const;

/** Regions of the GovCloud and China partitions, which a component used there may name too. */
export const OTHER_PARTITION_REGIONS = ["us-gov-west-1", "us-gov-east-1", "cn-north-1", "cn-northwest-1"] as const;

/** Whether `region` is a Region name of any partition. */
export function isAwsRegion(region: string): boolean {
    return (
        (AWS_REGIONS as readonly string[]).includes(region) ||
        (OTHER_PARTITION_REGIONS as readonly string[]).includes(region)
    );
}
