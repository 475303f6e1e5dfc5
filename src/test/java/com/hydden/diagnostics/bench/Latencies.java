package com.hydden.diagnostics.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Request times of one route in one run, and the wall time the run took. */
final class Latencies {

    private long[] nanos = new long[1024];
    private int count;
    private long wallNanos;

    synchronized void add(long requestNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = requestNanos;
    }

    synchronized void addWall(long runNanos) {
        wallNanos += runNanos;
    }

    synchronized int count() {
        return count;
    }

    /** The {@code q}-quantile (nearest rank) in milliseconds. */
    synchronized double percentileMillis(double q) {
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * count);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    /** Every request's time in seconds, in the order they were added. */
    synchronized double[] seconds() {
        return Arrays.stream(nanos, 0, count).mapToDouble(n -> n / 1e9).toArray();
    }

    synchronized double medianSeconds() {
        return percentileMillis(0.5) / 1e3;
    }

    /** Requests completed per second of wall time. */
    synchronized double perSecond() {
        return count / (wallNanos / 1e9);
    }

    /** The median over rounds of {@code figure} (of an even count, the mean of the middle two). */
    static double median(List<Latencies> rounds, ToDoubleFunction<Latencies> figure) {
        return median(rounds.stream().mapToDouble(figure).toArray());
    }

    /** The median of {@code values} (of an even count, the mean of the middle two); leaves them as they are. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
