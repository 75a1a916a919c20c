"""CodeDeploy blue/green deployments of ECS services for tamp's moto
launcher (motoserver.py installs it).

moto 5.2 keeps CodeDeploy applications, groups and deployments, but a
deployment never leaves Created, its timestamps are strings the AWS SDKs
cannot read, and ListDeploymentTargets, GetDeploymentTarget,
BatchGetDeploymentGroups and StopDeployment are missing. Here a deployment
of an ECS AppSpec runs its lifecycle the first time it is read, as a real
one does over minutes, with hooks that answer at once. The outcome follows
the new task definition's image tags, as the launcher's ECS rollouts do:

  - "fail": the first hook the AppSpec names fails (HOOK_EXECUTION_FAILURE),
    or without hooks the Install event (ECS_UPDATE_ERROR); traffic stays
    on the original task set;
  - "hang": traffic moves to the replacement task set and the deployment
    stays InProgress in AfterAllowTraffic (a hook that never answers), so
    a stop can roll it back;
  - anything else: every lifecycle event succeeds, the deployment
    Succeeds and the service runs the new task definition.

The ECS service's task sets follow: the original (Blue) and replacement
(Green) task sets while traffic shifts, one PRIMARY set at the end.
Shapes follow the CodeDeploy API reference (DeploymentInfo, ECSTarget,
ECSTaskSet, LifecycleEvent).
"""
import json
import time

import yaml
from moto.codedeploy import models as cdmodels
from moto.codedeploy.exceptions import DeploymentDoesNotExistException
from moto.codedeploy.responses import CodeDeployResponse
from moto.core.exceptions import JsonRESTError
from moto.ecs import models as ecsmodels
from moto.moto_api._internal import mock_random

# The lifecycle events of an ECS blue/green deployment, in order; the hook
# events run the AppSpec's Lambda functions.
EVENTS = ["BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic",
          "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"]
HOOK_EVENTS = {"BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"}


class DeploymentAlreadyCompletedException(JsonRESTError):
    def __init__(self, message):
        super().__init__("DeploymentAlreadyCompletedException", message)


def _epoch():
    return time.time()


def _app_to_dict(self):
    return {"applicationId": self.id, "applicationName": self.application_name,
            "createTime": getattr(self, "_tamp_created", None) or _created(self), "computePlatform": self.compute_platform}


def _created(obj):
    obj._tamp_created = _epoch()
    return obj._tamp_created


_group_to_dict = cdmodels.DeploymentGroup.to_dict


def _group_dict(self):
    d = _group_to_dict(self)
    d["deploymentConfigName"] = self.deployment_config_name or "CodeDeployDefault.ECSAllAtOnce"
    for key in ("targetRevision", "alarmConfiguration", "lastSuccessfulDeployment", "lastAttemptedDeployment"):
        d.pop(key, None)
    last = getattr(self, "_tamp_last", None)
    if last is not None:
        d["lastAttemptedDeployment"] = {"deploymentId": last.deployment_id, "status": last.status,
                                        "createTime": getattr(last, "_tamp_created", None) or _created(last)}
    return {k: v for k, v in d.items() if v is not None}


def _deployment_dict(self):
    state = getattr(self, "_tamp", None) or {}
    d = {
        "applicationName": self.application_name,
        "deploymentGroupName": self.deployment_group_name,
        "deploymentConfigName": self.deployment_config_name or "CodeDeployDefault.ECSAllAtOnce",
        "deploymentId": self.deployment_id,
        "revision": self.revision,
        "status": self.status,
        "createTime": getattr(self, "_tamp_created", None) or _created(self),
        "creator": self.creator,
        "description": self.description,
        "computePlatform": self.application.compute_platform,
        "deploymentStyle": self.deployment_group.deployment_style or {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        "instanceTerminationWaitTimeStarted": False,
    }
    if self.auto_rollback_configuration:
        d["autoRollbackConfiguration"] = self.auto_rollback_configuration
    for key, field in (("started", "startTime"), ("completed", "completeTime"), ("error", "errorInformation"), ("rollback", "rollbackInfo")):
        if state.get(key) is not None:
            d[field] = state[key]
    return d


def _appspec(revision):
    content = ((revision or {}).get("appSpecContent") or {}).get("content") or ""
    try:
        doc = yaml.safe_load(content) or {}
    except yaml.YAMLError:
        return None, [], {}
    resources = doc.get("Resources") or [{}]
    props = (next(iter(resources[0].values()), {}) or {}).get("Properties") or {}
    hooks = [(event, fn) for h in doc.get("Hooks") or [] for event, fn in h.items()]
    return props.get("TaskDefinition"), hooks, props


def _replace(service, props):
    """What a replacement task set (and, once it is primary, the service)
    takes from the AppSpec besides the task definition: the platform
    version, the awsvpc network configuration and the load balancer's
    container and port."""
    if props.get("PlatformVersion"):
        service.platform_version = props["PlatformVersion"]
    vpc = (props.get("NetworkConfiguration") or {}).get("AwsvpcConfiguration")
    if vpc:
        conf = {"subnets": list(vpc.get("Subnets") or [])}
        if vpc.get("SecurityGroups"):
            conf["securityGroups"] = list(vpc["SecurityGroups"])
        if vpc.get("AssignPublicIp"):
            conf["assignPublicIp"] = vpc["AssignPublicIp"]
        service.network_configuration = {"awsvpcConfiguration": conf}
    info = props.get("LoadBalancerInfo") or {}
    if info and service.load_balancers:
        first = dict(service.load_balancers[0])
        first["containerName"] = info.get("ContainerName", first.get("containerName"))
        first["containerPort"] = int(info.get("ContainerPort", first.get("containerPort") or 0))
        service.load_balancers = [first] + list(service.load_balancers[1:])


def _rollback_on(deployment, group, event):
    conf = deployment.auto_rollback_configuration or group.auto_rollback_configuration or {}
    return bool(conf.get("enabled")) and event in (conf.get("events") or [])


def _task_set(service, td, status, weight, label):
    ts = ecsmodels.TaskSet(service.name, service.cluster_name, td, service._account_id if hasattr(service, "_account_id") else "",
                           service.region_name, launch_type=service.launch_type or "FARGATE",
                           network_configuration=service.network_configuration, load_balancers=service.load_balancers)
    ts.status = status
    ts.service_arn, ts.cluster_arn = service.arn, service.cluster_arn
    ts._tamp_weight, ts._tamp_label = weight, label
    ts.computed_desired_count = service.desired_count
    ts.running_count, ts.pending_count = service.desired_count, 0
    return ts


class _Run:
    """What install() needs from the launcher: the ECS backends and how an
    image decides a rollout's outcome."""
    outcome = None


def _ecs_service(account, region, group):
    for s in group.ecs_services or []:
        backend = ecsmodels.ecs_backends[account][region]
        try:
            return backend, backend._get_service(s.get("clusterName"), s.get("serviceName"))
        except Exception:
            continue
    return None, None


def _settle(deployment, account, region):
    """Runs a Created deployment's lifecycle, once."""
    if getattr(deployment, "_tamp", None) is not None:
        return
    group = deployment.deployment_group
    backend, service = _ecs_service(account, region, group)
    td, hooks, props = _appspec(deployment.revision)
    state = {"started": _epoch(), "events": {e: "Pending" for e in EVENTS}, "diagnostics": {}, "service": service,
             "original": service.task_definition if service else None, "replacement": td, "props": props}
    deployment._tamp = state
    deployment.status = "InProgress"
    outcome = _Run.outcome(backend, td) if backend and td else "complete"
    failing = None
    if outcome == "fail":
        failing = next((event for event, _ in hooks), "Install")
    for event in EVENTS:
        if event == failing:
            state["events"][event] = "Failed"
            fn = dict(hooks).get(event)
            if fn:
                state["diagnostics"][event] = {"errorCode": "ScriptFailed", "scriptName": fn,
                                               "message": f"The lifecycle hook {fn} returned Failed."}
                state["error"] = {"code": "HOOK_EXECUTION_FAILURE",
                                  "message": f"The deployment failed because the {event} hook {fn} returned Failed."}
            else:
                state["diagnostics"][event] = {"errorCode": "UnknownError",
                                               "message": "The replacement task set's tasks failed to start."}
                state["error"] = {"code": "ECS_UPDATE_ERROR",
                                  "message": "The replacement task set's tasks failed to start."}
            deployment.status = "Failed"
            state["completed"] = _epoch()
            if _rollback_on(deployment, group, "DEPLOYMENT_FAILURE"):
                state["rollback"] = {"rollbackMessage": "The deployment failed; CodeDeploy rolled back to the original task set."}
            _shift(state, done=False, back=True)
            return
        if outcome == "hang" and event == "AfterAllowTraffic":
            state["events"][event] = "InProgress"
            _shift(state, done=False)
            return
        state["events"][event] = "Succeeded"
    deployment.status = "Succeeded"
    state["completed"] = _epoch()
    _shift(state, done=True)


def _shift(state, done, back=False):
    """Moves the ECS service's task sets to where the lifecycle is."""
    service, original, replacement = state["service"], state["original"], state["replacement"]
    if service is None:
        return
    if back or not replacement:
        service.task_sets[:] = [_task_set(service, original, "PRIMARY", 100.0, "Blue")] if original else []
        return
    if done:
        service.task_definition = replacement
        _replace(service, state.get("props") or {})
        service.task_sets[:] = [_task_set(service, replacement, "PRIMARY", 100.0, "Green")]
        return
    service.task_sets[:] = [_task_set(service, original, "ACTIVE", 0.0, "Blue"),
                            _task_set(service, replacement, "PRIMARY", 100.0, "Green")]


def _deployment(self, deployment_id):
    deployment = self.codedeploy_backend.deployments.get(deployment_id)
    if deployment is None:
        raise DeploymentDoesNotExistException(f"The deployment {deployment_id} could not be found.")
    _settle(deployment, self.current_account, self.region)
    return deployment


def get_deployment(self):
    return json.dumps({"deploymentInfo": _deployment(self, self._get_param("deploymentId")).to_dict()})


def batch_get_deployments(self):
    found = [_deployment(self, i).to_dict() for i in self._get_param("deploymentIds") or []
             if i in self.codedeploy_backend.deployments]
    return json.dumps({"deploymentsInfo": found})


def batch_get_deployment_groups(self):
    app = self._get_param("applicationName")
    groups = self.codedeploy_backend.deployment_groups.get(app, {})
    found, missing = [], []
    for name in self._get_param("deploymentGroupNames") or []:
        (found.append(groups[name].to_dict()) if name in groups else missing.append(name))
    out = {"deploymentGroupsInfo": found}
    if missing:
        out["errorMessage"] = "Deployment groups not found: " + ", ".join(missing)
    return json.dumps(out)


def _target_id(deployment):
    s = (deployment.deployment_group.ecs_services or [{}])[0]
    return f"{s.get('clusterName')}:{s.get('serviceName')}"


def list_deployment_targets(self):
    deployment = _deployment(self, self._get_param("deploymentId"))
    return json.dumps({"targetIds": [_target_id(deployment)] if deployment.deployment_group.ecs_services else []})


def get_deployment_target(self):
    deployment = _deployment(self, self._get_param("deploymentId"))
    target_id = self._get_param("targetId")
    if target_id != _target_id(deployment):
        raise JsonRESTError("DeploymentTargetDoesNotExistException", f"The target {target_id} does not exist.")
    state = deployment._tamp
    events = []
    for name in EVENTS:
        e = {"lifecycleEventName": name, "status": state["events"][name]}
        if name in state["diagnostics"]:
            e["diagnostics"] = state["diagnostics"][name]
        if e["status"] != "Pending":
            e["startTime"] = state["started"]
        if e["status"] in ("Succeeded", "Failed"):
            e["endTime"] = state["started"]
        events.append(e)
    service = state["service"]
    task_sets = []
    for ts in (service.task_sets if service else []):
        task_sets.append({"identifer": ts.id, "desiredCount": ts.computed_desired_count, "pendingCount": ts.pending_count,
                          "runningCount": ts.running_count, "status": ts.status, "trafficWeight": ts._tamp_weight,
                          "taskSetLabel": ts._tamp_label})
    status = {"Created": "Pending", "InProgress": "InProgress", "Succeeded": "Succeeded", "Failed": "Failed",
              "Stopped": "Failed"}.get(deployment.status, "InProgress")
    target = {"deploymentId": deployment.deployment_id, "targetId": target_id,
              "targetArn": service.arn if service else "", "lastUpdatedAt": _epoch(),
              "lifecycleEvents": events, "status": status, "taskSetsInfo": task_sets}
    return json.dumps({"deploymentTarget": {"deploymentTargetType": "ECSTarget", "ecsTarget": target}})


def stop_deployment(self):
    deployment = _deployment(self, self._get_param("deploymentId"))
    if deployment.status not in ("Created", "Queued", "InProgress", "Ready"):
        raise DeploymentAlreadyCompletedException(f"The deployment {deployment.deployment_id} has already completed.")
    state = deployment._tamp
    deployment.status = "Stopped"
    state["completed"] = _epoch()
    state["error"] = {"code": "MANUAL_STOP", "message": "The deployment was stopped by a user request."}
    for name, status in state["events"].items():
        if status == "InProgress":
            state["events"][name] = "Failed"
    if self._get_bool_param("autoRollbackEnabled"):
        state["rollback"] = {"rollbackMessage": "The deployment was stopped; CodeDeploy rolled back to the original task set."}
        _shift(state, done=False, back=True)
    return json.dumps({"status": "Succeeded", "statusMessage": "The deployment was stopped."})


_deployment_init = cdmodels.DeploymentInfo.__init__


def _deployment_new(self, *args, **kwargs):
    _deployment_init(self, *args, **kwargs)
    self.deployment_group._tamp_last = self
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    self.deployment_id = "d-" + "".join(alphabet[mock_random.randint(0, len(alphabet) - 1)] for _ in range(9))


def install(outcome):
    """Patches moto's CodeDeploy; outcome(backend, task_definition) is the
    launcher's "complete", "fail" or "hang" for an image."""
    _Run.outcome = staticmethod(outcome)
    cdmodels.DeploymentInfo.__init__ = _deployment_new
    cdmodels.Application.to_dict = _app_to_dict
    cdmodels.DeploymentGroup.to_dict = _group_dict
    cdmodels.DeploymentInfo.to_dict = _deployment_dict
    CodeDeployResponse.get_deployment = get_deployment
    CodeDeployResponse.batch_get_deployments = batch_get_deployments
    CodeDeployResponse.batch_get_deployment_groups = batch_get_deployment_groups
    CodeDeployResponse.list_deployment_targets = list_deployment_targets
    CodeDeployResponse.get_deployment_target = get_deployment_target
    CodeDeployResponse.stop_deployment = stop_deployment
