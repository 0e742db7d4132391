/** Plain stand-ins for the Network's outputs: the components only need ids and AZ names. */
export const VPC = "vpc-0123";
export const SUBNETS = ["subnet-a", "subnet-b", "subnet-c"];
export const AZS = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
export const CLIENTS = ["sg-app", "sg-worker"];
export const base = { vpcId: VPC, subnetIds: SUBNETS, availabilityZones: AZS, allowedSecurityGroupIds: CLIENTS };
