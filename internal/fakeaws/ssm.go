package fakeaws

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// SSM is an in-memory Parameter Store answering GetParameters as SSM does:
// at most ten names a call, found ones in Parameters (by name or ARN),
// unknown ones in InvalidParameters. SecureString values are returned only
// with WithDecryption. Make one with NewSSM; it is safe for concurrent use.
type SSM struct {
	callLedger

	mu     sync.Mutex
	params map[string]ssmtypes.Parameter
}

// NewSSM is a Parameter Store without parameters.
func NewSSM() *SSM { return &SSM{params: map[string]ssmtypes.Parameter{}} }

// Put stores a parameter (String, StringList or SecureString) at version 1,
// or replaces it.
func (s *SSM) Put(name string, typ ssmtypes.ParameterType, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.params[name] = ssmtypes.Parameter{
		Name: aws.String(name), Type: typ, Value: aws.String(value), Version: 1,
		ARN: aws.String(fmt.Sprintf("arn:aws:ssm:%s:%s:parameter%s", Region, Account, name)),
	}
}

// GetParameters returns the named parameters.
func (s *SSM) GetParameters(ctx context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	if err := s.enter(ctx, "GetParameters"); err != nil {
		return nil, err
	}
	if len(in.Names) == 0 || len(in.Names) > 10 {
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: fmt.Sprintf("names: %d given, 1 to 10 allowed", len(in.Names))}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &ssm.GetParametersOutput{}
	arnPrefix := fmt.Sprintf("arn:aws:ssm:%s:%s:parameter", Region, Account)
	for _, n := range in.Names {
		p, ok := s.params[strings.TrimPrefix(n, arnPrefix)]
		if !ok {
			out.InvalidParameters = append(out.InvalidParameters, n)
			continue
		}
		if p.Type == ssmtypes.ParameterTypeSecureString && !aws.ToBool(in.WithDecryption) {
			p.Value = aws.String("(encrypted)")
		}
		out.Parameters = append(out.Parameters, p)
	}
	return out, nil
}
