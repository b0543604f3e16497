// The float32 softmax rows of RowSoftmax in C, compiled at first use by NativeSoftmaxRows (gcc -O2
// -march=native -ffp-contract=off). Each function gives the same bits as the Java path it
// replaces, not merely close ones: the same IEEE operations in the same order (fma where Java
// calls Math.fma, no contraction elsewhere), and each chunk's sum by the same pairwise tree
// (RowSoftmax.sum). Only the order of maxima and of the exact tie counts differs, which changes
// no result. The one library call of a row, Java's log1p, is our own here, accurate to 2^-48,
// and a row whose log it cannot promise to round to Java's float is handed back to the Java path.
// Vectors come from GCC's vector extensions; the ISA only sets their width, the fma and the max.
#include <stdint.h>
#include <string.h>

#if defined(__AVX512F__)
#include <immintrin.h>
#define VL 16
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VMAX(a, b) _mm512_max_ps(a, b)
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define VL 8
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VMAX(a, b) _mm256_max_ps(a, b)
#else
#error "the native softmax rows need AVX2 and FMA, or AVX-512"
#endif

typedef float vf __attribute__((vector_size(VL * 4)));
typedef int32_t vi __attribute__((vector_size(VL * 4)));
typedef float vfu __attribute__((vector_size(VL * 4), aligned(4)));   // an unaligned load or store

#define CHUNK 512   // RowSoftmax's chunk (Elementwise.CHUNK)
#define SHORT 64    // RowSoftmax.SHORT: a chunk this short is summed by the plain tree

static inline vf splat(float c) { return (vf) {} + c; }
static inline vf load(const float *p) { return *(const vfu *) p; }
static inline void store(float *p, vf v) { *(vfu *) p = v; }

// FloatKernels' constants
#define MAGIC 0x1.8p23f
#define MAGIC_BITS 0x4B400000
#define LOG2E 1.44269504f
#define LN2_HI 0.693145752f
#define LN2_LO 1.42860677e-6f
#define P0 1.9875691500E-4f
#define P1 1.3981999507E-3f
#define P2 8.3334519073E-3f
#define P3 4.1665795894E-2f
#define P4 1.6666665459E-1f
#define P5 5.0000001201E-1f
#define SCALE_BIAS (127 + 64)
#define UNBIAS 0x1p-64f
#define CLAMP -104.0f
#define TIE_THRESHOLD (0.5f - 0x1p-24f)

// e^v for v = x - m in [-104, 0] (FloatKernels.shiftedExpParts, then (p * scale) * UNBIAS). v below
// -104 is clamped, as the Java path's clamped pass does; where that pass is not taken (v in
// [-104.3, -104)), e rounds to 0 all the same.
static inline vf vexp(vf v) {
    vf kk = FMA(v, splat(LOG2E), splat(MAGIC));
    vf n = kk - MAGIC;
    vf r = FMA(n, splat(-LN2_HI), v);
    r = FMA(n, splat(-LN2_LO), r);
    vf q = FMA(FMA(FMA(FMA(FMA(splat(P0), r, splat(P1)), r, splat(P2)), r, splat(P3)), r, splat(P4)), r, splat(P5));
    vf p = FMA(q, r * r, r) + 1.0f;
    vi scale = (((vi) kk - MAGIC_BITS) + SCALE_BIAS) << 23;
    return p * (vf) scale * UNBIAS;
}

static inline float bitsToFloat(int32_t b) { float f; memcpy(&f, &b, 4); return f; }
static inline int32_t floatToBits(float f) { int32_t b; memcpy(&b, &f, 4); return b; }

static inline float sexp(float v) {
    float kk = __builtin_fmaf(v, LOG2E, MAGIC);
    float n = kk - MAGIC;
    float r = __builtin_fmaf(n, -LN2_HI, v);
    r = __builtin_fmaf(n, -LN2_LO, r);
    float q = __builtin_fmaf(__builtin_fmaf(__builtin_fmaf(__builtin_fmaf(__builtin_fmaf(P0, r, P1), r, P2), r, P3), r, P4), r, P5);
    float p = __builtin_fmaf(q, r * r, r) + 1.0f;
    return p * bitsToFloat(((floatToBits(kk) - MAGIC_BITS) + SCALE_BIAS) << 23) * UNBIAS;
}

static inline float sclamp(float v) { return v < CLAMP ? CLAMP : v; }

// The tie indicator t = [e == 1] (RowSoftmax.restTies): e - (1/2 - 2^-24) rounded to an integer.
static inline vf vtie(vf e) { return ((e - TIE_THRESHOLD) + MAGIC) - MAGIC; }
static inline float stie(float e) { return ((e - TIE_THRESHOLD) + MAGIC) - MAGIC; }

// RowSoftmax.sum: the pairwise sum of w[0..n), n <= CHUNK, in place.
static float chunkSum(float *w, int n) {
    if (n == 1) {
        return w[0];
    }
    int h = 1;   // the offset of the last level summed
    if (n <= SHORT) {
        while (2 * h < n) {
            h *= 2;
        }
        for (int i = 0; i < n - h; i++) {
            w[i] = w[i] + w[i + h];
        }
    } else {
        memset(w + n, 0, (CHUNK - n) * sizeof(float));   // padded with the identity, as the Java path's
        for (h = CHUNK / 2; h >= VL; h /= 2) {
            for (int i = 0; i < h; i += VL) {
                store(w + i, load(w + i) + load(w + i + h));
            }
        }
        h = VL;
    }
    for (h /= 2; h >= 1; h /= 2) {
        for (int i = 0; i < h; i++) {
            w[i] += w[i + h];
        }
    }
    return w[0];
}

// The row's maximum as Java's Math.max finds it: NaN if any is NaN, and +0 over -0.
static float rowMax(const float *x, int len) {
    int i = 0;
    float m = x[0];
    int nan = m != m;
    if (len >= VL) {
        vf acc = load(x);
        vi unordered = {};
        for (i = 0; i + VL <= len; i += VL) {
            vf v = load(x + i);
            acc = VMAX(acc, v);
            unordered |= v != v;
        }
        for (int k = 0; k < VL; k++) {
            m = acc[k] > m ? acc[k] : m;
            nan |= unordered[k] != 0;
        }
    }
    for (; i < len; i++) {
        m = x[i] > m ? x[i] : m;
        nan |= x[i] != x[i];
    }
    if (nan) {
        return __builtin_nanf("");
    }
    if (m == 0.0f) {
        m = -0.0f;
        for (i = 0; i < len; i++) {
            if (floatToBits(x[i]) == 0) {
                return 0.0f;
            }
        }
    }
    return m;
}

// Σ e^(x - m) over a row whose maximum m is finite, as the count of terms equal to 1 (*ties) and
// the rest (returned), summed by chunks as RowSoftmax.floatRow does; each e^(x - m) also into
// terms unless it is NULL (softmax's numerators: computed once).
static double rowSum(const float *row, int len, float m, double *ties, float *terms) {
    float w[CHUNK] __attribute__((aligned(64)));
    vf tieCount = {};
    float tieTail = 0;
    double rest = 0;
    for (int c = 0; c < len; c += CHUNK) {
        int n = len - c < CHUNK ? len - c : CHUNK;
        const float *v = row + c;
        int i = 0;
        for (; i + VL <= n; i += VL) {
            vf e = vexp(VMAX(load(v + i) - m, splat(CLAMP)));
            vf t = vtie(e);
            if (terms) {
                store(terms + c + i, e);
            }
            store(w + i, e - t);
            tieCount += t;
        }
        for (; i < n; i++) {
            float e = sexp(sclamp(v[i] - m));
            float t = stie(e);
            if (terms) {
                terms[c + i] = e;
            }
            w[i] = e - t;
            tieTail += t;
        }
        rest += (double) chunkSum(w, n);
    }
    double count = tieTail;   // whole numbers below 2^24 (the caller's bound on len): exact
    for (int k = 0; k < VL; k++) {
        count += tieCount[k];
    }
    *ties = count;
    return rest;
}

// log(1 + s) for s >= 0 with a relative error below 2^-48: log(u) for u = 1 + s rounded, by the
// series of 2 atanh((f - 1)/(f + 1)) after u = 2^k f with f in [sqrt(1/2), sqrt(2)), plus what
// the rounding of 1 + s lost, (s - (u - 1)) / u (log(1 + c) = c to 2^-106).
static double log1pNonNegative(double s) {
    double u = 1.0 + s;
    double lost = (s - (u - 1.0)) / u;
    int64_t bits;
    memcpy(&bits, &u, 8);
    int k = (int) (bits >> 52) - 1023;
    bits = (bits & 0x000FFFFFFFFFFFFFLL) | 0x3FF0000000000000LL;   // f in [1, 2)
    double f;
    memcpy(&f, &bits, 8);
    if (f > 1.4142135623730951) {
        f *= 0.5;
        k++;
    }
    double z = (f - 1.0) / (f + 1.0);   // |z| <= 0.1716, z^2 <= 0.0295: 13 terms leave 2^-70
    double z2 = z * z;
    double series = 1.0 / 25;
    for (int j = 11; j >= 0; j--) {
        series = series * z2 + 1.0 / (2 * j + 1);
    }
    return k * 0.6931471805599453 + 2 * z * series + lost;
}

// Whether every double within tolerance of v rounds to the float v rounds to: then Java's value,
// which differs from v by less than the tolerance, rounds to the same bits.
static int roundsAlike(double v, double tolerance) {
    return floatToBits((float) (v - tolerance)) == floatToBits((float) (v + tolerance));
}

#define LOG_SOFTMAX 0
#define SOFTMAX 1
#define LOGSUMEXP 2
// Java's log1p (fdlibm, under 1 ulp) and ours (under 2^-48) differ by under 2^-47 of the value
#define LOG_TOLERANCE 0x1p-40

// The rows x + xOffsets[r] of len floats, into out + outOffsets[r] (one float a row for
// LOGSUMEXP), each over its first kept[r] entries (a causal softmax's; the rest of the row is
// written as 0, all of it where none is kept). A row whose result this cannot promise to round as
// Java's does, because its maximum is not finite or its log lies too near a float's rounding
// boundary (about one row in 2^16), is left to the Java path: its index goes to javaRows, and
// their count is returned.
int descent_softmax_rows(int op, const float *x, const int64_t *xOffsets, float *out, const int64_t *outOffsets,
        int rows, int rowLength, const int32_t *kept, int32_t *javaRows) {
    int left = 0;
    for (int r = 0; r < rows; r++) {
        const float *v = x + xOffsets[r];
        float *o = out + outOffsets[r];
        int len = kept[r];
        if (len < rowLength) {
            memset(o + len, 0, (rowLength - len) * sizeof(float));
        }
        if (len == 0) {
            continue;
        }
        float m = rowMax(v, len);
        if (m - m != 0.0f) {
            javaRows[left++] = r;
            continue;
        }
        double ties;
        double rest = rowSum(v, len, m, &ties, op == SOFTMAX ? o : NULL);
        if (op == SOFTMAX) {
            float k = (float) (1 / (ties + rest));
            int i = 0;
            for (; i + VL <= len; i += VL) {
                store(o + i, load(o + i) * k);
            }
            for (; i < len; i++) {
                o[i] *= k;
            }
            continue;
        }
        double logSum = log1pNonNegative((ties - 1) + rest);
        if (op == LOGSUMEXP) {
            double lse = m + logSum;
            if (!roundsAlike(lse, logSum * LOG_TOLERANCE + __builtin_fabs(lse) * 0x1p-50)) {
                javaRows[left++] = r;
                continue;
            }
            o[0] = (float) lse;
            continue;
        }
        if (!roundsAlike(logSum, logSum * LOG_TOLERANCE)) {
            javaRows[left++] = r;
            continue;
        }
        float l = (float) logSum;
        int i = 0;
        for (; i + VL <= len; i += VL) {
            store(o + i, (load(v + i) - m) - l);
        }
        for (; i < len; i++) {
            o[i] = (v[i] - m) - l;
        }
    }
    return left;
}

// log1pNonNegative, for the test that holds it to its bound against Java's log1p
double descent_log1p_nonnegative(double s) {
    return log1pNonNegative(s);
}
