import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ServiceSecurityGroups } from "../../../components/edge/service-security-groups";
import { runProgram } from "../../../tools/offline/engine";
import { inputsOf, ofType, promiseOf } from "../../../tools/offline/values";

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

describe("ServiceSecurityGroups", () => {
    it("admits the app port from the load balancers, and from in-VPC scrapers only when given; nothing into the worker", async () => {
        let groups!: ServiceSecurityGroups;
        const args = {
            vpcId: pulumi.output("vpc-1"),
            vpcCidr: "10.40.0.0/16",
            loadBalancerSecurityGroupId: pulumi.output("sg-alb"),
        };
        const plain = await runProgram(() => {
            groups = new ServiceSecurityGroups("svc", args);
        });
        assert.deepStrictEqual(
            ofType(plain, INGRESS).map((r) => [inputsOf(r).fromPort, inputsOf(r).referencedSecurityGroupId]),
            [[8080, "sg-alb"]],
        );
        const scraped = await runProgram(() => {
            groups = new ServiceSecurityGroups("svc", {
                ...args,
                scraperSecurityGroupIds: [pulumi.output("sg-prometheus")],
            });
        });
        const rules = ofType(scraped, INGRESS).map((r) => inputsOf(r));
        const appSg = await promiseOf(groups.appSecurityGroupId);
        assert.deepStrictEqual(
            rules.map((r) => [r.securityGroupId === appSg, r.fromPort, r.toPort, r.referencedSecurityGroupId]),
            [
                [true, 8080, 8080, "sg-alb"],
                [true, 8080, 8080, "sg-prometheus"],
            ],
        );
        assert.strictEqual(
            rules.filter((r) => r.cidrIpv4 || r.cidrIpv6).length,
            0,
            "never a CIDR: only named groups reach the tasks",
        );
    });
});
