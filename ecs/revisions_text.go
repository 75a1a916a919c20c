package ecs

import (
	"fmt"
	"io"
	"strings"
)

// WriteRevisions prints each family's ACTIVE revisions, newest first,
// with who runs them:
//
//	web: family web, 3 ACTIVE revisions
//	  web:3
//	  web:2  in use by service web
//	  web:1  in use by scheduled task nightly
func WriteRevisions(w io.Writer, families []FamilyRevisions) error {
	var b strings.Builder
	for _, f := range families {
		fmt.Fprintf(&b, "%s: family %s, %s\n", strings.Join(f.Names, ", "), f.Family, countOf(len(f.Revisions), "ACTIVE revision"))
		for _, r := range f.Revisions {
			line := "  " + ShortRevision(r.ARN)
			if len(r.InUse) > 0 {
				line += "  in use by " + strings.Join(r.InUse, ", ")
			}
			b.WriteString(line + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func countOf(n int, what string) string {
	switch n {
	case 0:
		return "no " + what
	case 1:
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// WriteCleanup prints one line per family of what deregister did (or, in
// a dry run, would do):
//
//	web: deregistered web:4, web:3, web:2; kept web:6, web:5 (newest 2), web:1 (in use by scheduled task nightly)
func WriteCleanup(w io.Writer, cleanups []Cleanup, o CleanupOptions) error {
	var b strings.Builder
	for _, c := range cleanups {
		var parts []string
		done, keep := "deregistered", "kept"
		switch {
		case o.DryRun && o.Delete:
			done, keep = "would deregister and delete", "would keep"
		case o.DryRun:
			done, keep = "would deregister", "would keep"
		}
		switch {
		case len(c.Deregistered) == 0 && len(c.NotStarted) == 0 && c.Err == nil:
			parts = append(parts, "nothing to deregister")
		case len(c.Deregistered) > 0 && o.Delete && !o.DryRun && len(c.Deleted) == len(c.Deregistered):
			parts = append(parts, "deregistered and deleted "+shortList(c.Deregistered))
		case len(c.Deregistered) > 0:
			parts = append(parts, done+" "+shortList(c.Deregistered))
			if len(c.Deleted) > 0 {
				parts = append(parts, "deleted "+shortList(c.Deleted))
			}
		}
		if len(c.Kept) > 0 {
			parts = append(parts, keep+" "+keptList(c.Kept))
		}
		if len(c.NotStarted) > 0 {
			parts = append(parts, "interrupted before "+shortList(c.NotStarted)+" (run deregister again to finish)")
		}
		fmt.Fprintf(&b, "%s: %s\n", strings.Join(c.Names, ", "), strings.Join(parts, "; "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// keptList is the kept revisions, newest first, each run of one reason
// followed by it: "web:6, web:5 (newest 2), web:1 (in use by service web)".
func keptList(kept []Kept) string {
	var groups []string
	for i := 0; i < len(kept); {
		j := i
		var names []string
		for j < len(kept) && kept[j].Reason == kept[i].Reason {
			names = append(names, ShortRevision(kept[j].ARN))
			j++
		}
		groups = append(groups, fmt.Sprintf("%s (%s)", strings.Join(names, ", "), kept[i].Reason))
		i = j
	}
	return strings.Join(groups, ", ")
}
