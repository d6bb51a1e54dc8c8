package org.perceptual4j.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.bytedeco.javacpp.Pointer;

/**
 * Tracks peak memory between {@link #start} and {@link #stop}: heap in use (sampled, and exactly at
 * the start of every GC from the GC notifications, when the heap is fullest), bytes tracked by
 * JavaCPP's deallocators, and the off-heap resident memory, estimated as RSS minus the committed heap
 * (exact for a fixed, pre-touched heap; else a lower bound).
 */
final class PeakSampler {
    /** The peaks seen, in bytes. */
    record Peaks(long heapUsed, long javacppTracked, long offHeapResident) {
    }

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final AtomicLong heapPeak = new AtomicLong();
    private final AtomicLong javacppPeak = new AtomicLong();
    private final AtomicLong offHeapPeak = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener gcListener = this::onGc;
    private final long intervalMillis;
    private final Thread thread;
    private volatile boolean running = true;

    private PeakSampler(long intervalMillis) {
        this.intervalMillis = intervalMillis;
        this.thread = new Thread(this::loop, "peak-memory-sampler");
        thread.setDaemon(true);
    }

    /** Starts sampling every {@code intervalMillis} on a daemon thread. */
    static PeakSampler start(long intervalMillis) {
        if (intervalMillis < 1) {
            throw new IllegalArgumentException("intervalMillis: expected >= 1, got " + intervalMillis);
        }
        PeakSampler s = new PeakSampler(intervalMillis);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(s.gcListener, null, null);
                s.emitters.add(emitter);
            }
        }
        s.sample();
        s.thread.start();
        return s;
    }

    /** Stops sampling (after one last sample) and returns the peaks. */
    Peaks stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(gcListener);
            } catch (ListenerNotFoundException e) {
                // already gone: nothing to undo
            }
        }
        sample();
        return new Peaks(heapPeak.get(), javacppPeak.get(), offHeapPeak.get());
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        MemoryUsage heap = memory.getHeapMemoryUsage();
        heapPeak.accumulateAndGet(heap.getUsed(), Math::max);
        javacppPeak.accumulateAndGet(Pointer.totalBytes(), Math::max);
        offHeapPeak.accumulateAndGet(Math.max(0, Pointer.physicalBytes() - heap.getCommitted()), Math::max);
    }

    private void onGc(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long before = info.getGcInfo().getMemoryUsageBeforeGc().entrySet().stream()
                .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
        heapPeak.accumulateAndGet(before, Math::max);
    }
}
