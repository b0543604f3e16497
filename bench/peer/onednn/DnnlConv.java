// oneDNN's 3x3 convolutions (padding 1, stride 1, float32) on the shapes of Descent's ConvBenchmark,
// forward, backward data and backward weights, median of 25 runs after 5: the figures in
// cpu-backend/README.md ("Convolution"). Not part of the build; run by hand:
//   mvn -q dependency:get -Dartifact=org.bytedeco:dnnl:3.11-1.5.13 -Dtransitive=true
//   mvn -q dependency:get -Dartifact=org.bytedeco:dnnl:3.11-1.5.13:jar:linux-x86_64
//   CP=$(find ~/.m2/repository/org/bytedeco/{dnnl,javacpp,opencl} -name '*.jar' | paste -sd:)
//   javac -cp "$CP" -d /tmp/dnnl DnnlConv.java
//   OMP_NUM_THREADS=2 java -cp "/tmp/dnnl:$CP" -Dany=true DnnlConv     # -Dany=false: plain NCHW/OIHW memory
import org.bytedeco.dnnl.*;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.*;
import java.util.Arrays;

/** oneDNN (bytedeco dnnl 3.11) 3x3 convolution, padding 1, stride 1, float32 NCHW / OIHW: forward, backward data, backward weights. */
public class DnnlConv {
    static LongPointer dims(long... d) { return new LongPointer(d); }

    public static void main(String[] a) {
        String[] shapes = a.length > 0 ? a : new String[] {"128,1,28,32", "128,32,14,64", "32,64,28,64"};
        boolean any = Boolean.getBoolean("any");
        engine eng = new engine(engine.kind.cpu, 0);
        stream s = new stream(eng);
        for (String sh : shapes) {
            long[] v = Arrays.stream(sh.split(",")).mapToLong(Long::parseLong).toArray();
            long n = v[0], c = v[1], hw = v[2], o = v[3];
            memory.format_tag act = any ? memory.format_tag.any : memory.format_tag.nchw;
            memory.format_tag wt = any ? memory.format_tag.any : memory.format_tag.oihw;
            memory.desc src = new memory.desc(dims(n, c, hw, hw), memory.data_type.f32, act);
            memory.desc wei = new memory.desc(dims(o, c, 3, 3), memory.data_type.f32, wt);
            memory.desc dst = new memory.desc(dims(n, o, hw, hw), memory.data_type.f32, act);
            memory.desc noBias = new memory.desc();
            LongPointer strides = dims(1, 1), pad = dims(1, 1);
            convolution_forward.primitive_desc fwd = new convolution_forward.primitive_desc(eng, dnnl.prop_kind.forward_training,
                    dnnl.algorithm.convolution_direct, src, wei, noBias, dst, strides, pad, pad);
            convolution_backward_data.primitive_desc bwdData = new convolution_backward_data.primitive_desc(eng,
                    dnnl.algorithm.convolution_direct, src, wei, dst, strides, pad, pad, fwd);
            convolution_backward_weights.primitive_desc bwdW = new convolution_backward_weights.primitive_desc(eng,
                    dnnl.algorithm.convolution_direct, src, wei, noBias, dst, strides, pad, pad, fwd);
            memory mSrc = new memory(fwd.src_desc(), eng), mWei = new memory(fwd.weights_desc(), eng), mDst = new memory(fwd.dst_desc(), eng);
            memory mDiffDst = new memory(bwdData.diff_dst_desc(), eng), mDiffSrc = new memory(bwdData.diff_src_desc(), eng);
            memory mDiffW = new memory(bwdW.diff_weights_desc(), eng);
            memory mDiffDstW = new memory(bwdW.diff_dst_desc(), eng), mSrcW = new memory(bwdW.src_desc(), eng);
            primitive pf = new convolution_forward(fwd), pd = new convolution_backward_data(bwdData), pw = new convolution_backward_weights(bwdW);
            IntMemoryMap af = new IntMemoryMap(); af.put(dnnl.DNNL_ARG_SRC, mSrc); af.put(dnnl.DNNL_ARG_WEIGHTS, mWei); af.put(dnnl.DNNL_ARG_DST, mDst);
            IntMemoryMap ad = new IntMemoryMap(); ad.put(dnnl.DNNL_ARG_DIFF_DST, mDiffDst); ad.put(dnnl.DNNL_ARG_WEIGHTS, mWei); ad.put(dnnl.DNNL_ARG_DIFF_SRC, mDiffSrc);
            IntMemoryMap aw = new IntMemoryMap(); aw.put(dnnl.DNNL_ARG_SRC, mSrcW); aw.put(dnnl.DNNL_ARG_DIFF_DST, mDiffDstW); aw.put(dnnl.DNNL_ARG_DIFF_WEIGHTS, mDiffW);
            double flops = 2.0 * n * o * hw * hw * c * 9;
            double[] t = new double[3];
            primitive[] ps = {pf, pd, pw};
            IntMemoryMap[] args = {af, ad, aw};
            for (int k = 0; k < 3; k++) {
                double[] runs = new double[25];
                for (int r = 0; r < 30; r++) {
                    long t0 = System.nanoTime();
                    ps[k].execute(s, args[k]);
                    s._wait();
                    if (r >= 5) runs[r - 5] = System.nanoTime() - t0;
                }
                Arrays.sort(runs);
                t[k] = runs[runs.length / 2];
            }
            System.out.printf("onednn %s n=%d c=%d hw=%d o=%d (%s): fwd %.1f GFLOP/s, bwd data %.1f, bwd weights %.1f, fwd+bwd %.1f GFLOP/s (%.2f ms); impl %s%n",
                    any ? "any" : "nchw", n, c, hw, o, any ? "blocked layouts, no reorders timed" : "plain NCHW",
                    flops / t[0], flops / t[1], flops / t[2], 3 * flops / (t[0] + t[1] + t[2]), (t[0] + t[1] + t[2]) / 1e6, fwd.impl_info_str().getString());
        }
    }
}
