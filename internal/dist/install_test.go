package dist

import (
	"debug/macho"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// releaseServer serves dir as GitHub serves a release of testVersion:
// /releases/download/v<version>/<file>, and /releases/latest redirecting
// to /releases/tag/v<version>. tamper changes the bytes of a file served.
func releaseServer(t *testing.T, dir string, tamper func(name string, data []byte) []byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/releases/latest", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/releases/tag/v"+testVersion, http.StatusFound)
	})
	mux.HandleFunc("/releases/tag/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>release</html>"))
	})
	mux.HandleFunc("/releases/download/v"+testVersion+"/", func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Base(r.URL.Path)
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if tamper != nil {
			data = tamper(name, data)
		}
		w.Write(data)
	})
	srv := httptest.NewServer(mux) // 127.0.0.1
	t.Cleanup(srv.Close)
	return srv
}

// installEnv is the environment of an installer run: the test's own,
// without what a developer's shell might set for the installer.
func installEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TAMP_") && !strings.HasPrefix(kv, "GITHUB_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

func installScript() string { return filepath.Join(repoRoot(), "scripts", "install.sh") }

func TestInstallScript(t *testing.T) {
	if hostTarget != (Target{"linux", "amd64"}) && hostTarget != (Target{"linux", "arm64"}) &&
		hostTarget.OS != "darwin" {
		t.Skipf("the installer test runs on Linux and macOS, not %s", hostTarget)
	}
	srv := releaseServer(t, release(t), nil)
	for _, version := range []string{"latest", testVersion, "v" + testVersion} {
		t.Run(version, func(t *testing.T) {
			tmp := t.TempDir()
			bin := filepath.Join(tmp, "bin")
			cmd := exec.Command("sh", installScript())
			cmd.Env = installEnv(
				"TAMP_VERSION="+version,
				"TAMP_RELEASES_URL="+srv.URL+"/releases",
				"TAMP_INSTALL_DIR="+bin,
				"GITHUB_PATH="+filepath.Join(tmp, "github_path"),
				"GITHUB_OUTPUT="+filepath.Join(tmp, "github_output"),
			)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("install.sh: %v\n%s", err, out)
			}
			checkInstalled(t, bin, tmp)
		})
	}
}

// TestInstallScriptPlatform: TAMP_OS and TAMP_ARCH, in uname's, Go's or
// GitHub's (runner.os, runner.arch) spelling, choose the archive, here
// the release's darwin/arm64 one, whatever the host.
func TestInstallScriptPlatform(t *testing.T) {
	if hostTarget.OS != "linux" && hostTarget.OS != "darwin" {
		t.Skipf("the installer test runs on Linux and macOS, not %s", hostTarget)
	}
	srv := releaseServer(t, release(t), nil)
	for _, p := range [][2]string{{"darwin", "arm64"}, {"Darwin", "aarch64"}, {"macOS", "ARM64"}} {
		t.Run(p[0]+"/"+p[1], func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "bin")
			cmd := exec.Command("sh", installScript())
			cmd.Env = installEnv("TAMP_VERSION="+testVersion, "TAMP_RELEASES_URL="+srv.URL+"/releases",
				"TAMP_INSTALL_DIR="+bin, "TAMP_OS="+p[0], "TAMP_ARCH="+p[1])
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("install.sh: %v\n%s", err, out)
			}
			f, err := macho.Open(filepath.Join(bin, "tamp"))
			if err != nil {
				t.Fatalf("installed tamp is no Mach-O file: %v\n%s", err, out)
			}
			defer f.Close()
			if f.Cpu != macho.CpuArm64 {
				t.Errorf("installed tamp is for %v, want %v", f.Cpu, macho.CpuArm64)
			}
			if !strings.Contains(string(out), "(darwin/arm64)") {
				t.Errorf("install.sh said %q, want it to name darwin/arm64", out)
			}
		})
	}
	for _, p := range [][3]string{
		{"Plan9", "arm64", "no tamp release for the OS Plan9"},
		{"linux", "riscv64", "no tamp release for the architecture riscv64"},
		{"windows", "arm64", "no tamp release for windows/arm64"},
	} {
		t.Run("refuses "+p[0]+"/"+p[1], func(t *testing.T) {
			cmd := exec.Command("sh", installScript())
			cmd.Env = installEnv("TAMP_VERSION="+testVersion, "TAMP_RELEASES_URL="+srv.URL+"/releases",
				"TAMP_INSTALL_DIR="+filepath.Join(t.TempDir(), "bin"), "TAMP_OS="+p[0], "TAMP_ARCH="+p[1])
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("install.sh succeeded:\n%s", out)
			}
			if !strings.Contains(string(out), p[2]) {
				t.Errorf("install.sh said %q, want it to say %q", out, p[2])
			}
		})
	}
}

// checkInstalled runs the installed tamp and reads what the installer
// told GitHub Actions.
func checkInstalled(t *testing.T, bin, tmp string) {
	t.Helper()
	got, err := exec.Command(filepath.Join(bin, "tamp"), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("installed tamp version: %v\n%s", err, got)
	}
	if want := "tamp " + testVersion + " (commit " + testCommit + ","; !strings.HasPrefix(string(got), want) {
		t.Errorf("installed tamp version = %q, want it to start with %q", got, want)
	}
	path, err := os.ReadFile(filepath.Join(tmp, "github_path"))
	if err != nil || string(path) != bin+"\n" {
		t.Errorf("GITHUB_PATH file = %q (%v), want %q", path, err, bin+"\n")
	}
	output, err := os.ReadFile(filepath.Join(tmp, "github_output"))
	if err != nil || string(output) != "version="+testVersion+"\n" {
		t.Errorf("GITHUB_OUTPUT file = %q (%v), want version=%s", output, err, testVersion)
	}
}

func TestInstallScriptRefuses(t *testing.T) {
	dir := release(t)
	tests := []struct {
		name    string
		version string
		tamper  func(string, []byte) []byte
		want    string
	}{
		{
			name:    "archive changed after its checksum was taken",
			version: testVersion,
			tamper: func(name string, data []byte) []byte {
				if strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".zip") {
					data = slices.Clone(data)
					data[len(data)/2] ^= 0xff
				}
				return data
			},
			want: "does not match",
		},
		{
			name:    "archive missing from SHA256SUMS",
			version: testVersion,
			tamper: func(name string, data []byte) []byte {
				if name == SumsFile {
					return []byte("0000  tamp_other.tar.gz\n")
				}
				return data
			},
			want: "is not listed in",
		},
		{name: "no such release", version: "0.0.1", want: "cannot download"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := releaseServer(t, dir, tt.tamper)
			bin := filepath.Join(t.TempDir(), "bin")
			cmd := exec.Command("sh", installScript())
			cmd.Env = installEnv("TAMP_VERSION="+tt.version, "TAMP_RELEASES_URL="+srv.URL+"/releases", "TAMP_INSTALL_DIR="+bin)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("install.sh succeeded:\n%s", out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("install.sh said %q, want it to say %q", out, tt.want)
			}
			if _, err := os.Stat(filepath.Join(bin, "tamp")); err == nil {
				t.Error("tamp was installed all the same")
			}
		})
	}
}

// action is action.yml's metadata, every key GitHub reads from it, so
// a misspelled key fails the strict decode.
type action struct {
	Name        string
	Description string
	Author      string
	Branding    struct{ Icon, Color string }
	Inputs      map[string]struct {
		Description        string
		Required           bool
		Default            *string
		DeprecationMessage string `yaml:"deprecationMessage"`
	}
	Outputs map[string]struct {
		Description string
		Value       string
	}
	Runs struct {
		Using string
		Steps []struct {
			ID    string
			Shell string
			Env   map[string]string
			Run   string
		}
	}
}

func readAction(t *testing.T) action {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.UnmarshalWithOptions(data, &a, yaml.Strict()); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

var expression = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

func TestActionYAML(t *testing.T) {
	a := readAction(t)
	if a.Name == "" || a.Description == "" {
		t.Error("action.yml needs a name and a description (the Marketplace shows them)")
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	v, ok := a.Inputs["version"]
	if !ok || v.Default == nil || *v.Default != "latest" || v.Required {
		t.Errorf("input version = %+v, want an optional input defaulting to latest", v)
	}
	for name, in := range a.Inputs {
		if strings.TrimSpace(in.Description) == "" {
			t.Errorf("input %s has no description", name)
		}
	}
	for name, out := range a.Outputs {
		if strings.TrimSpace(out.Description) == "" {
			t.Errorf("output %s has no description", name)
		}
	}

	script, err := os.ReadFile(installScript())
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for i, step := range a.Runs.Steps {
		if step.Run != "" && step.Shell == "" {
			t.Errorf("step %d runs a command without a shell (composite actions need one)", i)
		}
		// Every variable handed to the installer is one it documents.
		for k, v := range step.Env {
			if strings.HasPrefix(k, "TAMP_") && !strings.Contains(string(script), "#   "+k) {
				t.Errorf("step %d sets %s, which scripts/install.sh does not read", i, k)
			}
			for _, m := range expression.FindAllStringSubmatch(v, -1) {
				if in, ok := strings.CutPrefix(m[1], "inputs."); ok {
					used[in] = true
					if _, ok := a.Inputs[in]; !ok {
						t.Errorf("step %d uses inputs.%s, which action.yml does not declare", i, in)
					}
				}
			}
		}
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is declared but no step uses it", name)
		}
	}
}

// TestActionInstalls runs action.yml's steps as a runner would, with the
// inputs' defaults but releases-url, against a local release.
func TestActionInstalls(t *testing.T) {
	if hostTarget.OS != "linux" && hostTarget.OS != "darwin" {
		t.Skipf("runs on Linux and macOS, not %s", hostTarget)
	}
	a := readAction(t)
	srv := releaseServer(t, release(t), nil)
	tmp := t.TempDir()
	values := map[string]string{"runner.temp": filepath.Join(tmp, "runner-temp")}
	for name, in := range a.Inputs {
		if in.Default != nil {
			values["inputs."+name] = *in.Default
		}
	}
	values["inputs.releases-url"] = srv.URL + "/releases"
	for i, step := range a.Runs.Steps {
		env := installEnv(
			"GITHUB_ACTION_PATH="+repoRoot(),
			"GITHUB_PATH="+filepath.Join(tmp, "github_path"),
			"GITHUB_OUTPUT="+filepath.Join(tmp, "github_output"),
		)
		for k, v := range step.Env {
			env = append(env, k+"="+expression.ReplaceAllStringFunc(v, func(e string) string {
				key := expression.FindStringSubmatch(e)[1]
				val, ok := values[key]
				if !ok {
					t.Fatalf("step %d: no value for ${{ %s }} in this test", i, key)
				}
				return val
			}))
		}
		cmd := exec.Command(step.Shell, "-e", "-c", step.Run)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("step %d: %v\n%s", i, err, out)
		}
	}
	checkInstalled(t, filepath.Join(tmp, "runner-temp", "tamp", "bin"), tmp)
}

// TestWorkflowExample checks the example workflow the README points at:
// it parses, its scripts are valid bash, it installs tamp with this
// action, comments the diff on pull requests and deploys on pushes, and
// no action outside GitHub's, AWS's and tamp's own sees the job's token.
func TestWorkflowExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(), "examples", "github-actions", "tamp.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			If    string
			Steps []struct {
				Uses string
				Run  string
			}
		}
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("examples/github-actions/tamp.yml: %v", err)
	}
	runs := map[string]string{}
	for name, job := range wf.Jobs {
		installs := false
		for i, step := range job.Steps {
			owner, _, _ := strings.Cut(step.Uses, "/")
			switch owner {
			case "", "actions", "aws-actions":
			case "tamp-ecs":
				installs = installs || strings.HasPrefix(step.Uses, "tamp-ecs/tamp@")
			default:
				t.Errorf("job %s step %d uses %s: keep the example to GitHub's, AWS's and tamp's own actions", name, i, step.Uses)
			}
			if step.Run == "" {
				continue
			}
			runs[name] += step.Run + "\n"
			if out, err := exec.Command("bash", "-n", "-c", step.Run).CombinedOutput(); err != nil {
				t.Errorf("job %s step %d: bash -n: %v\n%s", name, i, err, out)
			}
		}
		if !installs {
			t.Errorf("job %s does not install tamp with tamp-ecs/tamp", name)
		}
	}
	for job, want := range map[string]string{
		"diff":   "tamp diff --format markdown --exit-code",
		"deploy": "tamp deploy",
	} {
		if !strings.Contains(runs[job], want) {
			t.Errorf("job %s does not run %q", job, want)
		}
	}
	if !strings.Contains(runs["diff"], "gh api") || !strings.Contains(runs["diff"], "PATCH") {
		t.Error("job diff does not update its comment in place (gh api ... PATCH)")
	}
	if !strings.Contains(wf.Jobs["diff"].If, "pull_request") || !strings.Contains(wf.Jobs["deploy"].If, "push") {
		t.Errorf("diff runs if %q and deploy if %q; want pull requests and pushes", wf.Jobs["diff"].If, wf.Jobs["deploy"].If)
	}
}
