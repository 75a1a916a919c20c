package config

import (
	"fmt"
	"slices"
	"strings"
)

// Scope is what --only leaves in scope, resolved once per run for every
// kind of name a command may act on: services, task definitions and
// scheduled tasks. With no --only everything is in scope.
type Scope struct {
	Only            []string
	Services        []Service
	TaskDefinitions []TaskDefinition
	// Tasks are the scheduled tasks --only names (all of them without
	// --only), when the scope was resolved with their names.
	Tasks []string
}

// Scope resolves only against the config's services and task definitions
// and the scheduled task names given (those of the tasks file, when the
// config has one; nil when nothing asked for them). A name that matches
// nothing is an error listing every name there is.
func (c *Config) Scope(only, scheduled []string) (*Scope, error) {
	s := &Scope{Only: only}
	if len(only) == 0 {
		s.Services, s.TaskDefinitions, s.Tasks = c.Services, c.TaskDefinitions, scheduled
		return s, nil
	}
	var missing []string
	for _, n := range only {
		if !slices.Contains(c.names(), n) && !slices.Contains(scheduled, n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("--only: nothing named %s in %s; names in the config: %s",
			strings.Join(missing, ", "), c.Path, strings.Join(slices.Compact(append(c.names(), scheduled...)), ", "))
	}
	s.Services = named(c.Services, func(x Service) string { return x.Name }, only)
	s.TaskDefinitions = named(c.TaskDefinitions, func(x TaskDefinition) string { return x.Name }, only)
	s.Tasks = named(scheduled, func(x string) string { return x }, only)
	return s, nil
}

// Knows tells whether every --only name is a service or task definition,
// so the scheduled task names need not be read to resolve the scope.
func (c *Config) Knows(only []string) bool {
	for _, n := range only {
		if !slices.Contains(c.names(), n) {
			return false
		}
	}
	return true
}

// Narrowed tells whether --only was given.
func (s *Scope) Narrowed() bool { return len(s.Only) > 0 }

// Selection is the services and task definitions in scope.
func (s *Scope) Selection() Selection {
	return Selection{Services: s.Services, TaskDefinitions: s.TaskDefinitions}
}

// ServiceNames are the names of the services in scope.
func (s *Scope) ServiceNames() []string {
	var names []string
	for _, svc := range s.Services {
		names = append(names, svc.Name)
	}
	return names
}

// DefinitionNames are the names of the services and task definitions in
// scope: the config task definitions whose revisions a command changes.
func (s *Scope) DefinitionNames() []string {
	names := s.ServiceNames()
	for _, td := range s.TaskDefinitions {
		names = append(names, td.Name)
	}
	return names
}

// HasTask tells whether the scheduled task name is in scope.
func (s *Scope) HasTask(name string) bool { return slices.Contains(s.Tasks, name) }

// named keeps the items whose name is in names, in their order.
func named[T any](items []T, name func(T) string, names []string) []T {
	var out []T
	for _, it := range items {
		if slices.Contains(names, name(it)) {
			out = append(out, it)
		}
	}
	return out
}
