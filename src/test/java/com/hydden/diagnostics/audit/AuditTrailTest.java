package com.hydden.diagnostics.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuditTrailTest {

    private final Logger audit = Logger.getLogger(AuditRecord.LOGGER);
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private boolean parentHandlers;

    @BeforeEach
    void capture() {
        parentHandlers = audit.getUseParentHandlers();
        audit.setUseParentHandlers(false);
        audit.addHandler(capture);
    }

    @AfterEach
    void release() {
        audit.removeHandler(capture);
        audit.setUseParentHandlers(parentHandlers);
    }

    @Test
    void linesFromManyThreads_allLoggedOffTheirThreads_noneLostAtStop() {
        AuditTrail trail = new AuditTrail();
        trail.start();
        long caller = Thread.currentThread().getId();
        IntStream.range(0, 4).parallel().forEach(t -> {
            for (int i = 0; i < 2500; i++) {
                String line = t + ":" + i;
                trail.write(() -> line);
            }
        });
        trail.stop(); // writes whatever is still queued

        assertEquals(10_000, logged.size(), "every queued line is logged, also those queued at stop");
        for (int t = 0; t < 4; t++) {
            String prefix = t + ":";
            List<String> ofOneThread = logged.stream().map(LogRecord::getMessage).filter(m -> m.startsWith(prefix)).toList();
            assertEquals(IntStream.range(0, 2500).mapToObj(i -> prefix + i).toList(), ofOneThread,
                    "one thread's lines keep their order");
        }
        logged.forEach(r -> assertNotEquals(caller, r.getLongThreadID(), "logged on the trail's thread"));
        assertEquals(java.util.logging.Level.INFO, logged.get(0).getLevel());
    }
}
