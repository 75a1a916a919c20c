// Command tfstate-bench compares tamp's tfstate package with
// github.com/fujiwara/tfstate-lookup on a generated Terraform state: read
// plus 1,000 lookups, wall time and peak RSS, each in its own process.
// It is a separate module so tfstate-lookup never becomes a dependency of
// tamp. `make bench` runs `go run . compare`.
package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tfstate-bench compare [RUNS] | gen DIR")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = generate(os.Args[2])
	case "compare":
		runs := 5
		if len(os.Args) > 2 {
			fmt.Sscan(os.Args[2], &runs)
		}
		err = compare(runs)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type result struct {
	wall   time.Duration // median
	maxRSS int64         // KiB, the largest of the runs
}

func measure(runs int, args ...string) (result, error) {
	var walls []time.Duration
	var rss int64
	for range runs {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stderr = os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return result{}, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
		}
		walls = append(walls, time.Since(start))
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = max(rss, ru.Maxrss)
		}
	}
	slices.Sort(walls)
	return result{wall: walls[len(walls)/2], maxRSS: rss}, nil
}

func compare(runs int) error {
	dir := filepath.Join(os.TempDir(), "tamp-tfstate-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	state, addrs := filepath.Join(dir, "terraform.tfstate"), filepath.Join(dir, "addresses.txt")
	self, err := os.Executable()
	if err != nil {
		return err
	}
	// Generate in a child: on Linux a child's peak RSS starts from its
	// parent's at fork, so this process must stay small.
	if _, err := os.Stat(addrs); err != nil {
		gen := exec.Command(self, "gen", dir)
		gen.Stdout, gen.Stderr = os.Stdout, os.Stderr
		if err := gen.Run(); err != nil {
			return fmt.Errorf("generate the state: %w", err)
		}
	}
	info, err := os.Stat(state)
	if err != nil {
		return err
	}
	fmt.Printf("tfstate: %.1f MB state, %d resource instances, read + 1,000 lookups; median of %d runs, each in its own process\n",
		float64(info.Size())/1e6, instances, runs)
	// Each implementation runs as its own small binary, so neither pays
	// for the other's code in its RSS.
	bins := map[string]string{}
	for _, name := range []string{"tamp-tfstate", "tfstate-lookup"} {
		bins[name] = filepath.Join(dir, name)
		build := exec.Command("go", "build", "-mod=mod", "-o", bins[name], "./cmd/"+name)
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build %s: %w", name, err)
		}
	}
	ours, err := measure(runs, bins["tamp-tfstate"], state, addrs)
	if err != nil {
		return err
	}
	theirs, err := measure(runs, bins["tfstate-lookup"], state, addrs)
	if err != nil {
		return err
	}
	fmt.Printf("  %-34s %8s %14s\n", "", "wall", "peak RSS")
	fmt.Printf("  %-34s %8s %11.0f MB\n", "tamp tfstate", ours.wall.Round(time.Millisecond), float64(ours.maxRSS)/1024)
	fmt.Printf("  %-34s %8s %11.0f MB\n", "fujiwara/tfstate-lookup v1.12.1", theirs.wall.Round(time.Millisecond), float64(theirs.maxRSS)/1024)
	fmt.Printf("  tamp is %.1fx faster and uses %.2f of the peak RSS (targets: >= 3x, <= 0.33)\n",
		float64(theirs.wall)/float64(ours.wall), float64(ours.maxRSS)/float64(theirs.maxRSS))
	return nil
}

// The generated state: 50 modules × 10 resources × 40 instances, half of
// them count and half for_each, about 4 KB of attributes each (84 MB).
const (
	modules      = 50
	perModule    = 10
	perResource  = 40
	instances    = modules * perModule * perResource
	lookupsCount = 1000
)

func generate(dir string) error {
	rng := rand.New(rand.NewPCG(1, 2))
	type instance struct {
		IndexKey   any            `json:"index_key"`
		Schema     int            `json:"schema_version"`
		Attributes map[string]any `json:"attributes"`
		Sensitive  []any          `json:"sensitive_attributes"`
	}
	type resource struct {
		Module    string     `json:"module"`
		Mode      string     `json:"mode"`
		Type      string     `json:"type"`
		Name      string     `json:"name"`
		Provider  string     `json:"provider"`
		Each      string     `json:"each"`
		Instances []instance `json:"instances"`
	}
	var resources []resource
	var addrs []string
	for m := range modules {
		for r := range perModule {
			res := resource{
				Module: fmt.Sprintf("module.svc_%02d", m), Mode: "managed", Type: "aws_security_group",
				Name: fmt.Sprintf("r%02d", r), Provider: `provider["registry.terraform.io/hashicorp/aws"]`,
			}
			forEach := r%2 == 1
			if forEach {
				res.Each = "map"
			} else {
				res.Each = "list"
			}
			for i := range perResource {
				var key any = i
				addrKey := fmt.Sprintf("[%d]", i)
				if forEach {
					k := fmt.Sprintf("key-%02d", i)
					key, addrKey = k, fmt.Sprintf(`["%s"]`, k)
				}
				tags := map[string]any{}
				for t := range 6 {
					tags[fmt.Sprintf("Tag%02d", t)] = fmt.Sprintf("value-%d-%d-%d", m, r, t)
				}
				tags["Name"] = fmt.Sprintf("sg-%d-%d-%d", m, r, i)
				var ingress []any
				for g := range 6 {
					ingress = append(ingress, map[string]any{
						"from_port": 1000 + g, "to_port": 1000 + g, "protocol": "tcp",
						"cidr_blocks": []string{fmt.Sprintf("10.%d.%d.0/24", g, i)}, "description": fmt.Sprintf("rule %d of %d", g, i),
						"ipv6_cidr_blocks": []string{}, "prefix_list_ids": []string{}, "security_groups": []string{}, "self": false,
					})
				}
				id := fmt.Sprintf("sg-%017x", rng.Uint64()>>4)
				res.Instances = append(res.Instances, instance{IndexKey: key, Schema: 1, Sensitive: []any{}, Attributes: map[string]any{
					"id": id, "arn": "arn:aws:ec2:ap-northeast-1:123456789012:security-group/" + id,
					"name": fmt.Sprintf("svc-%d-%d-%d", m, r, i), "vpc_id": "vpc-0123456789abcdef0",
					"tags": tags, "tags_all": tags, "ingress": ingress, "egress": ingress[:1],
					"revoke_rules_on_delete": false, "timeouts": nil,
				}})
				base := fmt.Sprintf("module.svc_%02d.aws_security_group.r%02d%s", m, r, addrKey)
				addrs = append(addrs, base+".id", base+".tags.Name", base+fmt.Sprintf(".ingress[%d].from_port", i%6))
			}
			resources = append(resources, res)
		}
	}
	state := map[string]any{
		"version": 4, "terraform_version": "1.9.5", "serial": 1, "lineage": "bench",
		"outputs":   map[string]any{"vpc_id": map[string]any{"value": "vpc-0123456789abcdef0", "type": "string"}},
		"resources": resources,
	}
	b, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfstate"), b, 0o644); err != nil {
		return err
	}
	rng.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
	picked := append(addrs[:lookupsCount-1], "output.vpc_id")
	return os.WriteFile(filepath.Join(dir, "addresses.txt"), []byte(strings.Join(picked, "\n")+"\n"), 0o644)
}
