"""The tasks of ECS services, and ECS Exec, for tamp's moto launcher
(motoserver.py installs it, after mototasks.py).

moto 5.2 runs no tasks for a service and has no ExecuteCommand. Here a
service runs, for each of its deployments, as many tasks of the
deployment's revision as the deployment's runningCount, as AWS's service
scheduler does: launcher tasks (mototasks.Task: their commands run as
mototasks.py describes, `echo` lines in their awslogs streams, health
checks, addresses) started by the deployment's ID (startedBy) in the
group service:NAME, with the service's launch type, network configuration
and enableExecuteCommand. A container without a command runs its image's
own, which a service keeps running: it runs until stopped. Tasks beyond
the count, or of a deployment that is gone (a rollout ended, the service
was deleted or scaled in), are stopped with stopCode
ServiceSchedulerInitiated and the reason AWS gives ("Scaling activity
initiated by (deployment ID)"); a task that stopped is replaced.

The scheduler catches up whenever a service's tasks are listed
(ListTasks with serviceName; for a service moto does not know, still the
empty list mototasks.py answers) or a
task is exec'd into, so scripts that never ask about a service's tasks
see no change.

ExecuteCommand answers as the ECS API reference says: a session
(sessionId, streamUrl, tokenValue) for a RUNNING launcher task started
with enableExecuteCommand, with the container's name and ARN; an
InvalidParameterException with AWS's message when execute command was
not enabled, the task is not running, or a container must be named.
"""
import json

import mototasks
from moto.ecs import models as ecsmodels
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.moto_api._internal import mock_random


def _start(backend, service, deployment):
    cluster = backend._get_cluster(service.cluster_arn.split("/")[-1])
    td = backend.describe_task_definition(deployment["taskDefinition"])
    request = {"startedBy": deployment["id"], "group": f"service:{service.name}", "launchType": service.launch_type or None,
               "networkConfiguration": getattr(service, "network_configuration", None) or None,
               "capacityProviderStrategy": getattr(service, "capacity_provider_strategy", None) or None,
               "platformVersion": getattr(service, "platform_version", None) or None,
               "enableExecuteCommand": bool(getattr(service, "enable_execute_command", False))}
    task = mototasks.Task(backend, cluster, td, request)
    for c in task.containers:
        if not c.definition.get("command"):
            c.lines, c.end, c.code = mototasks.run_script("sleep infinity")
    task.service = service.name
    mototasks.tasks_of(backend)[task.arn] = task
    task.advance(task.created)


def reconcile(backend, service):
    """Brings the service's tasks in line with its deployments."""
    tasks = sorted((t for t in mototasks.tasks_of(backend).values() if getattr(t, "service", None) == service.name
                    and t.cluster.arn == service.cluster_arn), key=lambda t: t.created)
    running = {}
    for t in tasks:
        t.advance()
        if t.stopped_at is None:
            running.setdefault(t.request["startedBy"], []).append(t)
    active = service.status == "ACTIVE"
    for d in service.deployments:
        have = running.pop(d["id"], [])
        want = (d.get("runningCount") or 0) if active else 0
        for _ in range(len(have), want):
            _start(backend, service, d)
        for t in have[want:]:
            _scheduler_stop(t, d["id"])
    for gone, ts in running.items():
        for t in ts:
            _scheduler_stop(t, gone)


def _scheduler_stop(task, deployment_id):
    task.stop_now(f"Scaling activity initiated by (deployment {deployment_id})")
    task.stop_code = "ServiceSchedulerInitiated"


def _service(backend, cluster_ref, name):
    cluster = backend._get_cluster(cluster_ref)
    return backend.services.get(f"{cluster.name}:{name.split('/')[-1]}")


_others = {}  # set by install: ListTasks as answered before


def list_tasks(self):
    name = self._get_param("serviceName")
    if not name:
        return _others["list_tasks"](self)
    with mototasks._lock:
        backend = self.ecs_backend
        cluster_ref = self._get_param("cluster", "default")
        service = _service(backend, cluster_ref, name)
        if service is None:
            return _others["list_tasks"](self)  # none, as before
        reconcile(backend, service)
        desired = self._get_param("desiredStatus") or "RUNNING"
        family = self._get_param("family")
        started_by = self._get_param("startedBy")
        found = []
        for t in mototasks.tasks_of(backend).values():
            if getattr(t, "service", None) != service.name or t.cluster.arn != service.cluster_arn:
                continue
            if family and t.family != family or started_by and t.request.get("startedBy") != started_by:
                continue
            if ("STOPPED" if t.stopped_at is not None else "RUNNING") == desired:
                found.append(t)
        found.sort(key=lambda t: t.created, reverse=True)
        return json.dumps({"taskArns": [t.arn for t in found]})


def execute_command(self):
    with mototasks._lock:
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        for service in list(backend.services.values()):
            if service.cluster_arn == cluster.arn:
                reconcile(backend, service)
        task = mototasks._find(backend, cluster, self._get_param("task"))
        if task is not None:
            task.advance()
        if task is None or task.stopped_at is not None:
            raise ecsmodels.InvalidParameterException("The specified task is not running.")
        if not task.request.get("enableExecuteCommand"):
            raise ecsmodels.InvalidParameterException(
                "The execute command failed because execute command was not enabled when the task was run or the execute "
                "command agent isn't running. Wait and try the command again or run a new task with execute command enabled and try again.")
        name = self._get_param("container")
        containers = [c for c in task.containers if c.name == name or (not name and len(task.containers) == 1)]
        if not containers:
            raise ecsmodels.InvalidParameterException("The container name must be specified when the task has more than one container.")
        session = "ecs-execute-command-" + mock_random.get_random_hex(17)
        return json.dumps({
            "clusterArn": cluster.arn, "taskArn": task.arn, "interactive": bool(self._get_param("interactive")),
            "containerName": containers[0].name, "containerArn": containers[0].arn,
            "session": {"sessionId": session, "tokenValue": "token-" + mock_random.get_random_hex(32),
                        "streamUrl": f"wss://ssmmessages.{self.region}.amazonaws.com/v1/data-channel/{session}"
                                     "?role=publish_subscribe&cell-number=AAAA"},
        })


def install():
    """Patches moto's ECS responses; run it after mototasks.install(),
    whose ListTasks answers the lists without a service."""
    _others["list_tasks"] = EC2ContainerServiceResponse.list_tasks
    EC2ContainerServiceResponse.list_tasks = list_tasks
    EC2ContainerServiceResponse.execute_command = execute_command
