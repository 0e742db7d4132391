import * as aws from "@pulumi/aws";
// The ecr submodule alone: the package index loads every awsx component (~60 ms of each offline plan).
import * as awsxEcr from "@pulumi/awsx/ecr";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { argChecker } from "../arg-check";
import { TIER_TAG } from "../tiers";
import { contentTag } from "./build-context";

export interface ContainerImageArgs {
    /** Docker build context. @default "." (the repository root; the Dockerfile copies the workspace lockfile) */
    context?: string;
    /** Dockerfile path. @default "app/Dockerfile" */
    dockerfile?: string;
    /** Must match the task definitions' runtimePlatform. @default "linux/arm64" */
    platform?: "linux/arm64" | "linux/amd64";
    /**
     * Tag to push under. The repository is IMMUTABLE, so a tag must never be reused for different content.
     * @default `src-<24 hex>`: the digest of the build context (as `.dockerignore` leaves it), the Dockerfile and
     * the platform — a new tag exactly when the image's inputs change
     */
    imageTag?: string;
    /** Tagged images kept; older ones expire (rollback needs a few). @default 20 */
    keepImages?: number;
    /** Days untagged layers are kept. @default 7 */
    untaggedExpiryDays?: number;
    /**
     * Let `pulumi destroy` delete the repository together with its images. Off, a repository that holds images
     * blocks the destroy, which is what prod wants; a stack that is torn down and rebuilt (staging) turns it on.
     * @default false
     */
    forceDelete?: boolean;
    /** KMS key for the repository; replacing the repository is the only way to change it. @default the AWS managed ECR key */
    kmsKeyArn?: pulumi.Input<string>;
    tags?: Record<string, string>;
}

/**
 * ECR repository (scan on push, immutable tags, KMS encryption, lifecycle) and the service image built from
 * the repository. One image feeds both services; they differ by command.
 *
 * Immutable tags: every image is pushed under a tag derived from its content (see `imageTag`), so a changed
 * image always gets a new tag, and the services pin the returned digest URI, so a push can never change what a
 * running task definition points at.
 * Cost: ECR storage per GB-month; basic scanning is free.
 */
export class ContainerImage extends pulumi.ComponentResource {
    readonly repositoryUrl: pulumi.Output<string>;
    /** Digest-pinned URI for task definitions. */
    readonly imageUri: pulumi.Output<string>;
    readonly platform: "linux/arm64" | "linux/amd64";
    /** The tag the image is pushed under. */
    readonly imageTag: string;

    constructor(name: string, args: ContainerImageArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const keep = args.keepImages ?? 20;
        const untagged = args.untaggedExpiryDays ?? 7;
        const platform = args.platform ?? "linux/arm64";
        const check = argChecker("ContainerImage", name);
        check.intRange("keepImages", keep, 1, 1000, "images kept for rollback");
        check.intRange("untaggedExpiryDays", untagged, 1, 3650, "days");
        check.that(platform === "linux/arm64" || platform === "linux/amd64", "platform", platform, "must be linux/arm64 or linux/amd64 (Fargate platforms)");
        const context = args.context ?? ".";
        const dockerfile = args.dockerfile ?? "app/Dockerfile";
        check.that(fs.existsSync(context) && fs.statSync(context).isDirectory(), "context", context, `must be a directory (relative to ${process.cwd()})`);
        check.that(fs.existsSync(dockerfile) && fs.statSync(dockerfile).isFile(), "dockerfile", dockerfile, `must be a file (relative to ${process.cwd()})`);
        check.that(args.imageTag === undefined || /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(args.imageTag), "imageTag", args.imageTag, "must be a Docker tag: letters, digits, _ . -, at most 128, not starting with . or -");
        // Read once, before any child exists: the tag changes exactly when what goes into the image changes.
        const imageTag = args.imageTag ?? contentTag({ context, dockerfile, platform });
        super("boxoffice:compute:ContainerImage", name, {}, opts);
        const parent = { parent: this };
        const repo = new aws.ecr.Repository(`${name}-repo`, {
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
            // By default a destroy keeps the images: deleting a repository with images must be deliberate.
            forceDelete: args.forceDelete ?? false,
            tags: { ...args.tags, [TIER_TAG]: "app", Name: `${name}-repo` },
        }, parent);
        new aws.ecr.LifecyclePolicy(`${name}-repo-lifecycle`, {
            repository: repo.name,
            policy: JSON.stringify({
                rules: [
                    { rulePriority: 1, description: "expire untagged layers", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untagged }, action: { type: "expire" } },
                    // The `any` rule must have the highest priority number (ECR User Guide, lifecycle policy rules).
                    { rulePriority: 2, description: `keep the last ${keep} images`, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep }, action: { type: "expire" } },
                ],
            }),
        }, parent);
        const image = new awsxEcr.Image(`${name}-image`, {
            repositoryUrl: repo.repositoryUrl,
            context,
            dockerfile,
            platform,
            // Without it awsx tags every build of a stack `<sha1(context path, dockerfile path, stack)>-container`,
            // the same tag each time, which the IMMUTABLE repository refuses for a changed image
            // (pulumi-awsx awsx/ecr/image.ts, createUniqueImageName).
            imageTag,
        }, parent);
        this.imageTag = imageTag;
        this.repositoryUrl = repo.repositoryUrl;
        this.imageUri = image.imageUri;
        this.platform = platform;
        this.registerOutputs({ repositoryUrl: this.repositoryUrl, imageUri: this.imageUri });
    }
}
