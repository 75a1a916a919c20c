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
