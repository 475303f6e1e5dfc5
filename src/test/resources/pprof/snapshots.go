// Wrote the go-*.pb.gz snapshots next to this file (go run snapshots.go, Go 1.19): two heap and two goroutine
// profiles of one process, with allocations and goroutines added between them. ProfileDeltaTest reads them.
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

var keep [][]byte

func load(n int) {
	for i := 0; i < n; i++ {
		keep = append(keep, make([]byte, 1<<14))
	}
}

func parse(n int) {
	for i := 0; i < n; i++ {
		_ = make([]byte, 1<<15)
	}
}

func write(name string, p string) {
	runtime.GC()
	f, _ := os.Create(name)
	pprof.Lookup(p).WriteTo(f, 0)
	f.Close()
}

func main() {
	runtime.MemProfileRate = 4096
	load(200)
	parse(100)
	write("heap0.out", "heap")
	write("gr0.out", "goroutine")
	for i := 0; i < 5; i++ {
		go func() { time.Sleep(time.Hour) }()
	}
	time.Sleep(100 * time.Millisecond)
	load(300)
	parse(400)
	keep = keep[:100]
	write("heap1.out", "heap")
	write("gr1.out", "goroutine")
}
