"""Creates in the demo's moto what Terraform would have made (a VPC, two
subnets, a security group, a target group, the ECS cluster) and writes their
IDs into the demo's copy of terraform.tfstate. Used by run.sh."""
import json
import sys

import boto3

endpoint, state_path = sys.argv[1], sys.argv[2]
session = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name="ap-northeast-1")
ec2 = session.client("ec2", endpoint_url=endpoint)
elbv2 = session.client("elbv2", endpoint_url=endpoint)
ecs = session.client("ecs", endpoint_url=endpoint)

vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"ap-northeast-1{az}")["Subnet"]["SubnetId"]
           for i, az in ((1, "a"), (2, "c"))]
sg = ec2.create_security_group(VpcId=vpc, GroupName="demo-app", Description="demo app")["GroupId"]
tg = elbv2.create_target_group(Name="demo-web", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
ecs.create_cluster(clusterName="demo-staging")

with open(state_path) as f:
    state = json.load(f)
for r in state["resources"]:
    if r["type"] == "aws_subnet":
        for inst in r["instances"]:
            inst["attributes"]["id"] = subnets[inst["index_key"]]
    elif r["type"] == "aws_security_group":
        r["instances"][0]["attributes"]["id"] = sg
    elif r["type"] == "aws_lb_target_group":
        r["instances"][0]["attributes"]["arn"] = tg
with open(state_path, "w") as f:
    json.dump(state, f, indent=2)
print(f"created {vpc}, subnets {', '.join(subnets)}, {sg}, target group demo-web and cluster demo-staging")
