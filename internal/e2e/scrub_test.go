package e2e

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// scrub SRC DST: write to DST the text of SRC (stdout, stderr or a file)
// with what the emulator makes up replaced, so that `golden DST NAME`
// compares the rest: task IDs (32 hex digits) become TASK1, TASK2, ... in
// the order they first appear, times (2026-01-02 12:04:05, RFC 3339 with
// or without fractions) TIME, deployment IDs ecs-svc/ID, and the script's
// account $ACCOUNT_ID.
func cmdScrub(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: scrub SRC DST")
	}
	text := ts.ReadFile(args[0])
	ids := map[string]string{}
	text = taskIDRE.ReplaceAllStringFunc(text, func(id string) string {
		if _, ok := ids[id]; !ok {
			ids[id] = fmt.Sprintf("TASK%d", len(ids)+1)
		}
		return ids[id]
	})
	text = timeRE.ReplaceAllString(text, "TIME")
	text = deploymentRE.ReplaceAllString(text, "ecs-svc/ID")
	if account := ts.Getenv("ACCOUNT_ID"); account != "" {
		text = strings.ReplaceAll(text, account, "$ACCOUNT_ID")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(text), 0o644))
}

var (
	taskIDRE     = regexp.MustCompile(`\b[0-9a-f]{32}\b`)
	timeRE       = regexp.MustCompile(`\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?`)
	deploymentRE = regexp.MustCompile(`ecs-svc/\d+`)
)
