/**
 * The boxoffice CrossGuard pack: HA, backup and security rules for the AWS resources of any program that
 * uses the `boxoffice:tier` / `boxoffice:backup` tags. This file only assembles the pack; each rule lives in
 * `rules/<domain>.ts`. Use it with:
 *
 *   pulumi preview --policy-pack policies --policy-pack-config policies/config/prod.json
 *
 * Without a config file every rule runs at its own level (mandatory, except the few marked advisory).
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./rules";

new PolicyPack(PACK_NAME, {
    description: "boxoffice: no single point of failure, recoverable data, private and encrypted by default.",
    enforcementLevel: "mandatory",
    policies,
});
