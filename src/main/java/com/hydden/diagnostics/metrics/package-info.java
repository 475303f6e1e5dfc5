/**
 * Metrics for the server's {@code /metrics} endpoint (MicroProfile Metrics, Prometheus text).
 *
 * <p>Decisions: the features do not call this package; they fire CDI events with facts they already hold
 * (the audit trail's {@code RequestEnded}, the gate's {@code Refusal}), and the gauges read the limits and the
 * channel pool only when scraped. So the request path takes no lock for metrics, and no tag value can come
 * from a caller: profiles are known names, statuses are the server's own, refusal reasons are an enum.
 */
package com.hydden.diagnostics.metrics;
