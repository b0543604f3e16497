package dev.descent.conformance;

import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.MemoryUse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * Deterministic release: scopes close what was made inside them except kept tensors, and a
 * storage lives as long as any tensor (base or view) that uses it.
 */
final class MemoryCases {
    private static final String CATEGORY = "memory";
    private static final DType F = DType.FLOAT32;

    private MemoryCases() {
    }

    static Stream<DynamicNode> memory(Harness h) {
        List<DynamicNode> cases = new ArrayList<>();
        cases.add(h.test(CATEGORY, "device", "a tensor made on the backend's device reports that device", c -> {
            try (Tensor t = Tensor.zeros(c.device(), F, 3)) {
                c.expectThat(t.device().equals(c.device()), "a tensor made on " + c.device() + " reports the device "
                        + t.device() + ": a backend that wraps another must wrap its Storages so that they report the"
                        + " wrapper's device (core finds a tensor's backend from its storage's device); see Backend's"
                        + " Javadoc");
            }
        }));
        cases.add(h.test(CATEGORY, "memoryInUse", "the backend reports its live storages and close() frees them", c -> {
            Backend b = Backends.forDevice(c.device());
            MemoryUse before = b.memoryInUse(c.device());
            c.expectThat(before.reported(), "the backend must report its memory (Backend.memoryInUse): the leak"
                    + " checks of every case read it");
            Tensor t = Tensor.zeros(c.device(), F, 1000);
            MemoryUse live = b.memoryInUse(c.device());
            t.close();
            MemoryUse after = b.memoryInUse(c.device());
            c.expectThat(live.storages() == before.storages() + 1 && live.bytes() >= before.bytes() + 4000,
                    "a float32[1000] tensor should add one storage and at least 4000 bytes: before " + before
                            + ", with it " + live);
            c.expectThat(after.equals(before), "closing it should free its storage: before " + before + ", after"
                    + " close() " + after + " (Storage.free() must release the memory)");
        }));
        for (int[] shape : new int[][] {{7}, {33, 5}, {2, 3, 257}}) {
            cases.add(h.test(CATEGORY, "memoryInUse", "a Scope frees every storage of add, matmul and sum " + F + " "
                    + Harness.dims(shape), c -> {
                Backend b = Backends.forDevice(c.device());
                MemoryUse before = b.memoryInUse(c.device());
                try (Scope scope = Scope.open()) {
                    Tensor x = Tensor.randn(c.gen(), F, shape);
                    x.add(x).sum();
                    Tensor m = x.reshape(-1, shape[shape.length - 1]);
                    m.matmul(m.transpose(0, 1)).exp();
                }
                Harness.checkNoLeak("memoryInUse", before, b.memoryInUse(c.device()));
            }));
        }
        cases.add(h.test(CATEGORY, "Scope", "a scope releases every tensor made inside it except the kept one", c -> {
            Input x = c.input(F, Layout.CONTIGUOUS, Domain.NORMAL, 3, 4);
            Tensor a;
            Tensor b;
            Tensor view;
            Tensor kept;
            try (Scope scope = Scope.open()) {
                a = x.tensor().abs();
                b = a.add(1);
                view = b.transpose(0, 1);
                kept = scope.keep(b.mul(2));
            }
            c.expectThat(a.isClosed() && b.isClosed() && view.isClosed(),
                    "a, b and view should be closed, got " + a.isClosed() + ", " + b.isClosed() + ", " + view.isClosed());
            c.expectThat(!kept.isClosed() && !x.tensor().isClosed(), "the kept tensor and the outer input stay open");
            c.expect(kept, F, x.values().map(v -> (Math.abs(v) + 1) * 2), Tolerance.rounded(F));
        }));
        cases.add(h.test(CATEGORY, "Scope", "a kept tensor moves to the enclosing scope and is released with it", c -> {
            Tensor inner;
            Scope outer = Scope.open();
            try (outer) {
                try (Scope scope = Scope.open()) {
                    inner = scope.keep(Tensor.ones(c.device(), F, 5));
                }
                c.expectThat(!inner.isClosed(), "kept tensor closed by the inner scope");
                c.expect(inner.mul(3), F, RefArray.full(3, 5));
            }
            c.expectThat(inner.isClosed(), "the enclosing scope should release the kept tensor");
        }));
        cases.add(h.test(CATEGORY, "Scope", "ops on a tensor released by its scope throw IllegalStateException", c -> {
            Tensor t;
            Scope scope = Scope.open();
            try (scope) {
                t = Tensor.zeros(c.device(), F, 2, 2);
            }
            c.expectThrows(IllegalStateException.class, () -> t.add(1), "add", "closed");
        }));
        cases.add(h.test(CATEGORY, "Scope", "a scope opened in a loop releases each iteration's tensors", c -> {
            Tensor acc = Tensor.zeros(c.device(), F, 256, 256);
            List<Tensor> made = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Scope scope = Scope.open();
                try (scope) {
                    Tensor step = acc.add(1);
                    made.add(step);
                    acc.copyFrom(step);
                }
            }
            c.expectThat(made.stream().allMatch(Tensor::isClosed), "every iteration's tensor should be closed");
            c.expect(acc, F, RefArray.full(50, 256, 256));
        }));
        List<UnaryOperator<Tensor>> views = List.of(t -> t.transpose(0, 1), t -> t.narrow(1, 1, 3),
                t -> t.slice(0, 0, 4, 2), t -> t.reshape(24), t -> t.select(0, 2), t -> t.unsqueeze(0).expand(2, 4, 6),
                t -> t.to(F));
        List<UnaryOperator<RefArray>> refs = List.of(r -> r.transpose(0, 1), r -> r.narrow(1, 1, 3),
                r -> r.slice(0, 0, 4, 2), r -> r.reshape(24), r -> r.select(0, 2), r -> r.unsqueeze(0).expand(2, 4, 6),
                r -> r);
        String[] names = {"transpose", "narrow", "slice", "reshape", "select", "expand", "to(same dtype)"};
        for (int i = 0; i < views.size(); i++) {
            UnaryOperator<Tensor> view = views.get(i);
            UnaryOperator<RefArray> ref = refs.get(i);
            cases.add(h.test(CATEGORY, "close", "closing a base keeps its live " + names[i] + " view usable", c -> {
                Input x = c.input(F, Layout.CONTIGUOUS, Domain.NORMAL, 4, 6);
                Tensor v = view.apply(x.tensor());
                x.tensor().close();
                c.expectThat(x.tensor().isClosed() && !v.isClosed(), "base closed, view open");
                RefArray want = ref.apply(x.values());
                c.expect(v, F, want);
                c.expect(v.mul(2), F, want.map(e -> 2 * e), Tolerance.rounded(F));
                c.expect(v.fill(5), F, RefArray.full(5, want.shape()));
                v.close();
            }));
        }
        cases.add(h.test(CATEGORY, "close", "closing a view leaves its base usable", c -> {
            Input x = c.input(F, Layout.CONTIGUOUS, Domain.NORMAL, 4, 6);
            Tensor v = x.tensor().transpose(0, 1);
            v.close();
            c.expect(x.tensor().add(1), F, x.values().map(e -> e + 1), Tolerance.rounded(F));
        }));
        cases.add(h.test(CATEGORY, "close", "close() twice is harmless and the tensor stays closed", c -> {
            Tensor t = Tensor.ones(c.device(), F, 3);
            Tensor view = t.reshape(3, 1);
            t.close();
            t.close();
            c.expectThat(t.isClosed(), "closed");
            c.expect(view, F, RefArray.full(1, 3, 1));
            view.close();
            view.close();
            c.expectThrows(IllegalStateException.class, () -> view.sum(), "sum");
        }));
        return Stream.of(DynamicContainer.dynamicContainer("memory", cases));
    }
}
