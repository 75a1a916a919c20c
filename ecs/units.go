package ecs

import (
	"fmt"
	"strconv"
	"strings"
)

// parseCPU turns a task-level cpu value into CPU units: "1024", "1 vCPU",
// "0.25 vcpu" → 1024, 1024, 256.
func parseCPU(s string) (int, error) {
	return parseUnits(s, 1024, []string{"vcpu"}, "1 vCPU")
}

// parseMemory turns a task-level memory value into MiB: "2048", "2 GB",
// "0.5GB" → 2048, 2048, 512.
func parseMemory(s string) (int, error) {
	return parseUnits(s, 1024, []string{"gb", "gib"}, "2 GB")
}

func parseUnits(s string, scale float64, units []string, example string) (int, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(v, u) {
			v = strings.TrimSpace(strings.TrimSuffix(v, u))
			mult = scale
			break
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("%q is not a size; write a number such as \"1024\" or with a unit such as %q", s, example)
	}
	n := f * mult
	if n != float64(int(n)) {
		return 0, fmt.Errorf("%q is not a whole number of units", s)
	}
	return int(n), nil
}

// fargateSize is the task memory Fargate offers with one task cpu: the
// sizes listed, or min to max in steps of step (MiB).
type fargateSize struct {
	cpu            int
	list           []int
	min, max, step int
}

// fargateSizes are the task sizes of RegisterTaskDefinition's memory
// parameter (the Fargate "Task size" table), 8 and 16 vCPU included.
var fargateSizes = []fargateSize{
	{cpu: 256, list: []int{512, 1024, 2048}},
	{cpu: 512, min: 1024, max: 4096, step: 1024},
	{cpu: 1024, min: 2048, max: 8192, step: 1024},
	{cpu: 2048, min: 4096, max: 16384, step: 1024},
	{cpu: 4096, min: 8192, max: 30720, step: 1024},
	{cpu: 8192, min: 16384, max: 61440, step: 4096},
	{cpu: 16384, min: 32768, max: 122880, step: 8192},
}

// fargateTaskSize explains why Fargate has no task of cpu units and
// memory MiB, or returns "" when it has one.
func fargateTaskSize(cpu, memory int) string {
	var cpus []string
	for _, s := range fargateSizes {
		cpus = append(cpus, strconv.Itoa(s.cpu))
		if s.cpu != cpu {
			continue
		}
		if s.list != nil {
			for _, m := range s.list {
				if m == memory {
					return ""
				}
			}
			var ms []string
			for _, m := range s.list {
				ms = append(ms, strconv.Itoa(m))
			}
			return fmt.Sprintf("Fargate has no task with cpu %d and memory %d; with cpu %d use memory %s or %s (MiB)",
				cpu, memory, cpu, strings.Join(ms[:len(ms)-1], ", "), ms[len(ms)-1])
		}
		if memory >= s.min && memory <= s.max && (memory-s.min)%s.step == 0 {
			return ""
		}
		return fmt.Sprintf("Fargate has no task with cpu %d and memory %d; with cpu %d use memory %d to %d in steps of %d (MiB)",
			cpu, memory, cpu, s.min, s.max, s.step)
	}
	return fmt.Sprintf("Fargate has no task with cpu %d; use one of %s (CPU units, 1024 = 1 vCPU)", cpu, strings.Join(cpus, ", "))
}
