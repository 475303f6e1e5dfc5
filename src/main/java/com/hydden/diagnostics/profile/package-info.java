/**
 * The pprof format: decode with a cap, subtract one snapshot from another, encode. No HTTP or gRPC here;
 * callers get profiles and exceptions and decide what to answer.
 *
 * <p>Decisions:
 * <ul>
 *   <li>The classes are generated at build time from {@code src/main/proto/profile.proto}, written from
 *       google/pprof's field list (same package, names, numbers and types).</li>
 *   <li>A snapshot waits compressed ({@link com.hydden.diagnostics.profile.CappedBuffer}); decoding streams the
 *       decompressor into the parser through a counter, so the cap holds for gzip bombs too and no decompressed
 *       copy is held beside the parsed profile.</li>
 *   <li>{@link com.hydden.diagnostics.profile.ProfileDelta} matches by content as pprof's merge does, and takes
 *       {@code inuse_*} values from the second snapshot instead of subtracting them.</li>
 * </ul>
 */
package com.hydden.diagnostics.profile;
