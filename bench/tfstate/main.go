// Command tfstate-bench compares tamp's tfstate package with
// github.com/fujiwara/tfstate-lookup on generated Terraform states of two
// sizes (84 MB and 4x that): read plus 200 lookups, wall time and peak RSS,
// each run in its own process, after checking that both tools find the
// same values. It is a separate module so tfstate-lookup never becomes a
// dependency of tamp. `make bench` runs `go run . compare`.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tfstate-bench compare [RUNS] | gen DIR SCALE")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		if len(os.Args) != 4 {
			err = fmt.Errorf("usage: tfstate-bench gen DIR SCALE")
			break
		}
		var scale int
		if scale, err = strconv.Atoi(os.Args[3]); err == nil {
			err = generate(os.Args[2], scale)
		}
	case "compare":
		runs := 5
		if len(os.Args) > 2 {
			if runs, err = strconv.Atoi(os.Args[2]); err != nil || runs < 1 {
				err = fmt.Errorf("RUNS must be a positive number, got %q", os.Args[2])
				break
			}
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
	runs   int
	wall   time.Duration // median
	maxRSS int64         // KiB, the largest of the runs
	err    error         // a run that failed
}

func measure(runs int, args ...string) result {
	var walls []time.Duration
	var rss int64
	for range runs {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stderr = os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return result{err: fmt.Errorf("%s: %w", strings.Join(args, " "), err)}
		}
		walls = append(walls, time.Since(start))
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = max(rss, ru.Maxrss)
		}
	}
	slices.Sort(walls)
	return result{runs: runs, wall: walls[len(walls)/2], maxRSS: rss}
}

// values runs a tool once and returns what it printed: one value a line.
func values(args ...string) ([]byte, error) {
	cmd := exec.Command(args[0], append(args[1:], "-print")...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	return out, nil
}

// A state size the comparison runs.
type size struct {
	scale     int
	state     string
	addresses string
	mb        float64
	theirRuns int // tfstate-lookup's runs: it takes seconds and gigabytes on the larger state
}

func compare(runs int) error {
	// v2: states of two sizes, 200 addresses each (v1 kept one state and
	// 1,000 addresses in tamp-tfstate-bench).
	dir := filepath.Join(os.TempDir(), "tamp-tfstate-bench-v2")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	sizes := []*size{{scale: 1, theirRuns: runs}, {scale: 4, theirRuns: min(runs, 3)}}
	for _, sz := range sizes {
		sz.state, sz.addresses = statePaths(dir, sz.scale)
		// Generate in a child: on Linux a child's peak RSS starts from
		// its parent's at fork, so this process must stay small.
		if _, err := os.Stat(sz.addresses); err != nil {
			gen := exec.Command(self, "gen", dir, strconv.Itoa(sz.scale))
			gen.Stdout, gen.Stderr = os.Stdout, os.Stderr
			if err := gen.Run(); err != nil {
				return fmt.Errorf("generate the state: %w", err)
			}
		}
		info, err := os.Stat(sz.state)
		if err != nil {
			return err
		}
		sz.mb = float64(info.Size()) / 1e6
	}
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
	var ours, theirs []result
	for _, sz := range sizes {
		// Both tools must find the same values (this run also brings the
		// state into the page cache for the timed runs).
		want, err := values(bins["tfstate-lookup"], sz.state, sz.addresses)
		if err != nil {
			return err
		}
		got, err := values(bins["tamp-tfstate"], sz.state, sz.addresses)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("%s: tamp and tfstate-lookup found different values", sz.state)
		}
		ours = append(ours, measure(runs, bins["tamp-tfstate"], sz.state, sz.addresses))
		theirs = append(theirs, measure(sz.theirRuns, bins["tfstate-lookup"], sz.state, sz.addresses))
	}

	fmt.Printf("tfstate: read + %d lookups, each run in its own process; wall is the median of %d runs, peak RSS the largest\n", lookupsCount, runs)
	fmt.Printf("  %-32s", "")
	for _, sz := range sizes {
		fmt.Printf("  %30s", fmt.Sprintf("%.0f MB, %s instances", sz.mb, thousands(instancesPer*sz.scale)))
	}
	fmt.Printf("\n  %-32s", "")
	for range sizes {
		fmt.Printf("  %14s %15s", "wall", "peak RSS")
	}
	fmt.Println()
	row := func(name string, rs []result) {
		fmt.Printf("  %-32s", name)
		var notes []string
		for i, r := range rs {
			if r.err != nil {
				fmt.Printf("  %30s", "failed (see below)")
				notes = append(notes, r.err.Error())
				continue
			}
			fmt.Printf("  %14s %12.0f MB", r.wall.Round(time.Millisecond), float64(r.maxRSS)/1024)
			if r.runs != runs {
				notes = append(notes, fmt.Sprintf("%.0f MB state: %d run(s)", sizes[i].mb, r.runs))
			}
		}
		if len(notes) > 0 {
			fmt.Printf("   (%s)", strings.Join(notes, "; "))
		}
		fmt.Println()
	}
	row("tamp tfstate", ours)
	row("fujiwara/tfstate-lookup v1.12.1", theirs)
	fmt.Printf("  %-32s", "tamp vs tfstate-lookup")
	for i := range sizes {
		if ours[i].err != nil || theirs[i].err != nil {
			fmt.Printf("  %30s", "-")
			continue
		}
		fmt.Printf("  %30s", fmt.Sprintf("%.1fx faster, %.2f of the RSS", float64(theirs[i].wall)/float64(ours[i].wall), float64(ours[i].maxRSS)/float64(theirs[i].maxRSS)))
	}
	fmt.Println()
	if ours[0].err != nil || ours[1].err != nil {
		return fmt.Errorf("tamp: %w", errorsOf(ours))
	}
	small, large := ours[0], ours[1]
	growth := float64(large.maxRSS) / float64(small.maxRSS)
	fmt.Printf("  targets: %.0f MB state at most 300ms and 48 MB: %s (%s, %.0f MB); %dx state at most 2x its RSS: %s (%.2fx)\n",
		sizes[0].mb, met(small.wall <= 300*time.Millisecond && small.maxRSS <= 48*1024), small.wall.Round(time.Millisecond), float64(small.maxRSS)/1024,
		sizes[1].scale, met(growth <= 2), growth)
	return nil
}

func errorsOf(rs []result) error {
	for _, r := range rs {
		if r.err != nil {
			return r.err
		}
	}
	return nil
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func statePaths(dir string, scale int) (state, addresses string) {
	return filepath.Join(dir, fmt.Sprintf("terraform-x%d.tfstate", scale)), filepath.Join(dir, fmt.Sprintf("addresses-x%d.txt", scale))
}

// The generated state at scale 1: 50 modules × 10 resources × 40
// instances, half of them count and half for_each, about 4 KB of
// attributes each (84 MB); scale multiplies the modules. The same seed
// gives the same bytes on every run; the first 50 modules of a larger
// state are those of the scale-1 one.
const (
	modules      = 50
	perModule    = 10
	perResource  = 40
	instancesPer = modules * perModule * perResource
	lookupsCount = 200
)

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

// generate writes the state one resource at a time, indented as Terraform
// writes states, with its top-level keys in Terraform's order.
func generate(dir string, scale int) error {
	statePath, addrPath := statePaths(dir, scale)
	f, err := os.Create(statePath)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(`{
  "version": 4,
  "terraform_version": "1.9.5",
  "serial": 1,
  "lineage": "bench",
  "outputs": {
    "vpc_id": {
      "value": "vpc-0123456789abcdef0",
      "type": "string"
    }
  },
  "resources": [`)
	rng := rand.New(rand.NewPCG(1, 2))
	var addrs []string
	for m := range modules * scale {
		for r := range perModule {
			res, resAddrs := generateResource(rng, m, r)
			addrs = append(addrs, resAddrs...)
			b, err := json.MarshalIndent(res, "    ", "  ")
			if err != nil {
				return err
			}
			if m > 0 || r > 0 {
				w.WriteString(",")
			}
			w.WriteString("\n    ")
			w.Write(b)
		}
	}
	w.WriteString("\n  ],\n  \"check_results\": null\n}\n")
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	rng.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
	picked := append(addrs[:lookupsCount-1], "output.vpc_id")
	return os.WriteFile(addrPath, []byte(strings.Join(picked, "\n")+"\n"), 0o644)
}

// generateResource is resource r of module m, and three addresses into
// each of its instances.
func generateResource(rng *rand.Rand, m, r int) (resource, []string) {
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
	var addrs []string
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
	return res, addrs
}
