/**
 * A grid node written in Java for demos, tests and benchmarks: it speaks the grid protocol like the Go
 * nodes and answers every profile type with a valid pprof file about its own JVM.
 *
 * <p>Decisions: it lives in test scope so it never ships in the WAR. Each profile carries exactly the
 * sample and period types Go's runtime/pprof writes for that profile, so clients and {@code go tool pprof}
 * treat it like a Go node's; the values are the nearest facts the JVM keeps, and a sample whose fact has no
 * stack gets one bracketed frame naming its owner (a thread, a heap pool) rather than an invented stack.
 *
 * <p>{@link com.hydden.diagnostics.demo.PayaraMicro} runs the packaged WAR on a stock Payara Micro in a JVM of
 * its own, configured only by system properties, as operators run it: the quick start
 * ({@link com.hydden.diagnostics.demo.QuickStart}) and the packaging test use it. Nothing here ships in the
 * WAR, so the quick start's demo token exists only in the token file that the quick start writes.
 */
package com.hydden.diagnostics.demo;
