package fakeaws

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
)

// SecretsManager is an in-memory Secrets Manager answering DescribeSecret
// by name or ARN, as tamp's secretsmanager_arn reads it. Make one with
// NewSecretsManager; it is safe for concurrent use.
type SecretsManager struct {
	callLedger

	mu   sync.Mutex
	arns map[string]string // name -> ARN
}

// NewSecretsManager is a Secrets Manager without secrets.
func NewSecretsManager() *SecretsManager { return &SecretsManager{arns: map[string]string{}} }

// Create adds a secret; its ARN ends in the six random characters AWS adds
// (here a fixed "-AbCdEf").
func (s *SecretsManager) Create(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-AbCdEf", Region, Account, name)
	s.arns[name] = arn
	return arn
}

// DescribeSecret returns the secret's name and ARN.
func (s *SecretsManager) DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	if err := s.enter(ctx, "DescribeSecret"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := aws.ToString(in.SecretId)
	for name, arn := range s.arns {
		if id == name || id == arn || strings.HasPrefix(arn, id+"-") {
			return &secretsmanager.DescribeSecretOutput{Name: aws.String(name), ARN: aws.String(arn)}, nil
		}
	}
	return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret."}
}
