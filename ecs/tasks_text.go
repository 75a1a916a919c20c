package ecs

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTasks prints each service's tasks as a table, times in local time;
// under a stopped task, why it stopped:
//
//	service web: runs web:5; 1 running, 1 stopped
//	  TASK    REVISION   STATUS   HEALTH   STARTED              STOPPED              ZONE             IP         EXIT
//	  9f1c…   web:5      RUNNING  HEALTHY  2026-01-02 12:04:05  -                    ap-northeast-1a  10.0.1.12  -
//	  41d2…   web:4 old  STOPPED  UNKNOWN  2026-01-02 11:00:00  2026-01-02 12:04:06  ap-northeast-1c  10.0.2.11  app=143
//	    stopped: UserInitiated: Stopped by tamp tasks --stop
func WriteTasks(w io.Writer, services []ServiceTasks) error {
	var b strings.Builder
	for i, st := range services {
		if i > 0 {
			b.WriteString("\n")
		}
		if !st.Exists {
			fmt.Fprintf(&b, "service %s: does not exist in cluster %s\n", st.Name, st.Cluster)
			continue
		}
		running := 0
		for _, t := range st.Tasks {
			if t.DesiredStatus == "RUNNING" {
				running++
			}
		}
		head := fmt.Sprintf("service %s: runs %s; %d running, %d stopped", st.Name, ShortRevision(st.TaskDefinition), running, len(st.Tasks)-running)
		if st.DeploymentInProgress {
			head += "; a deployment is in progress"
		}
		b.WriteString(head + "\n")
		if len(st.Tasks) == 0 {
			continue
		}
		writeTaskTable(&b, st.Tasks)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeTaskTable writes tasks as a table, indented, each stopped task
// followed by why it stopped.
func writeTaskTable(b *strings.Builder, tasks []Task) {
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tREVISION\tSTATUS\tHEALTH\tSTARTED\tSTOPPED\tZONE\tIP\tEXIT")
	for _, t := range tasks {
		rev := ShortRevision(t.TaskDefinition)
		if t.Old {
			rev += " old"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, rev, t.LastStatus, orDash(t.Health), stamp(t.StartedAt), stamp(t.StoppedAt),
			orDash(t.Zone), orDash(t.IP), exitCodes(t))
	}
	tw.Flush()
	rows := strings.Split(strings.TrimSuffix(table.String(), "\n"), "\n")
	b.WriteString("  " + strings.TrimRight(rows[0], " ") + "\n")
	for j, t := range tasks {
		b.WriteString("  " + strings.TrimRight(rows[j+1], " ") + "\n")
		for _, why := range stopReasons(t) {
			b.WriteString("    " + why + "\n")
		}
	}
}

// WriteRuns prints the tasks a schedule started, as a table.
func WriteRuns(w io.Writer, schedule string, runs []Task) error {
	var b strings.Builder
	fmt.Fprintf(&b, "scheduled task %s: %s (ECS shows stopped tasks for about an hour)\n", schedule, countOf(len(runs), "run"))
	if len(runs) > 0 {
		writeTaskTable(&b, runs)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// exitCodes are the containers' exit codes, name=code, "-" while none
// has one.
func exitCodes(t Task) string {
	var codes []string
	for _, c := range t.Containers {
		if c.ExitCode != nil {
			codes = append(codes, fmt.Sprintf("%s=%d", c.Name, *c.ExitCode))
		}
	}
	if len(codes) == 0 {
		return "-"
	}
	return strings.Join(codes, ",")
}

// stopReasons say why a stopped task stopped: the task's reason, and each
// container's own.
func stopReasons(t Task) []string {
	var out []string
	if t.StoppedReason != "" || t.StopCode != "" {
		why := t.StoppedReason
		if t.StopCode != "" {
			why = strings.TrimSuffix(t.StopCode+": "+why, ": ")
		}
		out = append(out, "stopped: "+why)
	}
	for _, c := range t.Containers {
		if c.Reason != "" {
			out = append(out, fmt.Sprintf("container %s: %s", c.Name, c.Reason))
		}
	}
	return out
}

// WriteStopped prints a line for each task stopped.
func WriteStopped(w io.Writer, stopped []StoppedTask) error {
	var b strings.Builder
	for _, s := range stopped {
		if s.Err == nil {
			fmt.Fprintf(&b, "%s: stopped task %s (%s)\n", s.Service, s.ID, ShortRevision(s.TaskDefinition))
		}
	}
	if len(stopped) == 0 {
		b.WriteString("no task to stop\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
