package ecs

import "github.com/tamp-ecs/tamp/internal/fakeaws"

// The shared fakes answer the interfaces this package calls.
var (
	_ API    = (*fakeaws.ECS)(nil)
	_ RunAPI = (*fakeaws.ECS)(nil)
	_ Clock  = (*fakeaws.Clock)(nil)
)
