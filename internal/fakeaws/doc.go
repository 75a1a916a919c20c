// Package fakeaws holds in-memory fakes of the AWS APIs tamp calls, for the
// tests of every package. The fakes keep state and answer as AWS does (the
// latest ACTIVE revision for a bare family, deployments that roll out, a
// circuit breaker that rolls back, tasks that stop with an exit code), so a
// test drives a workflow end to end and then asserts on what was called.
// Each fake counts calls per operation and can fail any operation on demand.
//
// Only tests import this package; nothing in it is linked into the tamp
// binary. It depends on no tamp domain package, so that those packages' own
// tests can use it: each checks the fake against its narrow interface.
package fakeaws
