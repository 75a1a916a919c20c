"""tamp's moto launcher: moto's server, with ECS service deployments that
move the way AWS's do.

moto 5.2 changes a service's task definition on UpdateService but never
starts a new deployment, and leaves new services' rollouts IN_PROGRESS. Here
CreateService and UpdateService (new revision, or forceNewDeployment) start a
new PRIMARY deployment, as AWS does, and its rollout ends at once:

  - an image whose tag contains "fail": the rollout FAILS and the circuit
    breaker rolls back to the previous deployment, with the event AWS writes;
  - an image whose tag contains "hang": the rollout stays IN_PROGRESS;
  - anything else: the rollout COMPLETES with running = desired.

Service settings moto does not keep (deploymentConfiguration,
enableExecuteCommand and the like) are kept, as AWS keeps them.

RunTask, DescribeTasks, StopTask and ListTasks run tasks the way a shell
would run their command, as mototasks.py describes: `echo WORDS` lines go
to the container's awslogs stream (in moto's CloudWatch Logs), `exit N` is
the container's exit code, `sleep N` keeps it running; container health
checks run the same way, and ELBv2 target health follows the task whose
address a target is.

ListServiceDeployments, DescribeServiceDeployments and
StopServiceDeployment, which moto lacks, are answered from those deployments
(failed ones kept in a short history); a ROLLBACK stop returns the service to the
deployment before the stopped one at once. The API reference lists ABORT
among the stop types but calls ROLLBACK the one valid value, so an ABORT
stop is refused; a stop with no type is a ROLLBACK. For a service whose
deploymentConfiguration.strategy is BLUE_GREEN, LINEAR or CANARY, a "hang"
deployment has shifted production traffic and stays in BAKE_TIME, and a
"fail" one is rolled back because its first lifecycle hook failed, as
DescribeServiceDeployments then reports (lifecycleStage,
lifecycleHookDetails).

CODE_DEPLOY services start with one PRIMARY task set, refuse an
UpdateService that changes their task definition (as AWS does: CodeDeploy
owns it), and deploy through CodeDeploy as motocodedeploy.py describes.

Services run tasks, as AWS's service scheduler does, and ExecuteCommand
answers, as motoservicetasks.py describes.

Run it as `python3 motoserver.py -H 127.0.0.1 -p PORT`, like moto.server.
"""
import json
import sys

import motocodedeploy
import mototasks
import motoservicetasks
from moto.core.utils import utcnow
from moto.ecs import models
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.moto_api._internal import mock_random
from moto.server import main

Backend = models.EC2ContainerServiceBackend
_create_service = Backend.create_service
_update_service = Backend.update_service


def _outcome(backend, task_definition):
    try:
        td = backend.describe_task_definition(task_definition)
    except Exception:
        return "complete"
    images = " ".join(c.get("image", "") for c in td.container_definitions)
    tags = " ".join(i.rsplit(":", 1)[-1] for i in images.split())
    if "fail" in tags:
        return "fail"
    if "hang" in tags:
        return "hang"
    return "complete"


def _event(service, message):
    service.events.insert(0, {"id": str(mock_random.uuid4()), "createdAt": utcnow(), "message": message})


def _start_deployment(service):
    for d in service.deployments:
        d["status"] = "ACTIVE"
    now = utcnow()
    deployment = {
        "id": f"ecs-svc/{mock_random.randint(0, 32**12)}",
        "status": "PRIMARY",
        "taskDefinition": service.task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": service.desired_count,
        "runningCount": 0,
        "failedTasks": 0,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": "ECS deployment in progress.",
        "launchType": service.launch_type,
        "createdAt": now,
        "updatedAt": now,
    }
    service.deployments.insert(0, deployment)
    return deployment


def _native_hooks(service):
    """The lifecycle hooks of a service ECS deploys blue/green, linear or
    canary itself, or None for a rolling one."""
    conf = getattr(service, "deployment_configuration", None) or {}
    if conf.get("strategy") not in ("BLUE_GREEN", "LINEAR", "CANARY"):
        return None
    return conf.get("lifecycleHooks") or []


def _settle(backend, service, previous_task_definition):
    deployment = service.deployments[0]
    outcome = _outcome(backend, service.task_definition)
    hooks = _native_hooks(service)
    if outcome == "hang":
        service.running_count, service.pending_count = 0, service.desired_count
        if hooks is not None:
            # Production traffic has moved; the bake time never ends.
            deployment["_tamp_stage"] = "BAKE_TIME"
            service.running_count, service.pending_count = service.desired_count, 0
        return
    if outcome == "fail":
        deployment.update(rolloutState="FAILED", status="ACTIVE", failedTasks=service.desired_count,
                          rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.")
        # Gone from the service once rolled back, but the service
        # deployments API still tells of it.
        history = getattr(service, "_tamp_history", [])
        failed = dict(deployment, statusReason="Service deployment rolled back because the circuit breaker threshold was exceeded.")
        if hooks:
            hook = hooks[0]
            stage = (hook.get("lifecycleStages") or ["POST_TEST_TRAFFIC_SHIFT"])[0]
            deployment["rolloutStateReason"] = "ECS deployment failed: a lifecycle hook failed."
            failed.update(statusReason=f"Service deployment rolled back because a lifecycle hook failed in {stage}.",
                          _tamp_stage=stage, _tamp_hooks=[{"targetArn": hook.get("hookTargetArn"), "targetType": hook.get("targetType", "AWS_LAMBDA"),
                                                         "status": "FAILED"}])
        history.append(failed)
        service._tamp_history = history
        _event(service, f"(service {service.name}) (deployment {deployment['id']}) deployment failed: tasks failed to start.")
        older = service.deployments[1:]
        if older and previous_task_definition:
            # The rollback itself completes at once; the failed deployment goes.
            older[0]["status"] = "PRIMARY"
            service.task_definition = previous_task_definition
            service.deployments[:] = [older[0]]
            _event(service, f"(service {service.name}) rolling back to deployment {older[0]['id']}.")
        return
    deployment.update(rolloutState="COMPLETED", rolloutStateReason=f"ECS deployment {deployment['id']} completed.",
                      runningCount=service.desired_count, pendingCount=0)
    service.deployments[:] = [deployment]
    service.running_count, service.pending_count = service.desired_count, 0
    _event(service, f"(service {service.name}) has reached a steady state.")


def _code_deploy(service):
    return (service.deployment_controller or {}).get("type") == "CODE_DEPLOY"


def create_service(self, *args, **kwargs):
    service = _create_service(self, *args, **kwargs)
    if _code_deploy(service) and service.task_definition:
        service.task_sets[:] = [motocodedeploy._task_set(service, service.task_definition, "PRIMARY", 100.0, "Blue")]
        service.running_count, service.pending_count = service.desired_count, 0
    if service.deployments:
        service.deployments.clear()
        _start_deployment(service)
        _settle(self, service, None)
    return service


def update_service(self, service_properties):
    props = dict(service_properties)
    cluster = props.get("cluster", "default")
    name = props["service"].split("/")[-1]
    before = self._get_service(cluster, name)
    previous = before.task_definition
    if _code_deploy(before) and props.get("task_definition"):
        wanted = self.describe_task_definition(props["task_definition"]).arn
        if wanted != previous:
            raise models.InvalidParameterException(
                "Unable to update task definition on services with a CODE_DEPLOY deployment controller. "
                "Use AWS CodeDeploy to trigger a new deployment.")
    force = props.get("force_new_deployment", False)
    service = _update_service(self, service_properties)
    if service.task_definition != previous or force:
        _start_deployment(service)
        _settle(self, service, previous)
    elif props.get("desired_count") is not None and service.deployments:
        # A new desired count scales the PRIMARY deployment in place.
        service.deployments[0].update(desiredCount=service.desired_count, runningCount=service.desired_count, pendingCount=0)
    return service


def _deployment_arn(service, deployment):
    return f"{service.arn.replace(':service/', ':service-deployment/')}/{deployment['id'].split('/')[-1]}"


def list_service_deployments(self):
    cluster = self._get_param("cluster", "default")
    service = self.ecs_backend._get_service(cluster, self._get_param("service").split("/")[-1])
    wanted = self._get_param("status") or []
    states = {"IN_PROGRESS": "IN_PROGRESS", "COMPLETED": "SUCCESSFUL", "FAILED": "ROLLBACK_SUCCESSFUL"}
    briefs = []
    for d in reversed(getattr(service, "_tamp_history", [])):
        if not wanted or "ROLLBACK_SUCCESSFUL" in wanted:
            briefs.append({"serviceDeploymentArn": _deployment_arn(service, d), "serviceArn": service.arn,
                           "clusterArn": service.cluster_arn, "status": "ROLLBACK_SUCCESSFUL",
                           "targetServiceRevisionArn": d["taskDefinition"], "createdAt": d["createdAt"].timestamp()})
    for d in service.deployments:
        status = states.get(d.get("rolloutState"), "IN_PROGRESS")
        if wanted and status not in wanted:
            continue
        briefs.append({"serviceDeploymentArn": _deployment_arn(service, d), "serviceArn": service.arn,
                       "clusterArn": service.cluster_arn, "status": status,
                       "targetServiceRevisionArn": d["taskDefinition"], "createdAt": d["createdAt"].timestamp()})
    return json.dumps({"serviceDeployments": briefs})


def describe_service_deployments(self):
    found = []
    for arn in self._get_param("serviceDeploymentArns") or []:
        for service in self.ecs_backend.services.values():
            for d in getattr(service, "_tamp_history", []):
                if _deployment_arn(service, d) == arn:
                    found.append({"serviceDeploymentArn": arn, "serviceArn": service.arn, "clusterArn": service.cluster_arn,
                                  "status": "ROLLBACK_SUCCESSFUL", "statusReason": d["statusReason"],
                                  "createdAt": d["createdAt"].timestamp(),
                                  **({"lifecycleStage": d["_tamp_stage"]} if "_tamp_stage" in d else {}),
                                  **({"lifecycleHookDetails": d["_tamp_hooks"]} if "_tamp_hooks" in d else {})})
            for d in service.deployments:
                if _deployment_arn(service, d) == arn and d.get("rolloutState") == "IN_PROGRESS":
                    answer = {"serviceDeploymentArn": arn, "serviceArn": service.arn, "clusterArn": service.cluster_arn,
                              "status": "IN_PROGRESS", "createdAt": d["createdAt"].timestamp()}
                    if "_tamp_stage" in d:
                        answer.update(lifecycleStage=d["_tamp_stage"], targetServiceRevision={
                            "requestedProductionTrafficWeight": 100.0, "runningTaskCount": service.desired_count,
                            "requestedTaskCount": service.desired_count})
                    found.append(answer)
    return json.dumps({"serviceDeployments": found, "failures": []})


def stop_service_deployment(self):
    arn = self._get_param("serviceDeploymentArn")
    if self._get_param("stopType") not in (None, "ROLLBACK"):
        raise models.InvalidParameterException("stopType: the valid value is ROLLBACK.")
    for service in self.ecs_backend.services.values():
        for i, d in enumerate(service.deployments):
            if _deployment_arn(service, d) != arn:
                continue
            if d.get("rolloutState") != "IN_PROGRESS" or i + 1 >= len(service.deployments):
                raise models.InvalidParameterException("The service deployment is not in progress.")
            previous = service.deployments[i + 1]
            previous.update(status="PRIMARY", rolloutState="COMPLETED")
            service.deployments[:] = [previous]
            service.task_definition = previous["taskDefinition"]
            service.running_count, service.pending_count = service.desired_count, 0
            _event(service, f"(service {service.name}) rolling back to deployment {previous['id']}.")
            return json.dumps({"serviceDeploymentArn": arn})
    raise models.InvalidParameterException("The service deployment does not exist.")


# Request fields moto drops, kept on the service under the attribute names
# its serializer reads back.
_KEPT = {
    "deploymentConfiguration": "deployment_configuration",
    "enableExecuteCommand": "enable_execute_command",
    "enableECSManagedTags": "enable_ecs_managed_tags",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "placementConstraints": "placement_constraints",
    "placementStrategy": "placement_strategy",
    "capacityProviderStrategy": "capacity_provider_strategy",
    "availabilityZoneRebalancing": "availability_zone_rebalancing",
}
_respond_create = EC2ContainerServiceResponse.create_service
_respond_update = EC2ContainerServiceResponse.update_service


def _keep(self, service_name):
    cluster = self._get_param("cluster", "default")
    service = self.ecs_backend._get_service(cluster, service_name.split("/")[-1])
    for param, attr in _KEPT.items():
        value = self._get_param(param)
        if value is not None:
            setattr(service, attr, value)


def respond_create(self):
    result = _respond_create(self)
    _keep(self, self._get_param("serviceName"))
    return result


def respond_update(self):
    result = _respond_update(self)
    _keep(self, self._get_param("service"))
    return result


motocodedeploy.install(_outcome)
Backend.create_service = create_service
Backend.update_service = update_service
EC2ContainerServiceResponse.create_service = respond_create
EC2ContainerServiceResponse.update_service = respond_update
EC2ContainerServiceResponse.list_service_deployments = list_service_deployments
EC2ContainerServiceResponse.stop_service_deployment = stop_service_deployment
EC2ContainerServiceResponse.describe_service_deployments = describe_service_deployments
mototasks.install()
motoservicetasks.install()

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
