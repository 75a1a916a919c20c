package ecs

import (
	"fmt"
	"strings"
	"testing"
)

// wantProblems checks that errs are exactly the problems in want, in
// order, each naming file.
func wantProblems(t *testing.T, file string, errs []error, want []string) {
	t.Helper()
	if len(errs) != len(want) {
		t.Fatalf("got %d problems %q, want %d %q", len(errs), errs, len(want), want)
	}
	for i, w := range want {
		if e := errs[i].Error(); !strings.HasPrefix(e, file+": ") || !strings.Contains(e, w) {
			t.Errorf("problem %d = %q, want it to name %s and contain %q", i, e, file, w)
		}
	}
}

// ec2 is a task definition of one container c on EC2 (bridge).
func ec2(c string) string {
	return `{"family":"f","containerDefinitions":[` + c + `]}`
}

// fargate is a Fargate task definition with task-level fields top (cpu
// and memory among them) and containers cs.
func fargate(top string, cs ...string) string {
	return `{"family":"f","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc",` + top +
		`,"containerDefinitions":[` + strings.Join(cs, ",") + `]}`
}

// fargateSized is fargate with cpu and memory.
func fargateSized(cpu, memory string) string {
	return fargate(fmt.Sprintf(`"cpu":%q,"memory":%q`, cpu, memory), app)
}

const (
	app     = `{"name":"app","image":"app:1"}`
	app128  = `{"name":"app","image":"app:1","memory":128}`
	fg      = `"cpu":"256","memory":"512"`
	awslogs = `"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/app","awslogs-stream-prefix":"app"}}`
)

// Each documented constraint of RegisterTaskDefinition that can be
// checked offline: a row that AWS takes and a row that it refuses.
func TestValidateTaskDefinitionConstraints(t *testing.T) {
	tests := []struct {
		name string
		js   string
		want []string // empty: valid
	}{
		// Names.
		{"family of letters, digits, _ and -", `{"family":"my_app-2","containerDefinitions":[` + app128 + `]}`, nil},
		{"family with a space", `{"family":"my app","containerDefinitions":[` + app128 + `]}`, []string{`family: "my app": a family is 1 to 255 letters`}},
		{"family of 256 characters", `{"family":"` + strings.Repeat("f", 256) + `","containerDefinitions":[` + app128 + `]}`, []string{`family: "fff`}},
		{"container name with a dot", ec2(`{"name":"web.app","image":"i","memory":128}`), []string{`containerDefinitions[0].name: "web.app": a container name is 1 to 255`}},
		{"volume name with a slash", `{"family":"f","volumes":[{"name":"a/b"}],"containerDefinitions":[` + app128 + `]}`, []string{`volumes[0].name: "a/b": a volume name`}},

		// Images.
		{"image by ECR digest", ec2(`{"name":"a","image":"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app@sha256:` + strings.Repeat("ab", 32) + `","memory":128}`), nil},
		{"image with a space", ec2(`{"name":"a","image":"app: 1","memory":128}`), []string{`containerDefinitions[0].image: "app: 1": an image is letters`}},
		{"image digest too short", ec2(`{"name":"a","image":"app@sha256:abc","memory":128}`), []string{`containerDefinitions[0].image: "app@sha256:abc": a digest is sha256:`}},
		{"image of 256 characters", ec2(`{"name":"a","image":"` + strings.Repeat("a", 256) + `","memory":128}`), []string{`containerDefinitions[0].image: is 256 characters`}},

		// Container memory against the task's.
		{"task memory only", `{"family":"f","memory":"512","containerDefinitions":[` + app + `]}`, nil},
		{"memoryReservation only", ec2(`{"name":"a","image":"i","memoryReservation":64}`), nil},
		{"no memory anywhere", ec2(app), []string{`containerDefinitions[0].memory: the task sets no memory, so each container needs memory or memoryReservation`}},
		{"memoryReservation equal to memory", ec2(`{"name":"a","image":"i","memory":128,"memoryReservation":128}`), nil},
		{"memoryReservation above memory", ec2(`{"name":"a","image":"i","memory":128,"memoryReservation":256}`),
			[]string{`containerDefinitions[0].memoryReservation: 256 MiB is more than memory (128 MiB)`}},
		{"negative memory", `{"family":"f","memory":"512","containerDefinitions":[{"name":"a","image":"i","memory":-1}]}`,
			[]string{`containerDefinitions[0].memory: -1 is negative`}},
		{"container memory equal to the task's", `{"family":"f","memory":"512","containerDefinitions":[{"name":"a","image":"i","memory":512}]}`, nil},
		{"container memory above the task's", `{"family":"f","memory":"512","containerDefinitions":[{"name":"a","image":"i","memory":1024,"memoryReservation":256}]}`,
			[]string{`containerDefinitions[0].memory: 1024 MiB is more than the task's memory (512 MiB)`}},
		{"reservations above the task's memory", `{"family":"f","memory":"0.5 GB","containerDefinitions":[{"name":"a","image":"i","memoryReservation":300},{"name":"b","image":"i","memory":300}]}`,
			[]string{`containerDefinitions: the containers reserve 600 MiB (memoryReservation, else memory), more than the task's memory (512 MiB)`}},
		{"Windows: ECS ignores task-level sizes", `{"family":"f","cpu":"1024","memory":"512","runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2022_CORE"},"containerDefinitions":[{"name":"a","image":"i","cpu":2048,"memory":1024}]}`, nil},

		// Container cpu against the task's.
		{"container cpu equal to the task's", `{"family":"f","cpu":"1 vCPU","memory":"512","containerDefinitions":[{"name":"a","image":"i","cpu":1024}]}`, nil},
		{"container cpu above the task's", `{"family":"f","cpu":"512","memory":"512","containerDefinitions":[{"name":"a","image":"i","cpu":256},{"name":"b","image":"i","cpu":512}]}`,
			[]string{`containerDefinitions: the containers' cpu adds up to 768, more than the task's cpu (512)`}},
		{"negative container cpu", ec2(`{"name":"a","image":"i","memory":128,"cpu":-2}`), []string{`containerDefinitions[0].cpu: -2 is negative`}},

		// Task cpu off Fargate.
		{"EC2 task of 192 vCPU", `{"family":"f","cpu":"192 vCPU","containerDefinitions":[` + app128 + `]}`, nil},
		{"EC2 task below 128 units", `{"family":"f","cpu":"64","containerDefinitions":[` + app128 + `]}`, []string{`cpu: 64 is out of range; a task on EC2 or external instances takes 128 to 196608`}},

		// Fargate task sizes, 8 and 16 vCPU included.
		{"Fargate 256/512", fargateSized("256", "512"), nil},
		{"Fargate 256/2048", fargateSized("256", "2 GB"), nil},
		{"Fargate 256/4096", fargateSized("256", "4096"), []string{`memory: Fargate has no task with cpu 256 and memory 4096; with cpu 256 use memory 512, 1024 or 2048 (MiB)`}},
		{"Fargate 512/4096", fargateSized("512", "4096"), nil},
		{"Fargate 512/5120", fargateSized("512", "5120"), []string{`memory: Fargate has no task with cpu 512 and memory 5120; with cpu 512 use memory 1024 to 4096 in steps of 1024`}},
		{"Fargate 1024/8192", fargateSized("1 vCPU", "8 GB"), nil},
		{"Fargate 1024/1024", fargateSized("1024", "1024"), []string{`with cpu 1024 use memory 2048 to 8192`}},
		{"Fargate 2048/16384", fargateSized("2048", "16384"), nil},
		{"Fargate 4096/30720", fargateSized("4096", "30720"), nil},
		{"Fargate 4096/31744", fargateSized("4096", "31744"), []string{`with cpu 4096 use memory 8192 to 30720 in steps of 1024`}},
		{"Fargate 8 vCPU/16 GB", fargateSized("8 vCPU", "16 GB"), nil},
		{"Fargate 8 vCPU/60 GB", fargateSized("8192", "61440"), nil},
		{"Fargate 8 vCPU/18 GB", fargateSized("8192", "18432"), []string{`with cpu 8192 use memory 16384 to 61440 in steps of 4096`}},
		{"Fargate 16 vCPU/32 GB", fargateSized("16 vCPU", "32 GB"), nil},
		{"Fargate 16 vCPU/120 GB", fargateSized("16384", "122880"), nil},
		{"Fargate 16 vCPU/36 GB", fargateSized("16384", "36864"), []string{`with cpu 16384 use memory 32768 to 122880 in steps of 8192`}},
		{"Fargate cpu 3072", fargateSized("3072", "8192"), []string{`memory: Fargate has no task with cpu 3072; use one of 256, 512, 1024, 2048, 4096, 8192, 16384`}},
		{"Windows on Fargate below 1 vCPU", fargate(`"cpu":"512","memory":"1024","runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2019_CORE"}`, app),
			[]string{`cpu: 512: Windows containers on Fargate need at least 1 vCPU`}},
		{"ARM on Fargate", fargate(`"cpu":"1024","memory":"2048","runtimePlatform":{"cpuArchitecture":"ARM64","operatingSystemFamily":"LINUX"}`, app), nil},

		// What Fargate does not take.
		{"Fargate pidMode task", fargate(fg+`,"pidMode":"task"`, app), nil},
		{"Fargate pidMode host", fargate(fg+`,"pidMode":"host"`, app), []string{`pidMode: "host": on Fargate the only pidMode is "task"`}},
		{"Fargate ipcMode", fargate(fg+`,"ipcMode":"task"`, app), []string{`ipcMode: Fargate takes no ipcMode`}},
		{"Fargate placement constraints", fargate(fg+`,"placementConstraints":[{"type":"memberOf","expression":"attribute:x == y"}]`, app), []string{`placementConstraints: Fargate takes no placement constraints`}},
		{"Fargate Docker volume", fargate(fg+`,"volumes":[{"name":"v","dockerVolumeConfiguration":{"driver":"local"}}]`, app), []string{`volumes[0].dockerVolumeConfiguration: Fargate does not run Docker volumes`}},
		{"Fargate bind mount", fargate(fg+`,"volumes":[{"name":"v","host":{}}]`, `{"name":"app","image":"i","mountPoints":[{"sourceVolume":"v","containerPath":"/data"}]}`), nil},
		{"Fargate host path", fargate(fg+`,"volumes":[{"name":"v","host":{"sourcePath":"/var"}}]`, app), []string{`volumes[0].host.sourcePath: Fargate has no host paths`}},
		{"Fargate privileged", fargate(fg, `{"name":"a","image":"i","privileged":true}`), []string{`containerDefinitions[0].privileged: Fargate does not run privileged containers`}},
		{"Fargate privileged false", fargate(fg, `{"name":"a","image":"i","privileged":false}`), nil},
		{"Fargate security options", fargate(fg, `{"name":"a","image":"i","dockerSecurityOptions":["no-new-privileges"]}`), []string{`containerDefinitions[0].dockerSecurityOptions: are not valid on Fargate`}},
		{"Fargate devices", fargate(fg, `{"name":"a","image":"i","linuxParameters":{"devices":[{"hostPath":"/dev/fuse"}]}}`), []string{`containerDefinitions[0].linuxParameters.devices: Fargate exposes no host devices`}},
		{"Fargate shared memory", fargate(fg, `{"name":"a","image":"i","linuxParameters":{"sharedMemorySize":64}}`), []string{`containerDefinitions[0].linuxParameters.sharedMemorySize: is not supported on Fargate`}},
		{"Fargate adds SYS_PTRACE", fargate(fg, `{"name":"a","image":"i","linuxParameters":{"capabilities":{"add":["SYS_PTRACE"],"drop":["NET_RAW"]},"initProcessEnabled":true}}`), nil},
		{"Fargate adds NET_ADMIN", fargate(fg, `{"name":"a","image":"i","linuxParameters":{"capabilities":{"add":["NET_ADMIN"]}}}`), []string{`containerDefinitions[0].linuxParameters.capabilities.add[0]: "NET_ADMIN": Fargate only adds SYS_PTRACE`}},
		{"Fargate stopTimeout 120", fargate(fg, `{"name":"a","image":"i","stopTimeout":120,"startTimeout":2}`), nil},
		{"Fargate stopTimeout 121", fargate(fg, `{"name":"a","image":"i","stopTimeout":121}`), []string{`containerDefinitions[0].stopTimeout: 121 is out of range; use 2 to 120 seconds on Fargate`}},
		{"EC2 stopTimeout 600", ec2(`{"name":"a","image":"i","memory":128,"stopTimeout":600}`), nil},
		{"Fargate FireLens from S3", fargate(fg, `{"name":"log","image":"fluent-bit","firelensConfiguration":{"type":"fluentbit","options":{"config-file-type":"s3","config-file-value":"arn:aws:s3:::b/f.conf"}}}`),
			[]string{`containerDefinitions[0].firelensConfiguration.options["config-file-type"]: "s3": Fargate reads a FireLens configuration from a file`}},

		// Log drivers and their options.
		{"awslogs on Fargate", fargate(fg, `{"name":"a","image":"i",`+awslogs+`}`), nil},
		{"awslogs on Fargate without a stream prefix", fargate(fg, `{"name":"a","image":"i","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g"}}}`),
			[]string{`containerDefinitions[0].logConfiguration.options["awslogs-stream-prefix"]: is required by the awslogs driver on Fargate`}},
		{"awslogs on EC2 without a stream prefix", ec2(`{"name":"a","image":"i","memory":128,"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g"}}}`), nil},
		{"awslogs without a group", ec2(`{"name":"a","image":"i","memory":128,"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-region":"us-east-1"}}}`),
			[]string{`containerDefinitions[0].logConfiguration.options["awslogs-group"]: is required by the awslogs driver`}},
		{"json-file on Fargate", fargate(fg, `{"name":"a","image":"i","logConfiguration":{"logDriver":"json-file"}}`),
			[]string{`containerDefinitions[0].logConfiguration.logDriver: "json-file" does not run on Fargate; use awslogs, splunk or awsfirelens`}},
		{"json-file on EC2", ec2(`{"name":"a","image":"i","memory":128,"logConfiguration":{"logDriver":"json-file","options":{"max-size":"10m"}}}`), nil},
		{"mode non-blocking", ec2(`{"name":"a","image":"i","memory":128,"logConfiguration":{"logDriver":"json-file","options":{"mode":"non-blocking","max-buffer-size":"4m"}}}`), nil},
		{"mode fast", ec2(`{"name":"a","image":"i","memory":128,"logConfiguration":{"logDriver":"json-file","options":{"mode":"fast"}}}`),
			[]string{`containerDefinitions[0].logConfiguration.options["mode"]: "fast": use blocking or non-blocking`}},
		{"splunk token as a secret", ec2(`{"name":"a","image":"i","memory":128,"logConfiguration":{"logDriver":"splunk","options":{"splunk-url":"https://splunk:8088"},"secretOptions":[{"name":"splunk-token","valueFrom":"arn:aws:ssm:us-east-1:123456789012:parameter/t"}]}}`), nil},
		{"splunk without a token", ec2(`{"name":"a","image":"i","memory":128,"logConfiguration":{"logDriver":"splunk","options":{"splunk-url":"https://splunk:8088"}}}`),
			[]string{`containerDefinitions[0].logConfiguration.options["splunk-token"]: is required by the splunk driver`}},
		{"awsfirelens with its log router", fargate(fg, `{"name":"log","image":"fluent-bit","firelensConfiguration":{"type":"fluentbit"}}`, `{"name":"a","image":"i","logConfiguration":{"logDriver":"awsfirelens","options":{"Name":"cloudwatch"}}}`), nil},
		{"awsfirelens without a log router", fargate(fg, `{"name":"a","image":"i","logConfiguration":{"logDriver":"awsfirelens"}}`),
			[]string{`containerDefinitions[0].logConfiguration.logDriver: awsfirelens sends logs to the task's FireLens log router, and no container has a firelensConfiguration`}},

		// Port mappings.
		{"bridge with a dynamic host port", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"containerPort":80,"hostPort":0},{"containerPort":53,"protocol":"udp","hostPort":5353}]}`), nil},
		{"container port 70000", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"containerPort":70000}]}`), []string{`containerDefinitions[0].portMappings[0].containerPort: 70000 is not a port; use 1 to 65535`}},
		{"negative host port", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"containerPort":80,"hostPort":-1}]}`), []string{`containerDefinitions[0].portMappings[0].hostPort: -1 is not a port`}},
		{"no port at all", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"protocol":"tcp"}]}`), []string{`containerDefinitions[0].portMappings[0].containerPort: is required (or containerPortRange)`}},
		{"ports under networkMode none", `{"family":"f","networkMode":"none","containerDefinitions":[{"name":"a","image":"i","memory":128,"portMappings":[{"containerPort":80}]}]}`,
			[]string{`containerDefinitions[0].portMappings: networkMode none takes no port mappings`}},
		{"host mode with another host port", `{"family":"f","networkMode":"host","containerDefinitions":[{"name":"a","image":"i","memory":128,"portMappings":[{"containerPort":80,"hostPort":8080}]}]}`,
			[]string{`containerDefinitions[0].portMappings[0].hostPort: under networkMode host the host port must equal the container port (80)`}},
		{"a port range under bridge", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"containerPortRange":"8000-8010"},{"containerPort":9000}]}`), nil},
		{"a port range backwards", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"containerPortRange":"9000-8000"}]}`),
			[]string{`containerDefinitions[0].portMappings[0].containerPortRange: "9000-8000": write first-last`}},
		{"a port range under host", `{"family":"f","networkMode":"host","containerDefinitions":[{"name":"a","image":"i","memory":128,"portMappings":[{"containerPortRange":"8000-8010"}]}]}`,
			[]string{`containerDefinitions[0].portMappings[0].containerPortRange: needs networkMode bridge or awsvpc, not "host"`}},
		{"a port range with a host port", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"containerPortRange":"8000-8010","hostPort":8000}]}`),
			[]string{`containerDefinitions[0].portMappings[0].hostPort: is chosen by ECS for a containerPortRange`}},
		{"one port for tcp and udp", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"containerPort":53},{"containerPort":53,"protocol":"udp"}]}`),
			[]string{`containerDefinitions[0].portMappings[1]: overlaps portMappings[0]; a container port is in one port mapping only, whatever the protocol`}},
		{"a port inside a range", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"containerPortRange":"8000-8010"},{"containerPort":8005}]}`),
			[]string{`containerDefinitions[0].portMappings[1]: overlaps portMappings[0]`}},
		{"port mapping name", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"containerPort":80,"name":"web_http-1"}]}`), nil},
		{"port mapping name in capitals", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"containerPort":80,"name":"Web"}]}`),
			[]string{`containerDefinitions[0].portMappings[0].name: "Web": a port mapping name is 1 to 64 lower-case`}},
		{"port mapping name starting with -", ec2(`{"name":"a","image":"i","memory":128,"portMappings":[{"containerPort":80,"name":"-web"}]}`),
			[]string{`containerDefinitions[0].portMappings[0].name: "-web"`}},

		// Health checks.
		{"health check at its bounds", ec2(`{"name":"a","image":"i","memory":128,"healthCheck":{"command":["CMD-SHELL","curl -f localhost || exit 1"],"interval":300,"timeout":2,"retries":10,"startPeriod":0}}`), nil},
		{"health check without CMD", ec2(`{"name":"a","image":"i","memory":128,"healthCheck":{"command":["curl","-f","localhost"]}}`),
			[]string{`containerDefinitions[0].healthCheck.command[0]: "curl": start the command with "CMD"`}},
		{"health check without a command", ec2(`{"name":"a","image":"i","memory":128,"healthCheck":{"interval":30}}`), []string{`containerDefinitions[0].healthCheck.command: is required`}},
		{"health check interval 4", ec2(`{"name":"a","image":"i","memory":128,"healthCheck":{"command":["CMD","true"],"interval":4}}`), []string{`healthCheck.interval: 4 is out of range; use 5 to 300 seconds`}},
		{"health check timeout 61", ec2(`{"name":"a","image":"i","memory":128,"healthCheck":{"command":["CMD","true"],"timeout":61}}`), []string{`healthCheck.timeout: 61 is out of range; use 2 to 60 seconds`}},
		{"health check retries 11", ec2(`{"name":"a","image":"i","memory":128,"healthCheck":{"command":["CMD","true"],"retries":11}}`), []string{`healthCheck.retries: 11 is out of range; use 1 to 10`}},
		{"health check startPeriod 301", ec2(`{"name":"a","image":"i","memory":128,"healthCheck":{"command":["CMD","true"],"startPeriod":301}}`), []string{`healthCheck.startPeriod: 301 is out of range; use 0 to 300 seconds`}},

		// Per network mode.
		{"links under bridge", ec2(`{"name":"a","image":"i","memory":128,"links":["b:db"]},{"name":"b","image":"i","memory":128}`), nil},
		{"links under awsvpc", `{"family":"f","networkMode":"awsvpc","memory":"512","containerDefinitions":[{"name":"a","image":"i","links":["b"]},{"name":"b","image":"i"}]}`,
			[]string{`containerDefinitions[0].links: links need networkMode bridge, not "awsvpc"`}},
		{"hostname under awsvpc", `{"family":"f","networkMode":"awsvpc","memory":"512","containerDefinitions":[{"name":"a","image":"i","hostname":"web"}]}`,
			[]string{`containerDefinitions[0].hostname: is not supported under networkMode awsvpc`}},
		{"extraHosts under awsvpc", `{"family":"f","networkMode":"awsvpc","memory":"512","containerDefinitions":[{"name":"a","image":"i","extraHosts":[{"hostname":"db","ipAddress":"10.0.0.1"}]}]}`,
			[]string{`containerDefinitions[0].extraHosts: are not supported under networkMode awsvpc`}},
		{"hostname and extraHosts under bridge", ec2(`{"name":"a","image":"i","memory":128,"hostname":"web","extraHosts":[{"hostname":"db","ipAddress":"10.0.0.1"}]}`), nil},

		// References inside the task.
		{"COMPLETE on a non-essential container", ec2(`{"name":"a","image":"i","memory":128,"dependsOn":[{"containerName":"init","condition":"COMPLETE"}]},{"name":"init","image":"i","memory":64,"essential":false}`), nil},
		{"SUCCESS on an essential container", ec2(`{"name":"a","image":"i","memory":128,"dependsOn":[{"containerName":"init","condition":"SUCCESS"}]},{"name":"init","image":"i","memory":64}`),
			[]string{`containerDefinitions[0].dependsOn[0].condition: SUCCESS waits for "init" to exit, but it is essential`}},
		{"HEALTHY without a health check", ec2(`{"name":"a","image":"i","memory":128,"dependsOn":[{"containerName":"db","condition":"HEALTHY"}]},{"name":"db","image":"i","memory":64}`),
			[]string{`containerDefinitions[0].dependsOn[0].condition: HEALTHY needs a healthCheck on container "db"`}},
		{"volumesFrom a missing container", ec2(`{"name":"a","image":"i","memory":128,"volumesFrom":[{"sourceContainer":"data"}]}`),
			[]string{`containerDefinitions[0].volumesFrom[0].sourceContainer: no container named "data"`}},
		{"mounting a missing volume", `{"family":"f","volumes":[{"name":"cache"}],"containerDefinitions":[{"name":"a","image":"i","memory":128,"mountPoints":[{"sourceVolume":"data","containerPath":"/d"}]}]}`,
			[]string{`containerDefinitions[0].mountPoints[0].sourceVolume: no volume named "data"`}},
		{"proxy of a missing container", `{"family":"f","proxyConfiguration":{"type":"APPMESH","containerName":"envoy"},"containerDefinitions":[` + app128 + `]}`,
			[]string{`proxyConfiguration.containerName: no container named "envoy"`}},

		// Counts and sizes.
		{"eleven environment files", ec2(`{"name":"a","image":"i","memory":128,"environmentFiles":[` + strings.TrimSuffix(strings.Repeat(`{"value":"arn:aws:s3:::b/a.env","type":"s3"},`, 11), ",") + `]}`),
			[]string{`containerDefinitions[0].environmentFiles: 11 files; a container takes at most 10`}},
		{"two credential specs", ec2(`{"name":"a","image":"i","memory":128,"credentialSpecs":["credentialspec:arn:a","credentialspec:arn:b"]}`),
			[]string{`containerDefinitions[0].credentialSpecs: 2 credential specs; a container takes at most 1`}},
		{"ephemeral storage of 200 GiB", fargate(fg+`,"ephemeralStorage":{"sizeInGiB":200}`, app), nil},
		{"ephemeral storage of 20 GiB", fargate(fg+`,"ephemeralStorage":{"sizeInGiB":20}`, app), []string{`ephemeralStorage.sizeInGiB: 20 is out of range; use 21 to 200 (GiB)`}},
		{"eleven placement constraints", `{"family":"f","placementConstraints":[` + strings.TrimSuffix(strings.Repeat(`{"type":"memberOf","expression":"attribute:a == b"},`, 11), ",") + `],"containerDefinitions":[` + app128 + `]}`,
			[]string{`placementConstraints: 11 constraints; a task takes at most 10`}},

		// Required members of nested shapes.
		{"a secret without valueFrom", ec2(`{"name":"a","image":"i","memory":128,"secrets":[{"name":"DB_PASSWORD"}]}`), []string{`containerDefinitions[0].secrets[0].valueFrom: is required`}},
		{"a dependency without a condition", ec2(`{"name":"a","image":"i","memory":128,"dependsOn":[{"containerName":"b"}]},{"name":"b","image":"i","memory":128}`),
			[]string{`containerDefinitions[0].dependsOn[0].condition: is required`}},
		{"log options without a driver", ec2(`{"name":"a","image":"i","memory":128,"logConfiguration":{"options":{"awslogs-group":"g"}}}`), []string{`containerDefinitions[0].logConfiguration.logDriver: is required`}},
		{"EFS without a file system", `{"family":"f","volumes":[{"name":"v","efsVolumeConfiguration":{"rootDirectory":"/"}}],"containerDefinitions":[` + app128 + `]}`,
			[]string{`volumes[0].efsVolumeConfiguration.fileSystemId: is required`}},

		// Tags.
		{"tags", `{"family":"f","tags":[{"key":"team","value":"data: nightly/batch"}],"containerDefinitions":[` + app128 + `]}`, nil},
		{"a tag under aws:", `{"family":"f","tags":[{"key":"aws:cloudformation:stack-name","value":"s"}],"containerDefinitions":[` + app128 + `]}`,
			[]string{`tags[0].key: "aws:cloudformation:stack-name": the aws: prefix is reserved for AWS`}},
		{"a tag key of 129 characters", `{"family":"f","tags":[{"key":"` + strings.Repeat("k", 129) + `"}],"containerDefinitions":[` + app128 + `]}`,
			[]string{`tags[0].key: is 129 characters; a tag key takes at most 128`}},
		{"a tag value with !", `{"family":"f","tags":[{"key":"k","value":"yes!"}],"containerDefinitions":[` + app128 + `]}`,
			[]string{`tags[0].value: "yes!": a tag value takes letters`}},
		{"51 tags", `{"family":"f","tags":[` + tags(51) + `],"containerDefinitions":[` + app128 + `]}`, []string{`tags: 51 tags; a resource takes at most 50`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := DecodeTaskDefinition("td.json", []byte(tt.js))
			if err != nil {
				t.Fatal(err)
			}
			wantProblems(t, "td.json", ValidateTaskDefinition("td.json", in), tt.want)
		})
	}
}

func tags(n int) string {
	var s []string
	for i := range n {
		s = append(s, fmt.Sprintf(`{"key":"k%d","value":"v"}`, i))
	}
	return strings.Join(s, ",")
}

func TestFargateTaskSize(t *testing.T) {
	valid := 0
	for cpu := 128; cpu <= 32768; cpu *= 2 {
		for mem := 256; mem <= 131072; mem += 256 {
			if fargateTaskSize(cpu, mem) == "" {
				valid++
			}
		}
	}
	// 3 + 4 + 7 + 13 + 23 + 12 + 12 sizes in the Fargate table.
	if valid != 74 {
		t.Errorf("%d valid Fargate sizes, want 74", valid)
	}
}
