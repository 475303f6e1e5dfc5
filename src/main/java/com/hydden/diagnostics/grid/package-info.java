/**
 * Reaching grid nodes over the gRPC protocol in {@code grid_api.proto}. Generated classes stay in this
 * package; nothing above it sees a protobuf type.
 *
 * <p>Decisions:
 * <ul>
 *   <li>One grpc-okhttp channel per node address, owned by the {@link com.hydden.diagnostics.grid.GridChannels}
 *       singleton, which only hands channels out: calls are made by callers, so gRPC failures never cross
 *       the EJB boundary. A channel whose last connection failed is replaced rather than left in backoff.
 *       A node with hundreds of calls at once gets further channels, so no connection carries thousands of
 *       streams. A channel is retired after 2,000 calls or an hour, before grpc-okhttp's count of the
 *       control frames it sent closes its connection under a call.</li>
 *   <li>Time limits follow what the node does: the TCP connect is bounded by the connect timeout (socket
 *       factory); the first chunk by the cpu seconds plus the timeout; after that only a transfer without
 *       progress on either side is cut.</li>
 *   <li>Flow control ties the node to the HTTP client: a few chunks are requested ahead, one more for each
 *       written; the gRPC window is 1 MiB, so a large profile does not stall on window updates.</li>
 *   <li>{@link com.hydden.diagnostics.grid.NodeFacts} asks a node's GetStats beside its profile call and keeps
 *       the answer a minute; a failing GetStats yields no facts, never a failed request, and a slow one holds
 *       a profile back at most 5 s.
 *       {@link com.hydden.diagnostics.grid.NodeStats} turns an answer into header values (printable ASCII
 *       only) and tells a restart between two answers.</li>
 *   <li>gRPC statuses become HTTP answers through one table, {@link com.hydden.diagnostics.grid.GridStatus};
 *       node messages are logged, never returned.</li>
 *   <li>Threads are plain daemon threads carrying this application's class loader: Payara's default
 *       ManagedThreadFactory keeps the context of the first application that used it, which after a
 *       redeploy is a stopped one.</li>
 * </ul>
 */
package com.hydden.diagnostics.grid;
