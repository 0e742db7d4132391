import * as aws from "@pulumi/aws";
// The ecr submodule alone: the package index loads every awsx component (~60 ms of each offline plan).
import * as awsxEcr from "@pulumi/awsx/ecr";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { argChecker } from "../arg-check";
import { defineContract, field } from "../contract";
import { TIER_TAG } from "../tiers";
import { applyTransform, child, Transform } from "../transform";
import { contentTag } from "./build-context";

export const CONTAINER_IMAGE_CONTRACT = defineContract({
    component: "ContainerImage",
    fields: {
        context: field.text(/^.+$/, "a directory"),
        dockerfile: field.text(/^.+$/, "a file").optional(),
        platform: field.oneOf(["linux/arm64", "linux/amd64"]),
        imageTag: field
            .text(
                /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
                "a Docker tag: letters, digits, _ . -, at most 128, not starting with . or -",
            )
            .optional(),
        keepImages: field.int(1, 1000, "images kept for rollback"),
        untaggedExpiryDays: field.int(1, 3650, "days"),
        forceDelete: field.bool(),
    },
    defaults: { context: ".", platform: "linux/arm64", keepImages: 20, untaggedExpiryDays: 7, forceDelete: false },
});

/** A transform per child. */
export interface ContainerImageTransform {
    repository?: Transform<aws.ecr.RepositoryArgs>;
    lifecyclePolicy?: Transform<aws.ecr.LifecyclePolicyArgs>;
    /** The awsx image build (a component of its own). */
    image?: Transform<awsxEcr.ImageArgs, pulumi.ComponentResourceOptions>;
}

export interface ContainerImageArgs {
    /** Docker build context, relative to the working directory. @default "." */
    context?: string;
    /** Dockerfile path, relative to the working directory. @default the context's Dockerfile, as `docker build` uses */
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
    /** Adjust any child's arguments (see `Transform`). @default undefined */
    transform?: ContainerImageTransform;
    /** Tags for the repository. @default {} */
    tags?: Record<string, string>;
}

/**
 * ECR repository (scan on push, immutable tags, KMS encryption, lifecycle) and an image built from a Docker
 * context and pushed to it. One image can feed several services that differ by command.
 *
 * Immutable tags: every image is pushed under a tag derived from its content (see `imageTag`), so a changed
 * image always gets a new tag, and the services pin the returned digest URI, so a push can never change what a
 * running task definition points at.
 * Cost: ECR storage per GB-month; basic scanning is free.
 *
 * @example new ContainerImage("shop", { context: ".", dockerfile: "app/Dockerfile" })
 */
export class ContainerImage extends pulumi.ComponentResource {
    /** The ECR repository's URL the image is pushed to. */
    readonly repositoryUrl: pulumi.Output<string>;
    /** Digest-pinned URI for task definitions. */
    readonly imageUri: pulumi.Output<string>;
    /** The platform the image is built for (`platform`); the task definition's CPU architecture must match. */
    readonly platform: "linux/arm64" | "linux/amd64";
    /** The tag the image is pushed under. */
    readonly imageTag: string;

    /** The raw children (repository; the image build is an awsx component). */
    readonly resources: { repository: aws.ecr.Repository; image: awsxEcr.Image };

    constructor(name: string, args: ContainerImageArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const c = CONTAINER_IMAGE_CONTRACT.resolve(name, args);
        const check = argChecker("ContainerImage", name);
        const context = c.context;
        const dockerfile = c.dockerfile ?? path.join(context, "Dockerfile");
        check.that(
            fs.existsSync(context) && fs.statSync(context).isDirectory(),
            "context",
            context,
            `must be a directory (relative to ${process.cwd()})`,
        );
        check.that(
            fs.existsSync(dockerfile) && fs.statSync(dockerfile).isFile(),
            "dockerfile",
            dockerfile,
            `must be a file (relative to ${process.cwd()})`,
        );
        // Read once, before any child exists: the tag changes exactly when what goes into the image changes.
        const imageTag = c.imageTag ?? contentTag({ context, dockerfile, platform: c.platform });
        super("boxoffice:compute:ContainerImage", name, {}, opts);
        const parent = { parent: this };
        const t = args.transform ?? {};
        const repo = child(
            aws.ecr.Repository,
            `${name}-repo`,
            {
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                // By default a destroy keeps the images: deleting a repository with images must be deliberate.
                forceDelete: c.forceDelete,
                tags: { ...args.tags, [TIER_TAG]: "app", Name: `${name}-repo` },
            },
            parent,
            t.repository,
        );
        child(
            aws.ecr.LifecyclePolicy,
            `${name}-repo-lifecycle`,
            {
                repository: repo.name,
                policy: JSON.stringify({
                    rules: [
                        {
                            rulePriority: 1,
                            description: "expire untagged layers",
                            selection: {
                                tagStatus: "untagged",
                                countType: "sinceImagePushed",
                                countUnit: "days",
                                countNumber: c.untaggedExpiryDays,
                            },
                            action: { type: "expire" },
                        },
                        // The `any` rule must have the highest priority number (ECR User Guide, lifecycle policy rules).
                        {
                            rulePriority: 2,
                            description: `keep the last ${c.keepImages} images`,
                            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: c.keepImages },
                            action: { type: "expire" },
                        },
                    ],
                }),
            },
            parent,
            t.lifecyclePolicy,
        );
        const [imageArgs, imageOpts] = applyTransform<awsxEcr.ImageArgs, pulumi.ComponentResourceOptions>(
            t.image,
            `${name}-image`,
            {
                repositoryUrl: repo.repositoryUrl,
                context,
                dockerfile,
                platform: c.platform,
                // Without it awsx tags every build of a stack `<sha1(context path, dockerfile path, stack)>-container`,
                // the same tag each time, which the IMMUTABLE repository refuses for a changed image
                // (pulumi-awsx awsx/ecr/image.ts, createUniqueImageName).
                imageTag,
            },
            parent,
        );
        const image = new awsxEcr.Image(`${name}-image`, imageArgs, imageOpts);
        this.imageTag = imageTag;
        this.repositoryUrl = repo.repositoryUrl;
        this.imageUri = image.imageUri;
        this.platform = c.platform;
        this.resources = { repository: repo, image };
        this.registerOutputs({ repositoryUrl: this.repositoryUrl, imageUri: this.imageUri });
    }
}
