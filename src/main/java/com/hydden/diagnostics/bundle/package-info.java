/**
 * Fleet bundles: {@code POST /internal/v1/bundle} collects several profiles and the stats of many nodes at
 * once and streams them back as one zip with a manifest.
 *
 * <p>Decisions:
 * <ul>
 *   <li>Every item goes through one method, {@code ItemCollector.collect(node, module, profile, seconds)},
 *       which gives a profile to stream or the problem the single endpoint would have answered; how an
 *       item is collected (a node call; for cpu, a place in the node's shared cpu run) is decided there only. Every item is authorized through
 *       {@code Permissions.check} (the single endpoint's check, per profile item) before anything starts.</li>
 *   <li>At most {@code diagnostics.bundle.parallelism} node calls run at once, cpu items first, one call per
 *       node at a time. A ready profile waits for the writer with its node held by gRPC flow control, so
 *       memory follows the parallelism, not the number of nodes.</li>
 *   <li>The zip is written front to back by {@code ZipWriter}, entries STORED; a profile's size is not
 *       known before its last chunk, so its entry ends with a data descriptor. A profile that fails
 *       mid-stream is left out of the central directory (its bytes stay, unreachable) and an error entry
 *       follows, so every listed entry is either a whole profile or an error.</li>
 *   <li>The disconnect watch stays on until the archive's last byte: the writer may wait for a cpu item
 *       with nothing to write, and a client that leaves then must still stop every node call. (The watch sees
 *       TCP connections: an HTTP/2 client that resets only its stream is noticed at the next write, as for
 *       {@code /pprof}.)</li>
 *   <li>One audit line per bundle (its request ID is the bundle's ID) and one per item carrying it.</li>
 * </ul>
 */
package com.hydden.diagnostics.bundle;
