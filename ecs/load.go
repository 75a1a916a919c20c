package ecs

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/tamp-ecs/tamp/config"
)

// Renderer renders a file the config points at into JSON text.
type Renderer interface {
	// Prefetch lets value plugins fetch what the files will ask for in as
	// few calls as possible, before they are rendered one by one.
	Prefetch(ctx context.Context, paths ...string)
	RenderJSON(path string) (text []byte, absPath string, err error)
}

// TaskDefinition is one task definition from the config, decoded and
// normalized.
type TaskDefinition struct {
	Name  string // the config name: the owning service's, or task_definitions[].name
	File  string
	Input *awsecs.RegisterTaskDefinitionInput // normalized
	// Containers are the container names in the file's order (Input's are
	// sorted): "the first container" means the first written.
	Containers []string
	// Problems are what offline validation found (LoadAll only); Input
	// is nil when the file did not even decode.
	Problems []error
}

// Family is the task definition family.
func (td *TaskDefinition) Family() string { return aws.ToString(td.Input.Family) }

// Service is one service from the config, decoded and normalized.
type Service struct {
	Name           string
	File           string                     // "" when the config names no service definition
	Input          *awsecs.CreateServiceInput // normalized; nil without a file
	TaskDefinition *TaskDefinition
	// Problems are what offline validation found (LoadAll only).
	Problems []error
	// Declared are the top-level fields the file sets, as written; nil
	// means all of Input's. Diffs and updates cover only these.
	Declared map[string]any
}

// Definitions is everything a command works on.
type Definitions struct {
	Services        []*Service
	TaskDefinitions []*TaskDefinition // the services' first, then standalone ones, in config order
}

// Load renders, decodes, validates and normalizes every definition in sel.
// It reports every problem in every file, not only the first, so a user
// fixes them in one round.
func Load(ctx context.Context, r Renderer, sel config.Selection) (*Definitions, error) {
	defs, errs := load(ctx, r, sel, false)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return defs, nil
}

// LoadAll is Load for verify: every definition in sel is returned, each
// with the problems found in it, so they can be reported next to what AWS
// says. The error is for problems that belong to no one definition.
func LoadAll(ctx context.Context, r Renderer, sel config.Selection) (*Definitions, error) {
	defs, errs := load(ctx, r, sel, true)
	return defs, errors.Join(errs...)
}

func load(ctx context.Context, r Renderer, sel config.Selection, keep bool) (*Definitions, []error) {
	r.Prefetch(ctx, sel.Paths()...)

	var errs []error
	defs := &Definitions{}
	loadTD := func(name, path string) *TaskDefinition {
		td := &TaskDefinition{Name: name, File: path}
		// problem keeps a bad definition for LoadAll, drops it for Load.
		problem := func(p ...error) *TaskDefinition {
			if !keep {
				errs = append(errs, p...)
				return nil
			}
			td.Problems = append(td.Problems, p...)
			defs.TaskDefinitions = append(defs.TaskDefinitions, td)
			return td
		}
		text, abs, err := r.RenderJSON(path)
		if err != nil {
			return problem(err)
		}
		td.File = abs
		in, err := DecodeTaskDefinition(abs, text)
		if err != nil {
			return problem(err)
		}
		for _, c := range in.ContainerDefinitions {
			td.Containers = append(td.Containers, aws.ToString(c.Name))
		}
		td.Input = NormalizeTaskDefinition(in)
		if verrs := ValidateTaskDefinition(abs, in); len(verrs) > 0 {
			return problem(verrs...)
		}
		defs.TaskDefinitions = append(defs.TaskDefinitions, td)
		return td
	}
	for _, s := range sel.Services {
		svc := &Service{Name: s.Name}
		if s.TaskDefinition != "" {
			svc.TaskDefinition = loadTD(s.Name, s.TaskDefinition)
		}
		problem := func(p ...error) {
			if !keep {
				errs = append(errs, p...)
				return
			}
			svc.Problems = append(svc.Problems, p...)
			defs.Services = append(defs.Services, svc)
		}
		if s.ServiceDefinition != "" {
			text, abs, err := r.RenderJSON(s.ServiceDefinition)
			if err != nil {
				problem(err)
				continue
			}
			svc.File = abs
			in, declared, err := DecodeService(abs, text)
			if err != nil {
				problem(err)
				continue
			}
			var tdIn *awsecs.RegisterTaskDefinitionInput
			if svc.TaskDefinition != nil {
				tdIn = svc.TaskDefinition.Input
			}
			svc.Input, svc.Declared = NormalizeService(in), declared
			if verrs := ValidateService(abs, s.Name, in, tdIn); len(verrs) > 0 {
				problem(verrs...)
				continue
			}
		}
		defs.Services = append(defs.Services, svc)
	}
	for _, td := range sel.TaskDefinitions {
		loadTD(td.Name, td.Path)
	}
	errs = append(errs, checkFamilies(defs.TaskDefinitions)...)
	return defs, errs
}

// checkFamilies refuses two config entries that render the same family
// differently: registering both would leave the family's latest revision
// depending on the order.
func checkFamilies(tds []*TaskDefinition) []error {
	var errs []error
	first := map[string]*TaskDefinition{}
	for _, td := range tds {
		if td.Input == nil {
			continue
		}
		prev, ok := first[td.Family()]
		if !ok {
			first[td.Family()] = td
			continue
		}
		if !bytes.Equal(Canonical(prev.Input), Canonical(td.Input)) {
			errs = append(errs, fmt.Errorf("%s: family: %q is also the family of %s (%s) with different contents; give one of them another family",
				td.File, td.Family(), prev.Name, prev.File))
		}
	}
	return errs
}
