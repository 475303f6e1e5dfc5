// A grid node in Go for the benchmark's cross-check: it answers the benchmark's node IDs the way the
// project's test node does, through grpc-go, so `bench/run -Dbench.node=HOST:PORT` measures the gateway
// against a node written like the real ones. See bench/README.md.
package main

import (
	"context"
	"flag"
	"log"
	"math/rand"
	"net"
	"runtime"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "gonode/api"
)

const chunk = 64 * 1024

type node struct {
	api.UnimplementedGridServer
	big, small []byte
	started    time.Time
}

func random(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

// GetStats answers as a grid node does: the gateway asks it beside profile calls and keeps the answer a minute.
func (n *node) GetStats(context.Context, *api.StatsRequest) (*api.Stats, error) {
	return &api.Stats{
		NID:       "bench",
		Version:   "bench",
		Component: "grid.client",
		Uptime:    int64(time.Since(n.started).Seconds()),
		Runtime: &api.Runtime{
			Version:  runtime.Version(),
			MaxProcs: int32(runtime.GOMAXPROCS(0)),
			Arch:     runtime.GOARCH,
			OS:       runtime.GOOS,
		},
	}, nil
}

func (n *node) Profile(req *api.ProfileRequest, stream api.Grid_ProfileServer) error {
	var data []byte
	switch req.Client {
	case "bench-big", "bench-slow":
		data = n.big
	case "bench-small":
		data = n.small
	case "bench-held":
		select {
		case <-time.After(10 * time.Second):
		case <-stream.Context().Done():
			return status.Error(codes.Canceled, "cancelled")
		}
		data = n.small
	default:
		return status.Error(codes.NotFound, "not a benchmark node: "+req.Client)
	}
	for len(data) > 0 {
		size := chunk
		if size > len(data) {
			size = len(data)
		}
		// Send blocks while the caller's flow-control window is full: a slow reader slows this node.
		if err := stream.Send(&api.ProfileChunk{Data: data[:size]}); err != nil {
			return err
		}
		data = data[size:]
	}
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:7443", "listen address")
	flag.Parse()
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	s := grpc.NewServer()
	api.RegisterGridServer(s, &node{big: random(64<<20, 1), small: random(20<<10, 2), started: time.Now()})
	log.Printf("benchmark grid node on %s", *addr)
	log.Fatal(s.Serve(lis))
}
