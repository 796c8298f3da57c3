// Package capacity works out the replicas and resource requests a release
// needs from what load testing measured, showing every step of the
// arithmetic so that a reviewer can check it, and writes the Kubernetes
// Deployment that carries the result.
//
// Arithmetic is exact (rational numbers over bytes and millicores) until
// the final rounding: replicas round up to whole replicas, memory requests
// up to a multiple of round_to (default 16Mi), CPU requests up to whole
// millicores (or round_to).
package capacity

// Spec is a capacity plan's input, as written in a capacity file.
type Spec struct {
	Service    string      `yaml:"service,omitempty" json:"service,omitempty"`
	Release    string      `yaml:"release,omitempty" json:"release,omitempty"`
	Deployment Deployment  `yaml:"deployment" json:"deployment"`
	Components []Component `yaml:"components" json:"components"`
}

// Deployment names the Kubernetes Deployment that runs the components, one
// container each.
type Deployment struct {
	Name      string            `yaml:"name" json:"name"`
	Namespace string            `yaml:"namespace,omitempty" json:"namespace,omitempty"`
	Labels    map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"` // also the selector; default app: <name>
}

// Component is one container of the Deployment and what is known about its load.
type Component struct {
	Name     string    `yaml:"name" json:"name"`
	Image    string    `yaml:"image,omitempty" json:"image,omitempty"`
	Ports    []int32   `yaml:"ports,omitempty" json:"ports,omitempty"`
	Replicas int       `yaml:"replicas,omitempty" json:"replicas,omitempty"` // running now
	Users    *Users    `yaml:"users,omitempty" json:"users,omitempty"`
	Memory   *Resource `yaml:"memory,omitempty" json:"memory,omitempty"`
	CPU      *Resource `yaml:"cpu,omitempty" json:"cpu,omitempty"`
	Queue    *Queue    `yaml:"queue,omitempty" json:"queue,omitempty"`
}

// Users is the concurrent users a component serves.
type Users struct {
	Now        int `yaml:"now,omitempty" json:"now,omitempty"`
	Target     int `yaml:"target" json:"target"`
	PerReplica int `yaml:"per_replica" json:"per_replica"`         // at the current allocation
	Spare      int `yaml:"spare,omitempty" json:"spare,omitempty"` // replicas beyond need, e.g. 1 for N+1
}

// Resource is one resource of a component: what it requests now, how much
// of that it uses, how the release changes that, and how full the new
// request may be. CPU may instead be a multiple of another component's.
type Resource struct {
	Request     string `yaml:"request,omitempty" json:"request,omitempty"`         // e.g. 256Mi, 250m
	Used        string `yaml:"used,omitempty" json:"used,omitempty"`               // measured use, e.g. 1Gi at a full queue
	Utilization string `yaml:"utilization,omitempty" json:"utilization,omitempty"` // share of the request in use, e.g. 85%
	Change      string `yaml:"change,omitempty" json:"change,omitempty"`           // expected change in use from the release, e.g. +25%
	Ceiling     string `yaml:"ceiling,omitempty" json:"ceiling,omitempty"`         // highest share of the new request to use; default 100%
	RoundTo     string `yaml:"round_to,omitempty" json:"round_to,omitempty"`       // memory default 16Mi, cpu 1m

	Like      string  `yaml:"like,omitempty" json:"like,omitempty"`             // cpu only: another component
	Times     float64 `yaml:"times,omitempty" json:"times,omitempty"`           // ... times its cpu request
	PerWorker bool    `yaml:"per_worker,omitempty" json:"per_worker,omitempty"` // ... for each queue worker
}

// Queue describes a component that works through a queue.
type Queue struct {
	Workers     int         `yaml:"workers" json:"workers"`         // processes
	Concurrency int         `yaml:"concurrency" json:"concurrency"` // items each works on at once
	ServiceTime ServiceTime `yaml:"service_time" json:"service_time"`
	Size        int         `yaml:"size,omitempty" json:"size,omitempty"`                 // items in a full queue
	DrainWithin string      `yaml:"drain_within,omitempty" json:"drain_within,omitempty"` // e.g. 1h
	Item        string      `yaml:"item,omitempty" json:"item,omitempty"`                 // what an item is called, e.g. order
}

// ServiceTime is how long one item takes, from the quickest to the slowest.
type ServiceTime struct {
	Min string `yaml:"min" json:"min"`
	Max string `yaml:"max" json:"max"`
}
