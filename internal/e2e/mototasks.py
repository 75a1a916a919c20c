"""ECS tasks for tamp's moto launcher (motoserver.py installs it): RunTask,
DescribeTasks, StopTask and ListTasks, and ELBv2 target health that
follows those tasks.

moto needs container instances to run tasks and its task answers cannot be
read by the Go SDK, so the launcher runs tasks itself. A container's
command (or `sh -c SCRIPT` / `bash -c SCRIPT`) is read as a small shell
script: commands separated by `;`, `&&`, `||` or newlines, `#` comments.
The words it knows:

  - `echo WORDS`: a line in the container's awslogs stream (in moto's
    CloudWatch Logs), written when the container reaches it;
  - `sleep N` (seconds, fractional, with an optional s/m/h/d suffix, or
    `infinity`): the container runs for N more seconds of wall time;
  - `exit N`: the container exits with code N (the script's last status
    without N);
  - `true`, `false`: status 0 and 1;
  - `healthy-for N` (a launcher word): status 0 while fewer than N seconds
    have passed since the task started, then 1 (for health checks);
  - anything else does nothing and succeeds (status 0).

A script without `sleep` ends at once, when the task starts; one with
`sleep` runs for as long as its sleeps add up to: lines before a sleep are
logged when the task starts, the rest when the sleep is over, and the exit
code is known then. Time is wall time since RunTask; the launcher works
out each task's state whenever the task is looked at (DescribeTasks,
ListTasks, StopTask, DescribeTargetHealth, GetLogEvents, FilterLogEvents).

A task's states, with the field names of the ECS API (Task, Container):

  - RunTask answers lastStatus PROVISIONING, desiredStatus RUNNING,
    containers PENDING; it refuses (ClusterNotFoundException) a cluster
    that does not exist, and (InvalidParameterException) an awsvpc task
    definition without networkConfiguration.awsvpcConfiguration.subnets.
  - While every essential container runs: lastStatus RUNNING,
    desiredStatus RUNNING, startedAt; a container that ended is STOPPED
    with its exitCode.
  - When an essential container exits, the task is STOPPED: desiredStatus
    STOPPED, stoppedReason "Essential container in task exited", stopCode
    EssentialContainerExited, stoppedAt (stoppingAt, executionStoppedAt)
    the moment it exited; containers still running are stopped with
    exitCode 137 (ECS sends SIGTERM, then SIGKILL after the stop timeout;
    `sleep` ignores SIGTERM as PID 1). A task whose essential containers
    all end at once is STOPPED the first time it is described.
  - StopTask: STOPPED at once (AWS takes up to the stop timeout),
    desiredStatus STOPPED, stoppedReason the request's reason or "Task
    stopped by user", stopCode UserInitiated, running containers exitCode
    137, stoppedAt; the answer is the task. A task already STOPPED is
    returned as it is. An unknown task: InvalidParameterException "The
    referenced task was not found."
  - ListTasks lists the launcher's tasks with moto's own: filters cluster,
    desiredStatus (RUNNING when not given, as in AWS; or STOPPED),
    startedBy, family and launchType; a serviceName or containerInstance
    filter matches none of them (RunTask tasks have neither). No paging.

Container health: a container definition's healthCheck.command
(["CMD-SHELL", SCRIPT] or ["CMD", WORD...]; ["NONE"] is none) is run with
the same words, at each DescribeTasks: status 0 is HEALTHY, anything else
UNHEALTHY. The first time a RUNNING task is described its containers'
healthStatus is UNKNOWN (ECS reports UNKNOWN until the first check, and
during startPeriod; the launcher models neither interval nor retries nor
startPeriod), from the second time on it is the check's result. A stopped
container keeps the last status it had. Containers without a health check
are UNKNOWN. The task's healthStatus: UNHEALTHY if an essential container
is UNHEALTHY, HEALTHY if every essential container with a check is HEALTHY
(and one has a check), else UNKNOWN. `healthy-for N` makes a check that
passes and then fails: ["CMD-SHELL", "healthy-for 0.5"].

Also in the task, as AWS answers: clusterArn, taskDefinitionArn, createdAt,
group ("family:NAME" unless given), startedBy, launchType (the request's,
else FARGATE or EC2 from the capacity provider strategy) and
capacityProviderName, platformVersion (FARGATE: LATEST shows as 1.4.0),
enableExecuteCommand (and each running container's managedAgents
ExecuteCommandAgent), overrides, cpu and memory, availabilityZone (the
first subnet's, if moto's EC2 knows it, else the region's "a" zone), and
tags (RunTask's answer; DescribeTasks only with include TAGS).

awsvpc tasks get one attachment, {id, type "ElasticNetworkInterface",
status ATTACHED (DELETED once STOPPED), details subnetId,
networkInterfaceId (eni-...), macAddress, privateDnsName,
privateIPv4Address}, and each container networkInterfaces [{attachmentId,
privateIpv4Address}]. The address is the next free one in the subnet's
CIDR block (after the 4 AWS reserves) if moto's EC2 knows the subnet, else
one of 10.200.0.0/16; no two launcher tasks of an account and region share
one.

ELBv2 target health: a target registered (RegisterTargets) with the
private address of a launcher task of the account and region is reported
by DescribeTargetHealth (TargetHealth State, Reason, Description):

  - on the first describe after it was registered: "initial",
    Elb.RegistrationInProgress;
  - then, while the task is not STOPPED: "healthy", unless an essential
    container's image tag (after the last ':') contains "unreachable":
    "unhealthy", Target.Timeout, "Request timed out";
  - once the task is STOPPED: "unhealthy", Target.FailedHealthChecks,
    "Health checks failed";
  - in a target group no load balancer forwards to: "unused",
    Target.NotInUse;
  - asked about with another Port than it was registered with: "unused",
    Target.NotRegistered.

A deregistered target has no requests in flight in the emulator, so its
deregistration completes at once (as ELB does for a target without
in-flight requests or active connections, deregistration delay or not):
moto answers "unused", Target.NotRegistered. Other targets keep moto's
answers. Without Targets, DescribeTargetHealth describes every registered
target.
"""
import ipaddress
import json
import math
import shlex
import threading
import time

from moto.ec2.models import ec2_backends
from moto.ecs import models as ecsmodels
from moto.ecs.models import ecs_backends
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.elbv2 import models as elbmodels
from moto.logs.models import logs_backends
from moto.logs.responses import LogsResponse
from moto.moto_api._internal import mock_random

_lock = threading.RLock()  # moto's server answers requests on threads


# The shell words.

def script_of(command):
    """The script a container command runs: SCRIPT of `sh -c SCRIPT`, else
    the words themselves."""
    command = list(command or [])
    if len(command) >= 3 and command[0].rsplit("/", 1)[-1] in ("sh", "bash") and command[1] == "-c":
        return command[2]
    return " ".join(shlex.quote(w) for w in command)


def _commands(script):
    """(connector, words) for each command of script; the connector is
    what came before it: None, "&&", "||" or ";"."""
    lex = shlex.shlex(script, posix=True, punctuation_chars=";&|\n")
    lex.whitespace_split = True
    lex.whitespace = " \t\r"
    out, words, connector = [], [], None
    try:
        tokens = list(lex)
    except ValueError:  # unbalanced quotes: sh's syntax error
        return [(None, ["exit", "2"])]
    for token in tokens:
        if token and all(ch in ";&|\n" for ch in token):
            if words:
                out.append((connector, words))
            words = []
            connector = "&&" if token == "&&" else "||" if token == "||" else ";"
            continue
        words.append(token)
    if words:
        out.append((connector, words))
    return out


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _seconds(word):
    if word == "infinity":
        return math.inf
    unit = 1
    if word[-1:] in _UNITS:
        word, unit = word[:-1], _UNITS[word[-1]]
    value = float(word)
    if value < 0 or math.isnan(value):
        raise ValueError(word)
    return value * unit


def run_script(script, since=0.0):
    """Runs script on a clock that starts `since` seconds after the task
    started: its (seconds after the start, line) echoes, the seconds after
    the start at which it ends (math.inf for ever), and its exit code."""
    t, status, lines = since, 0, []
    for connector, words in _commands(script):
        if (connector == "&&" and status != 0) or (connector == "||" and status == 0):
            continue
        name, args = words[0], words[1:]
        if name == "echo":
            lines.append((t, " ".join(args)))
            status = 0
        elif name == "exit":
            try:
                return lines, t, (int(args[0]) % 256) if args else status
            except ValueError:
                return lines, t, 2
        elif name == "sleep":
            try:
                if not args:
                    raise ValueError("sleep: missing operand")
                t, status = t + sum(_seconds(a) for a in args), 0
            except ValueError:
                status = 1
            if t == math.inf:
                return lines, t, None
        elif name == "true":
            status = 0
        elif name == "false":
            status = 1
        elif name == "healthy-for":
            try:
                status = 0 if t < _seconds(args[0]) else 1
            except (ValueError, IndexError):
                status = 2
        else:
            status = 0
    return lines, t, status


def health_script(definition):
    """The script of a container definition's health check, or None."""
    command = (definition.get("healthCheck") or {}).get("command") or []
    if not command or command[0] == "NONE":
        return None
    if command[0] == "CMD-SHELL":
        return " ".join(command[1:])
    if command[0] == "CMD":
        return script_of(command[1:])
    return script_of(command)


# Tasks.

class Container:
    def __init__(self, task, definition, command):
        self.name = definition["name"]
        self.image = definition.get("image", "")
        self.essential = definition.get("essential", True) is not False
        self.definition = definition
        self.arn = f"{task.arn.replace(':task/', ':container/')}/{mock_random.uuid4()}"
        self.runtime_id = f"{task.id}-{mock_random.get_random_hex(10)}"
        self.lines, self.end, self.code = run_script(script_of(command))
        self.logged = 0
        self.exit_code = None  # set when stopped
        self.stopped = False
        self.health_script = health_script(definition)
        self.health = "UNKNOWN"

    def log_until(self, task, until):
        """Writes the lines the container printed before `until` (seconds
        after the task started)."""
        fresh = [(t, line) for t, line in self.lines[self.logged:] if t <= until]
        if not fresh:
            return
        self.logged += len(fresh)
        log = self.definition.get("logConfiguration") or {}
        if log.get("logDriver") == "awslogs":
            _write_log(task, log.get("options") or {}, self.name, fresh)

    def stop(self, task, at, code):
        self.log_until(task, at)
        self.stopped, self.exit_code = True, code


def _write_log(task, options, container, lines):
    group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
    if not group or not prefix:
        return
    backend = logs_backends[task.account][options.get("awslogs-region") or task.region]
    if group not in backend.groups:
        backend.create_log_group(group, {})
    stream = f"{prefix}/{container}/{task.id}"
    if stream not in backend.groups[group].streams:
        backend.create_log_stream(group, stream)
    events = [{"timestamp": int((task.created + t) * 1000), "message": line} for t, line in lines]
    for i in range(1, len(events)):  # distinct, in order
        events[i]["timestamp"] = max(events[i]["timestamp"], events[i - 1]["timestamp"] + 1)
    backend.put_log_events(group, stream, events)


class Task:
    def __init__(self, backend, cluster, td, request):
        self.account, self.region = backend.account_id, backend.region_name
        self.id = mock_random.get_random_hex(32)
        self.cluster = cluster
        self.arn = f"arn:aws:ecs:{self.region}:{self.account}:task/{cluster.name}/{self.id}"
        self.td = td
        self.created = time.time()
        self.request = request
        self.describes = 0
        self.stopped_at = None
        self.stopped_reason = self.stop_code = None
        overrides = {o.get("name"): o for o in (request.get("overrides") or {}).get("containerOverrides") or []}
        self.containers = [Container(self, cd, (overrides.get(cd["name"]) or {}).get("command") or cd.get("command") or [])
                           for cd in td.container_definitions]
        self.attachment = None
        self.ip = None
        subnets = ((request.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get("subnets") or []
        subnet = _subnet(self.account, self.region, subnets[0]) if subnets else None
        self.zone = getattr(subnet, "availability_zone", None) or self.region + "a"
        if td.network_mode == "awsvpc":
            self.ip = _free_address(backend, subnet)
            self.attachment = {
                "id": str(mock_random.uuid4()), "type": "ElasticNetworkInterface", "status": "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": subnets[0]},
                    {"name": "networkInterfaceId", "value": "eni-" + mock_random.get_random_hex(17)},
                    {"name": "macAddress", "value": ":".join(["0a"] + [mock_random.get_random_hex(2) for _ in range(5)])},
                    {"name": "privateDnsName", "value": f"ip-{self.ip.replace('.', '-')}.{_dns_suffix(self.region)}"},
                    {"name": "privateIPv4Address", "value": self.ip},
                ]}

    @property
    def essential(self):
        return [c for c in self.containers if c.essential] or self.containers

    def advance(self, now=None):
        """Brings the task to what it is at `now` (wall time)."""
        if self.stopped_at is not None:
            return
        at = (time.time() if now is None else now) - self.created
        for c in self.containers:
            if not c.stopped:
                c.log_until(self, min(at, c.end))
        ends = min(c.end for c in self.essential)
        if ends <= at:
            for c in self.containers:
                if not c.stopped:
                    c.stop(self, ends, c.code if c.end <= ends else 137)
            self._stop(self.created + ends, "Essential container in task exited", "EssentialContainerExited")
            return
        for c in self.containers:
            if not c.stopped and c.end <= at:
                c.stop(self, c.end, c.code)

    def stop_now(self, reason):
        self.advance()
        if self.stopped_at is not None:
            return
        now = time.time()
        for c in self.containers:
            if not c.stopped:
                c.stop(self, now - self.created, 137)
        self._stop(now, reason or "Task stopped by user", "UserInitiated")

    def _stop(self, at, reason, code):
        self.stopped_at, self.stopped_reason, self.stop_code = at, reason, code
        if self.attachment:
            self.attachment["status"] = "DELETED"

    def check_health(self):
        """One DescribeTasks' worth of health checks."""
        self.describes += 1
        elapsed = time.time() - self.created
        for c in self.containers:
            if c.health_script is None or c.stopped or self.stopped_at is not None:
                continue
            if self.describes == 1:
                c.health = "UNKNOWN"
            else:
                c.health = "HEALTHY" if run_script(c.health_script, since=elapsed)[2] == 0 else "UNHEALTHY"

    @property
    def health(self):
        checked = [c for c in self.essential if c.health_script is not None]
        if any(c.health == "UNHEALTHY" for c in checked):
            return "UNHEALTHY"
        if checked and all(c.health == "HEALTHY" for c in checked):
            return "HEALTHY"
        return "UNKNOWN"

    @property
    def last_status(self):
        return "STOPPED" if self.stopped_at is not None else "RUNNING"

    @property
    def family(self):
        return self.td.family

    @property
    def launch_type(self):
        return self._launch()[0]

    def _launch(self):
        """The launch type and capacity provider."""
        if self.request.get("launchType"):
            return self.request["launchType"], None
        strategy = self.request.get("capacityProviderStrategy") or getattr(self.cluster, "default_capacity_provider_strategy", None) or []
        if strategy:
            provider = max(strategy, key=lambda s: (s.get("base") or 0, s.get("weight") or 0))["capacityProvider"]
            return ("FARGATE" if provider in ("FARGATE", "FARGATE_SPOT") else "EC2"), provider
        return "EC2", None

    def answer(self, tags=True, started=False):
        """The task as the ECS API answers it; `started` for RunTask's."""
        launch, provider = self._launch()
        r = self.request
        task = {
            "taskArn": self.arn, "clusterArn": self.cluster.arn, "taskDefinitionArn": self.td.arn,
            "lastStatus": "PROVISIONING" if started else self.last_status,
            "desiredStatus": "STOPPED" if self.stopped_at is not None and not started else "RUNNING",
            "createdAt": self.created, "group": r.get("group") or f"family:{self.td.family}",
            "launchType": launch, "availabilityZone": self.zone,
            "enableExecuteCommand": bool(r.get("enableExecuteCommand")),
            "overrides": r.get("overrides") or {"containerOverrides": [], "inferenceAcceleratorOverrides": []},
            "healthStatus": "UNKNOWN" if started else self.health,
            "attachments": [dict(self.attachment, status="PRECREATED" if started else self.attachment["status"])] if self.attachment else [],
            "containers": [],
            "version": 1 if started else (3 if self.stopped_at is not None else 2),
        }
        if provider:
            task["capacityProviderName"] = provider
        if launch == "FARGATE":
            version = r.get("platformVersion") or "LATEST"
            task["platformVersion"] = "1.4.0" if version == "LATEST" else version
        elif r.get("platformVersion"):
            task["platformVersion"] = r["platformVersion"]
        for key in ("cpu", "memory"):
            value = ((r.get("overrides") or {}).get(key)) or getattr(self.td, key, None)
            if value:
                task[key] = str(value)
        if r.get("startedBy"):
            task["startedBy"] = r["startedBy"]
        if tags and r.get("tags"):
            task["tags"] = r["tags"]
        if not started:
            task["startedAt"] = self.created
            task["connectivity"], task["connectivityAt"] = "CONNECTED", self.created
        if self.stopped_at is not None and not started:
            task.update(stoppedAt=self.stopped_at, stoppingAt=self.stopped_at, executionStoppedAt=self.stopped_at,
                        stoppedReason=self.stopped_reason, stopCode=self.stop_code)
        for c in self.containers:
            cd = c.definition
            container = {"containerArn": c.arn, "taskArn": self.arn, "name": c.name, "image": c.image,
                         "lastStatus": "PENDING" if started else ("STOPPED" if c.stopped else "RUNNING"),
                         "healthStatus": "UNKNOWN" if started else c.health, "cpu": str(cd.get("cpu") or 0)}
            if not started:
                container["runtimeId"] = c.runtime_id
            for key in ("memory", "memoryReservation"):
                if cd.get(key) is not None:
                    container[key] = str(cd[key])
            if c.stopped and not started:
                container["exitCode"] = c.exit_code
            if self.attachment:
                container["networkInterfaces"] = [{"attachmentId": self.attachment["id"], "privateIpv4Address": self.ip}]
            if r.get("enableExecuteCommand"):
                container["managedAgents"] = [{"name": "ExecuteCommandAgent",
                                               "lastStatus": "PENDING" if started else ("STOPPED" if c.stopped else "RUNNING")}]
            task["containers"].append(container)
        return task


def _subnet(account, region, subnet_id):
    try:
        return ec2_backends[account][region].get_subnet(subnet_id)
    except Exception:
        return None


def _dns_suffix(region):
    return "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"


def tasks_of(backend):
    """The launcher's tasks of one ECS backend (an account and region), by
    ARN; moto's reset drops them with the backend."""
    if not hasattr(backend, "_tamp_tasks"):
        backend._tamp_tasks = {}
    return backend._tamp_tasks


def _free_address(backend, subnet):
    used = {t.ip for t in tasks_of(backend).values() if t.ip}
    if subnet is not None:
        network = ipaddress.ip_network(subnet.cidr_block, strict=False)
        for i, host in enumerate(network.hosts()):
            # AWS keeps the first four addresses and the last (which
            # hosts() leaves out with the first).
            if i >= 3 and str(host) not in used:
                return str(host)
    for host in ipaddress.ip_network("10.200.0.0/16").hosts():
        if host.packed[-1] >= 4 and str(host) not in used:
            return str(host)
    raise ecsmodels.InvalidParameterException("No free IP address for the task's network interface.")


def _find(backend, cluster, ref):
    """The launcher task that ref (an ARN or task ID) names in cluster."""
    task_id = (ref or "").split("/")[-1]
    for task in tasks_of(backend).values():
        if task.id == task_id and task.cluster.name == cluster.name and ref in (task.arn, task.id, f"{cluster.name}/{task.id}"):
            return task
    return None


def advance_all(backend):
    now = time.time()
    for task in tasks_of(backend).values():
        task.advance(now)


# ECS operations.

_RUN_PARAMS = ("overrides", "startedBy", "tags", "launchType", "capacityProviderStrategy", "networkConfiguration",
               "group", "platformVersion", "enableExecuteCommand", "propagateTags", "referenceId")


def run_task(self):
    with _lock:
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        td = backend.describe_task_definition(self._get_param("taskDefinition"))
        request = {k: self._get_param(k) for k in _RUN_PARAMS}
        awsvpc = (request.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
        if td.network_mode == "awsvpc" and not awsvpc.get("subnets"):
            raise ecsmodels.InvalidParameterException(
                "Network Configuration must be provided when networkMode 'awsvpc' is specified.")
        started = []
        for _ in range(self._get_param("count") or 1):
            task = Task(backend, cluster, td, request)
            tasks_of(backend)[task.arn] = task
            task.advance(task.created)  # lines before the first sleep
            started.append(task.answer(started=True))
        return json.dumps({"tasks": started, "failures": []})


_describe_tasks = EC2ContainerServiceResponse.describe_tasks


def describe_tasks(self):
    with _lock:
        backend = self.ecs_backend
        refs = self._get_param("tasks") or []
        if not tasks_of(backend):
            return _describe_tasks(self)
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        found = {ref: _find(backend, cluster, ref) for ref in refs}
        if refs and not any(found.values()):
            return _describe_tasks(self)
        tags = "TAGS" in (self._get_param("include") or [])
        answers = []
        for task in found.values():
            if task is not None:
                task.advance()
                task.check_health()
                answers.append(task.answer(tags=tags))
        return json.dumps({"tasks": answers, "failures": [{"arn": ref, "reason": "MISSING"} for ref, t in found.items() if t is None]})


_stop_task = EC2ContainerServiceResponse.stop_task


def stop_task(self):
    with _lock:
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        task = _find(backend, cluster, self._get_param("task"))
        if task is None:
            try:
                return _stop_task(self)
            except ecsmodels.ECSException:
                raise
            except Exception:
                # moto raises a bare Exception (HTTP 500) for a task it lacks.
                raise ecsmodels.InvalidParameterException("The referenced task was not found.")
        task.stop_now(self._get_param("reason"))
        return json.dumps({"task": task.answer()})


def list_tasks(self):
    with _lock:
        backend = self.ecs_backend
        cluster_ref = self._get_param("cluster", "default")
        family = self._get_param("family")
        started_by = self._get_param("startedBy")
        service = self._get_param("serviceName")
        instance = self._get_param("containerInstance")
        launch_type = self._get_param("launchType")
        desired = self._get_param("desiredStatus") or "RUNNING"
        theirs = backend.list_tasks(cluster_ref, instance, family, started_by, service, desired)
        cluster = backend._get_cluster(cluster_ref)
        arns = [t.task_arn for t in theirs if not launch_type or getattr(t, "launch_type", None) == launch_type]
        if not service and not instance:
            advance_all(backend)
            for task in tasks_of(backend).values():
                if task.cluster.name != cluster.name or (family and task.family != family):
                    continue
                if started_by and task.request.get("startedBy") != started_by:
                    continue
                if launch_type and task.launch_type != launch_type:
                    continue
                if ("STOPPED" if task.stopped_at is not None else "RUNNING") == desired:
                    arns.append(task.arn)
        return json.dumps({"taskArns": arns})


# CloudWatch Logs: the lines a running container printed by now.

def _advancing(respond):
    def answer(self):
        with _lock:
            for backend in list(ecs_backends[self.current_account].values()):
                advance_all(backend)
        return respond(self)
    return answer


# ELBv2 target health.

_register = elbmodels.FakeTargetGroup.register
_health_for = elbmodels.FakeTargetGroup.health_for


def register(self, targets):
    with _lock:
        _register(self, targets)
        seen = self.__dict__.setdefault("_tamp_describes", {})
        for target in targets:
            seen[target["Id"]] = 0


def _task_at(account, region, address):
    for task in tasks_of(ecs_backends[account][region]).values():
        if task.ip == address:
            return task
    return None


def _status(group, target_id, port, state, reason=None, description=None):
    return elbmodels.FakeHealthStatus(target_id, port, group.health_check_port, state, reason, description)


def health_for(self, target, ec2_backend):
    with _lock:
        registered = self.targets.get(target["Id"])
        task = registered and _task_at(self.account_id, self.region_name, target["Id"])
        if not task:
            return _health_for(self, target, ec2_backend)
        port = registered["Port"]
        if target.get("Port") is not None and str(target["Port"]) != str(port):
            return _status(self, target["Id"], target["Port"], "unused", "Target.NotRegistered",
                           "Target is not registered to the target group")
        seen = self.__dict__.setdefault("_tamp_describes", {})
        seen[target["Id"]] = seen.get(target["Id"], 0) + 1
        if not self.load_balancer_arns:
            return _status(self, target["Id"], port, "unused", "Target.NotInUse",
                           "Target group is not configured to receive traffic from the load balancer")
        if seen[target["Id"]] == 1:
            return _status(self, target["Id"], port, "initial", "Elb.RegistrationInProgress",
                           "Target registration is in progress")
        task.advance()
        if task.stopped_at is not None:
            return _status(self, target["Id"], port, "unhealthy", "Target.FailedHealthChecks", "Health checks failed")
        if any("unreachable" in c.image.rsplit(":", 1)[-1] for c in task.essential if ":" in c.image):
            return _status(self, target["Id"], port, "unhealthy", "Target.Timeout", "Request timed out")
        return _status(self, target["Id"], port, "healthy")


def install():
    EC2ContainerServiceResponse.run_task = run_task
    EC2ContainerServiceResponse.describe_tasks = describe_tasks
    EC2ContainerServiceResponse.stop_task = stop_task
    EC2ContainerServiceResponse.list_tasks = list_tasks
    LogsResponse.get_log_events = _advancing(LogsResponse.get_log_events)
    LogsResponse.filter_log_events = _advancing(LogsResponse.filter_log_events)
    elbmodels.FakeTargetGroup.register = register
    elbmodels.FakeTargetGroup.health_for = health_for
