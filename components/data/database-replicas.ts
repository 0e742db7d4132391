/**
 * Read replicas of the database writer, spread over the AZs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Transform, child } from "../transform";
import { spreadOverAzs } from "./placement";

/** What every replica copies from the writer's arguments, and where the replicas go. */
export interface ReplicaSpec {
    count: number;
    availabilityZones: pulumi.Input<string>[];
    source: pulumi.Input<string>;
    /** Observability, exposure and sizing arguments shared with the writer. */
    observability: aws.rds.InstanceArgs;
}

export function createReadReplicas(
    name: string,
    spec: ReplicaSpec,
    opts: pulumi.CustomResourceOptions,
    tags: (role: string) => Record<string, string>,
    transform?: Transform<aws.rds.InstanceArgs>,
): aws.rds.Instance[] {
    // Replicas must not set a username, password or database name (they copy the source), a subnet group or a
    // KMS key (same-region replicas inherit the source's; the provider would forward kmsKeyId and RDS answers
    // InvalidParameterCombination); they need no backups and RDS cannot take a final
    // snapshot of a replica. RDS picks the AZs of a Multi-AZ writer's primary and standby, so the replicas cannot
    // avoid the primary's AZ for sure: the standby covers the loss of that AZ, and replicas go round-robin from
    // the second AZ, so with 2 or more replicas at least one is always outside the primary's AZ.
    const replicaAzs = spreadOverAzs(spec.count, spec.availabilityZones, 1);
    return replicaAzs.map((availabilityZone, i) =>
        child(
            aws.rds.Instance,
            `${name}-replica-${i + 1}`,
            {
                ...spec.observability,
                replicateSourceDb: spec.source,
                availabilityZone,
                multiAz: false,
                backupRetentionPeriod: 0,
                skipFinalSnapshot: true,
                deletionProtection: false,
                tags: tags(`replica-${i + 1}`),
            },
            opts,
            transform,
        ),
    );
}
