/**
 * The REST boundary: {@code POST /internal/v1/pprof}.
 *
 * <p>Decisions:
 * <ul>
 *   <li>The body is parsed here with JSON-P on the raw bytes, not bound by a JSON provider, so every refusal
 *       names its field and hostile bodies (size, encoding, nesting, duplicate keys, huge numbers) all end as
 *       a 400.</li>
 *   <li>A request is suspended while its node works and resumed on a {@link
 *       com.hydden.diagnostics.pprof.ProfileWriters} thread when the first chunk or the failure arrives: the
 *       status is decided before the first byte, and waiting holds no thread.</li>
 *   <li>The container cannot abort a committed response nor tell a suspended request that its client left;
 *       {@link com.hydden.diagnostics.pprof.ClientConnection} reaches Payara's Grizzly connection for both,
 *       by name, and degrades to what the Servlet API gives elsewhere.</li>
 *   <li>Permissions are checked after validation (they need the profile, node and seconds), then the limits
 *       (per caller, in total, per node), all before any call to a node.</li>
 *   <li>A delta profile ({@link com.hydden.diagnostics.pprof.DeltaRun}) waits between its snapshots on a timer,
 *       not a thread, keeps the first snapshot compressed, holds its request places throughout (each snapshot
 *       counts at its node while it runs), and is cancelled by the same disconnect watch. The pprof arithmetic is in {@code profile/}, which knows no HTTP.</li>
 *   <li>Every 200 goes through {@code PprofResource.withNodeFacts}: the node's GetStats facts as headers.</li>
 * </ul>
 */
package com.hydden.diagnostics.pprof;
