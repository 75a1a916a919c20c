"""Creates in the demo's moto what Terraform would have made (a VPC, two
subnets, a security group, a target group behind a load balancer, the ECS
cluster, the IAM roles, the ECR repository with images v1 and v2, the log
group) and writes their IDs into the demo's copy of terraform.tfstate. Used
by run.sh."""
import json
import sys

import boto3

endpoint, state_path = sys.argv[1], sys.argv[2]
session = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name="ap-northeast-1")
ec2 = session.client("ec2", endpoint_url=endpoint)
elbv2 = session.client("elbv2", endpoint_url=endpoint)
ecs = session.client("ecs", endpoint_url=endpoint)
iam = session.client("iam", endpoint_url=endpoint)
ecr = session.client("ecr", endpoint_url=endpoint)
logs = session.client("logs", endpoint_url=endpoint)
codedeploy = session.client("codedeploy", endpoint_url=endpoint)

vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"ap-northeast-1{az}")["Subnet"]["SubnetId"]
           for i, az in ((1, "a"), (2, "c"))]
sg = ec2.create_security_group(VpcId=vpc, GroupName="demo-app", Description="demo app")["GroupId"]
tg = elbv2.create_target_group(Name="demo-web", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
lb = elbv2.create_load_balancer(Name="demo-web", Subnets=subnets, SecurityGroups=[sg])["LoadBalancers"][0]["LoadBalancerArn"]
listener = elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]["ListenerArn"]
ecs.create_cluster(clusterName="demo-staging")


def trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


for role, service in (("demo-task-execution", "ecs-tasks.amazonaws.com"), ("demo-task", "ecs-tasks.amazonaws.com"),
                      ("demo-scheduler", "scheduler.amazonaws.com")):
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(service))
ecr.create_repository(repositoryName="demo/app")
for i, tag in enumerate(("v1", "v2")):
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                                      "digest": "sha256:" + f"{i:064x}"}, "layers": []})
    ecr.put_image(repositoryName="demo/app", imageTag=tag, imageManifest=manifest)
logs.create_log_group(logGroupName="/ecs/demo")
codedeploy.create_application(applicationName="demo-api", computePlatform="ECS")
codedeploy.create_deployment_group(
    applicationName="demo-api", deploymentGroupName="demo-api-staging", serviceRoleArn="arn:aws:iam::123456789012:role/demo-codedeploy",
    deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
    deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    ecsServices=[{"clusterName": "demo-staging", "serviceName": "api"}],
    loadBalancerInfo={"targetGroupPairInfoList": [{"targetGroups": [{"name": "demo-web"}, {"name": "demo-web-green"}],
                                                   "prodTrafficRoute": {"listenerArns": [listener]}}]})

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
print(f"created {vpc}, subnets {', '.join(subnets)}, {sg}, target group and load balancer demo-web, cluster demo-staging,"
      " roles, ECR images demo/app:v1 and v2, log group /ecs/demo, CodeDeploy application demo-api")
