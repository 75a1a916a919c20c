package main

import "github.com/tamp-ecs/tamp/internal/clients"

// Clients is the one seam to AWS (internal/clients): the SDK's clients in
// the tool, fakes in command tests.
type Clients = clients.Set

// ECSAPI is what the commands use of ECS.
type ECSAPI = clients.ECSAPI
