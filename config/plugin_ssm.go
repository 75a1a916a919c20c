package config

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/ast"

	"github.com/tamp-ecs/tamp/internal/mask"
)

// SSMAPI is the part of SSM Parameter Store the ssm functions use.
type SSMAPI interface {
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
}

var _ SSMAPI = (*ssm.Client)(nil)

// ssmBatch is GetParameters' limit on names per call.
const ssmBatch = 10

// ssmPlugin offers `ssm NAME [INDEX]` (templates) and ssm(name) /
// ssm_list(name, index) (Jsonnet). Values are fetched by Prefetch in
// batches of ten names, each name once per run; SecureString values are
// decrypted and registered with the masker.
//
//	plugins:
//	  - name: ssm
//	    config: { region: us-east-1 }   # optional
//	    func_prefix: use1_
func ssmPlugin(ctx context.Context, setup PluginSetup) (Functions, error) {
	region, err := regionOnly("ssm", setup.Config)
	if err != nil {
		return Functions{}, err
	}
	store := &ssmStore{
		masker: setup.Masker,
		params: map[string]ssmParam{},
		client: func(ctx context.Context) (SSMAPI, error) {
			if setup.SSM != nil {
				return setup.SSM, nil
			}
			cfg, err := setup.AWS(ctx, region)
			if err != nil {
				return nil, err
			}
			return ssm.NewFromConfig(cfg), nil
		},
	}
	p := setup.Prefix
	return Functions{
		Template: template.FuncMap{
			p + "ssm": func(name string, index ...int) (string, error) {
				if len(index) > 1 {
					return "", fmt.Errorf("ssm takes a name and at most one index")
				}
				return store.value(ctx, name, index...)
			},
		},
		Native: []*jsonnet.NativeFunction{
			{
				Name:   p + "ssm",
				Params: ast.Identifiers{"name"},
				Func: func(args []any) (any, error) {
					name, ok := args[0].(string)
					if !ok {
						return nil, fmt.Errorf("ssm: the name must be a string, got %v", args[0])
					}
					return store.value(ctx, name)
				},
			},
			{
				Name:   p + "ssm_list",
				Params: ast.Identifiers{"name", "index"},
				Func: func(args []any) (any, error) {
					name, ok := args[0].(string)
					index, isNum := args[1].(float64)
					if !ok || !isNum || index != float64(int(index)) {
						return nil, fmt.Errorf("ssm_list: expects a name and a whole-number index, got %v, %v", args[0], args[1])
					}
					return store.value(ctx, name, int(index))
				},
			},
		},
		Prefetch: []Prefetcher{store},
	}, nil
}

type ssmParam struct {
	value, typ string
	err        error
}

type ssmStore struct {
	client func(context.Context) (SSMAPI, error)
	masker *mask.Masker

	mu         sync.Mutex
	collecting bool
	wanted     []string
	params     map[string]ssmParam
}

func (s *ssmStore) Collect(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.collecting = on
}

// Fetch gets every name recorded while collecting that is not known yet.
// Failures are kept per name and reported where the name is used.
func (s *ssmStore) Fetch(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var missing []string
	for _, n := range s.wanted {
		if _, ok := s.params[n]; !ok {
			missing = append(missing, n)
		}
	}
	s.wanted = nil
	s.fetch(ctx, missing)
}

// value returns the parameter's value, or the index-th element of a
// StringList. While collecting it only records the name.
func (s *ssmStore) value(ctx context.Context, name string, index ...int) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.collecting {
		if !slices.Contains(s.wanted, name) {
			s.wanted = append(s.wanted, name)
		}
		return "", nil
	}
	p, ok := s.params[name]
	if !ok {
		s.fetch(ctx, []string{name})
		p = s.params[name]
	}
	if p.err != nil {
		return "", p.err
	}
	if len(index) == 0 {
		if p.typ == string(ssmtypes.ParameterTypeStringList) {
			return "", fmt.Errorf("parameter %s is a StringList of %d items; give the index of one, counting from 0 ({{ ssm `%s` 0 }}, or std.native('ssm_list')('%s', 0) in Jsonnet)",
				name, len(strings.Split(p.value, ",")), name, name)
		}
		return p.value, nil
	}
	if p.typ != string(ssmtypes.ParameterTypeStringList) {
		return "", fmt.Errorf("parameter %s is a %s, not a StringList; drop the index", name, p.typ)
	}
	items := strings.Split(p.value, ",")
	if index[0] < 0 || index[0] >= len(items) {
		return "", fmt.Errorf("parameter %s has %d items; index %d is out of range", name, len(items), index[0])
	}
	return items[index[0]], nil
}

// fetch asks for names in batches of ten; s.mu is held.
func (s *ssmStore) fetch(ctx context.Context, names []string) {
	if len(names) == 0 {
		return
	}
	api, err := s.client(ctx)
	if err != nil {
		for _, n := range names {
			s.params[n] = ssmParam{err: err}
		}
		return
	}
	for batch := range slices.Chunk(names, ssmBatch) {
		out, err := api.GetParameters(ctx, &ssm.GetParametersInput{Names: batch, WithDecryption: aws.Bool(true)})
		if err != nil {
			err = ssmProblem(err)
			for _, n := range batch {
				s.params[n] = ssmParam{err: err}
			}
			continue
		}
		for _, p := range out.Parameters {
			param := ssmParam{value: aws.ToString(p.Value), typ: string(p.Type)}
			if p.Type == ssmtypes.ParameterTypeSecureString && s.masker != nil {
				s.masker.Add(param.value)
			}
			// A name may carry a version or label selector, or be an ARN
			// (an ARN answers only for the unselected parameter).
			keys := []string{aws.ToString(p.Name) + aws.ToString(p.Selector)}
			if p.Selector == nil {
				keys = append(keys, aws.ToString(p.ARN))
			}
			for _, key := range keys {
				if slices.Contains(batch, key) {
					s.params[key] = param
				}
			}
		}
		for _, n := range batch {
			if _, ok := s.params[n]; !ok {
				s.params[n] = ssmParam{err: fmt.Errorf("parameter %s not found; check its name and region", n)}
			}
		}
	}
}

func ssmProblem(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("ssm:GetParameters: %s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return fmt.Errorf("ssm:GetParameters: %w", err)
}

// regionOnly reads a plugin config that may only name a region.
func regionOnly(plugin string, cfg map[string]any) (string, error) {
	settings, err := stringSettings(cfg, PluginKeys(plugin)...)
	return settings["region"], err
}
