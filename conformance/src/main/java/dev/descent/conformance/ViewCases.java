package dev.descent.conformance;

import static dev.descent.conformance.Harness.dims;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * Views and copies: each must present the reference's values for inputs of every layout;
 * views must share memory with their source (a write through the view lands exactly where
 * the reference says), copies must not.
 */
final class ViewCases {
    private static final String CATEGORY = "view";

    private ViewCases() {
    }

    /**
     * A view op on an input of {@code shape}.
     *
     * @param shares whether the result always shares memory with the input (reshape and
     *     contiguous only do for row-major inputs)
     * @param layouts the input layouts it applies to
     */
    record ViewOp(String op, String call, int[] shape, UnaryOperator<Tensor> apply, UnaryOperator<RefArray> ref,
            boolean shares, Layout... layouts) {
    }

    private static final Layout[] ANY = Layout.values();

    static List<ViewOp> ops() {
        List<ViewOp> v = new ArrayList<>();
        v.add(new ViewOp("reshape", "reshape(6, 4)", new int[] {2, 3, 4}, t -> t.reshape(6, 4), r -> r.reshape(6, 4),
                false, ANY));
        v.add(new ViewOp("reshape", "reshape(4, -1)", new int[] {2, 3, 4}, t -> t.reshape(4, -1),
                r -> r.reshape(4, 6), false, ANY));
        v.add(new ViewOp("reshape", "reshape(24)", new int[] {2, 3, 4}, t -> t.reshape(24), r -> r.reshape(24), false,
                ANY));
        v.add(new ViewOp("reshape", "reshape(2, 3, 2, 2)", new int[] {2, 3, 4}, t -> t.reshape(2, 3, 2, 2),
                r -> r.reshape(2, 3, 2, 2), false, ANY));
        v.add(new ViewOp("reshape", "reshape() to rank 0", new int[] {1}, t -> t.reshape(), r -> r.reshape(), false,
                ANY));
        v.add(new ViewOp("reshape", "reshape(1, 1)", new int[] {}, t -> t.reshape(1, 1), r -> r.reshape(1, 1), false,
                ANY));
        v.add(new ViewOp("reshape", "reshape(3, 0)", new int[] {0, 3}, t -> t.reshape(3, 0), r -> r.reshape(3, 0),
                false, ANY));
        v.add(new ViewOp("reshape", "reshape(5, 3)", new int[] {5, 1, 3}, t -> t.reshape(5, 3), r -> r.reshape(5, 3),
                false, ANY));
        v.add(new ViewOp("view", "view(6, 4)", new int[] {2, 3, 4}, t -> t.view(6, 4), r -> r.reshape(6, 4), true,
                Layout.CONTIGUOUS, Layout.STRIDED));
        v.add(new ViewOp("view", "view(-1)", new int[] {4, 5}, t -> t.view(-1), r -> r.reshape(20), true,
                Layout.CONTIGUOUS));
        v.add(new ViewOp("flatten", "flatten()", new int[] {2, 3, 4}, Tensor::flatten, r -> r.reshape(-1), false,
                ANY));
        v.add(new ViewOp("permute", "permute(2, 0, 1)", new int[] {2, 3, 4}, t -> t.permute(2, 0, 1),
                r -> r.permute(2, 0, 1), true, ANY));
        v.add(new ViewOp("permute", "permute(-1, 0, 1)", new int[] {2, 3, 4}, t -> t.permute(-1, 0, 1),
                r -> r.permute(2, 0, 1), true, ANY));
        v.add(new ViewOp("transpose", "transpose(0, 2)", new int[] {2, 3, 4}, t -> t.transpose(0, 2),
                r -> r.transpose(0, 2), true, ANY));
        v.add(new ViewOp("transpose", "transpose(-1, -2)", new int[] {2, 3, 4}, t -> t.transpose(-1, -2),
                r -> r.transpose(2, 1), true, ANY));
        v.add(new ViewOp("transpose", "transpose(0, -1) of rank 0", new int[] {}, t -> t.transpose(0, -1), r -> r,
                true, ANY));
        v.add(new ViewOp("t", "t()", new int[] {5, 3}, Tensor::t, r -> r.transpose(0, 1), true, ANY));
        v.add(new ViewOp("t", "t() of a vector", new int[] {5}, Tensor::t, r -> r, true, ANY));
        v.add(new ViewOp("unfold", "unfold(1, 2, 3) (windows apart)", new int[] {4, 8}, t -> t.unfold(1, 2, 3),
                r -> r.unfold(1, 2, 3), true, ANY));
        v.add(new ViewOp("unfold", "unfold(0, 3, 1) (overlapping windows)", new int[] {7, 2}, t -> t.unfold(0, 3, 1),
                r -> r.unfold(0, 3, 1), false, ANY));
        v.add(new ViewOp("unfold", "unfold(-1, 5, 2) of a vector", new int[] {9}, t -> t.unfold(-1, 5, 2),
                r -> r.unfold(0, 5, 2), true, ANY));
        v.add(new ViewOp("narrow", "narrow(1, 2, 3)", new int[] {5, 6}, t -> t.narrow(1, 2, 3),
                r -> r.narrow(1, 2, 3), true, ANY));
        v.add(new ViewOp("narrow", "narrow(0, 4, 1)", new int[] {5, 6}, t -> t.narrow(0, 4, 1),
                r -> r.narrow(0, 4, 1), true, ANY));
        v.add(new ViewOp("narrow", "narrow(1, 6, 0)", new int[] {5, 6}, t -> t.narrow(1, 6, 0),
                r -> r.narrow(1, 6, 0), true, ANY));
        v.add(new ViewOp("slice", "slice(1, 1, 8, 3)", new int[] {7, 9}, t -> t.slice(1, 1, 8, 3),
                r -> r.slice(1, 1, 8, 3), true, ANY));
        v.add(new ViewOp("slice", "slice(0, -3, 7, 1)", new int[] {7, 9}, t -> t.slice(0, -3, 7, 1),
                r -> r.slice(0, -3, 7, 1), true, ANY));
        v.add(new ViewOp("slice", "slice(1, -100, 100, 2)", new int[] {7, 9}, t -> t.slice(1, -100, 100, 2),
                r -> r.slice(1, -100, 100, 2), true, ANY));
        v.add(new ViewOp("slice", "slice(0, 5, 2, 1) (empty)", new int[] {7, 9}, t -> t.slice(0, 5, 2, 1),
                r -> r.slice(0, 5, 2, 1), true, ANY));
        v.add(new ViewOp("select", "select(0, -1)", new int[] {4, 5, 6}, t -> t.select(0, -1), r -> r.select(0, -1),
                true, ANY));
        v.add(new ViewOp("select", "select(2, 3)", new int[] {4, 5, 6}, t -> t.select(2, 3), r -> r.select(2, 3),
                true, ANY));
        v.add(new ViewOp("select", "select(0, 2) to rank 0", new int[] {5}, t -> t.select(0, 2), r -> r.select(0, 2),
                true, ANY));
        v.add(new ViewOp("expand", "expand(3, 4)", new int[] {3, 1}, t -> t.expand(3, 4), r -> r.expand(3, 4), true,
                ANY));
        v.add(new ViewOp("expand", "expand(2, 3, 5)", new int[] {1}, t -> t.expand(2, 3, 5), r -> r.expand(2, 3, 5),
                true, ANY));
        v.add(new ViewOp("expand", "expand(-1, 5, -1)", new int[] {4, 1, 6}, t -> t.expand(-1, 5, -1),
                r -> r.expand(-1, 5, -1), true, ANY));
        v.add(new ViewOp("expand", "expand(2, 3)", new int[] {3}, t -> t.expand(2, 3), r -> r.expand(2, 3), true,
                ANY));
        v.add(new ViewOp("broadcastTo", "broadcastTo([2, 3, 4])", new int[] {3, 1}, t -> t.broadcastTo(Shape.of(2, 3, 4)),
                r -> r.broadcastTo(2, 3, 4), true, ANY));
        v.add(new ViewOp("squeeze", "squeeze()", new int[] {1, 3, 1, 2}, Tensor::squeeze, RefArray::squeeze, true,
                ANY));
        v.add(new ViewOp("squeeze", "squeeze(2)", new int[] {1, 3, 1, 2}, t -> t.squeeze(2), r -> r.squeeze(2), true,
                ANY));
        v.add(new ViewOp("squeeze", "squeeze() of rank 0", new int[] {}, Tensor::squeeze, RefArray::squeeze, true,
                ANY));
        v.add(new ViewOp("unsqueeze", "unsqueeze(0)", new int[] {3, 4}, t -> t.unsqueeze(0), r -> r.unsqueeze(0), true,
                ANY));
        v.add(new ViewOp("unsqueeze", "unsqueeze(1)", new int[] {3, 4}, t -> t.unsqueeze(1), r -> r.unsqueeze(1), true,
                ANY));
        v.add(new ViewOp("unsqueeze", "unsqueeze(2)", new int[] {3, 4}, t -> t.unsqueeze(2), r -> r.unsqueeze(2), true,
                ANY));
        v.add(new ViewOp("unsqueeze", "unsqueeze(-1)", new int[] {3, 4}, t -> t.unsqueeze(-1), r -> r.unsqueeze(-1),
                true, ANY));
        v.add(new ViewOp("unsqueeze", "unsqueeze(0) of rank 0", new int[] {}, t -> t.unsqueeze(0),
                r -> r.unsqueeze(0), true, ANY));
        v.add(new ViewOp("contiguous", "contiguous()", new int[] {4, 7}, Tensor::contiguous, r -> r, false, ANY));
        v.add(new ViewOp("contiguous", "contiguous() of a large tensor", new int[] {513, 257}, Tensor::contiguous,
                r -> r, false, ANY));
        v.add(new ViewOp("copy", "copy()", new int[] {4, 7}, Tensor::copy, r -> r, false, ANY));
        return v;
    }

    static Stream<DynamicNode> views(Harness h) {
        List<DynamicNode> values = new ArrayList<>();
        List<DynamicNode> sharing = new ArrayList<>();
        for (DType dt : h.all()) {
            boolean sharingToo = dt == DType.FLOAT32 || dt == DType.INT32;
            for (ViewOp v : ops()) {
                for (Layout layout : v.layouts()) {
                    String name = String.format("%s %s %s(%s) presents the reference's values", v.call(), dt,
                            dims(v.shape()), layout);
                    values.add(h.test(CATEGORY, v.op(), name, c -> {
                        Input x = c.input(dt, layout, Domain.NORMAL, v.shape());
                        c.expect(v.apply().apply(x.tensor()), dt, v.ref().apply(x.values()));
                    }));
                    boolean shares = sharingToo
                            && (v.shares() || (layout == Layout.CONTIGUOUS && !v.op().equals("copy")));
                    if (shares) {
                        name = String.format("%s %s %s(%s) is a view: a write through it lands in the source's storage",
                                v.call(), dt, dims(v.shape()), layout);
                        sharing.add(h.test(CATEGORY, v.op() + " shares", name, c -> {
                            Input x = c.input(dt, layout, Domain.NORMAL, v.shape());
                            Tensor view = v.apply().apply(x.tensor());
                            view.fill(42);
                            RefArray written = v.ref().apply(x.positions());
                            c.expect(x.base(), dt, x.baseValues().scatter(written, RefArray.full(42, written.shape())));
                        }));
                    }
                }
            }
            for (Layout layout : new Layout[] {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED}) {
                String name = String.format("copy() %s of a %s tensor owns new memory: writing it leaves the source alone",
                        dt, layout);
                sharing.add(h.test(CATEGORY, "copy", name, c -> {
                    Input x = c.input(dt, layout, Domain.NORMAL, 4, 7);
                    Tensor copy = x.tensor().copy();
                    copy.fill(42);
                    c.expectThat(copy.isContiguous(), "copy() should be contiguous");
                    c.expect(x.base(), dt, x.baseValues());
                    c.expect(copy, dt, RefArray.full(42, 4, 7));
                }));
            }
            for (Layout layout : new Layout[] {Layout.TRANSPOSED, Layout.STRIDED, Layout.EXPANDED}) {
                String name = String.format("contiguous() %s of a %s tensor is a row-major copy", dt, layout);
                sharing.add(h.test(CATEGORY, "contiguous", name, c -> {
                    Input x = c.input(dt, layout, Domain.NORMAL, 4, 7);
                    Tensor copy = x.tensor().contiguous();
                    c.expectThat(copy.isContiguous(), "contiguous() gave a non-contiguous tensor");
                    copy.fill(42);
                    c.expect(x.base(), dt, x.baseValues());
                }));
            }
        }
        return Stream.of(DynamicContainer.dynamicContainer("view values", values),
                DynamicContainer.dynamicContainer("views share memory", sharing));
    }
}
