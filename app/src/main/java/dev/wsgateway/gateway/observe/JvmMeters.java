package dev.wsgateway.gateway.observe;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.management.OperatingSystemMXBean;
import io.helidon.metrics.api.MeterRegistry;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * JVM and process meters under the names Prometheus users' JVM dashboards expect ({@code jvm_memory_used_bytes},
 * {@code jvm_gc_pause_seconds}, {@code jvm_threads_live_threads}, {@code process_cpu_usage}, ...): Micrometer's
 * standard binders, bound to the Micrometer registry underneath Helidon's.
 * <p>
 * They replace Helidon's system meters ({@code memory_usedHeap_bytes}, {@code thread_count}, ...), whose camelCase
 * names and {@code _count} suffixes on gauges Prometheus' linter rejects. Micrometer's {@code ProcessorMetrics} is
 * not used for the same reason ({@code system_cpu_count} is a gauge, {@code process_cpu_time_ns_total} counts
 * nanoseconds); its CPU meters are registered here under lint-clean names instead. Bound once per JVM, like the
 * registry.
 */
final class JvmMeters {
    private static final AtomicBoolean BOUND = new AtomicBoolean();

    private JvmMeters() {
    }

    /**
     * Bind the JVM and process meters to the registry, unless already done in this JVM.
     *
     * @param registry Helidon's meter registry (backed by Micrometer)
     */
    static void bindOnce(MeterRegistry registry) {
        if (!BOUND.compareAndSet(false, true)) {
            return;
        }
        io.micrometer.core.instrument.MeterRegistry micrometer =
                registry.unwrap(io.micrometer.core.instrument.MeterRegistry.class);
        // not Micrometer's JvmGcMetrics: it registers its pause timers from the JVM's GC notification thread when a
        // collection happens, and a registration there (Micrometer's lock, then Helidon's registry lock) deadlocks
        // with a gateway thread registering a meter through Helidon (the same locks the other way round)
        List<MeterBinder> binders = List.of(new JvmMemoryMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(),
                                            new JvmInfoMetrics(), new UptimeMetrics(), new FileDescriptorMetrics(),
                                            JvmMeters::gc, JvmMeters::cpu);
        for (MeterBinder binder : binders) {
            binder.bindTo(micrometer);
        }
    }

    /**
     * {@code jvm_gc_pause_seconds_count} / {@code _sum} per collector, registered now (not on the first collection).
     */
    private static void gc(io.micrometer.core.instrument.MeterRegistry micrometer) {
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            FunctionTimer.builder("jvm.gc.pause", bean, GarbageCollectorMXBean::getCollectionCount,
                                  GarbageCollectorMXBean::getCollectionTime, TimeUnit.MILLISECONDS)
                    .tag("gc", bean.getName())
                    .description("Time spent in GC collections (pauses and concurrent cycles) of this collector")
                    .register(micrometer);
        }
    }

    private static void cpu(io.micrometer.core.instrument.MeterRegistry micrometer) {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os)) {
            return;
        }
        Gauge.builder("process.cpu.usage", os, OperatingSystemMXBean::getProcessCpuLoad)
                .description("Recent CPU usage of the gateway's process (0..1 of the whole machine)")
                .register(micrometer);
        Gauge.builder("system.cpu.usage", os, OperatingSystemMXBean::getCpuLoad)
                .description("Recent CPU usage of the whole machine (0..1)")
                .register(micrometer);
        FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                .baseUnit("seconds")
                .description("CPU time used by the gateway's process")
                .register(micrometer);
        if (os.getSystemLoadAverage() >= 0) {
            Gauge.builder("system.load.average.1m", os, OperatingSystemMXBean::getSystemLoadAverage)
                    .description("Run queue length plus running processes, averaged over a minute")
                    .register(micrometer);
        }
    }
}
